/**
 * Opening the report in a real browser: Debian's chromium (`/usr/bin/chromium`, or `$CHROMIUM`),
 * driven by puppeteer-core (Playwright's browser download is not available here). The browser
 * tests and the screenshot script share this, so both open the page the same way.
 */
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import puppeteer, { type Browser, type Page } from "puppeteer-core";

export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
export const chromiumPresent = (): boolean => existsSync(CHROMIUM);

/** Headless, offline as far as flags allow, with its profile in `profileDir` (the caller removes it). */
export function launchChromium(profileDir: string): Promise<Browser> {
  return puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      `--user-data-dir=${profileDir}`,
    ],
  });
}

/** What the page did while it loaded: console errors, page errors, dialogs and requests off file:. */
export interface PageLog {
  consoleErrors: string[];
  pageErrors: string[];
  dialogs: string[];
  requests: string[];
}

/**
 * Open `file` and wait until its drawing script has marked the page (`data-rendered`: `ok`, or
 * `failed` when a chart or graph did not draw).
 */
export async function openReport(
  browser: Browser,
  file: string,
  timeout = 90_000,
): Promise<{ page: Page; log: PageLog; rendered: string | null }> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 900 });
  const log: PageLog = { consoleErrors: [], pageErrors: [], dialogs: [], requests: [] };
  page.on("console", (m) => {
    if (m.type() === "error") log.consoleErrors.push(m.text());
  });
  page.on("pageerror", (e) => log.pageErrors.push(String(e)));
  page.on("dialog", (d) => {
    log.dialogs.push(d.message());
    void d.dismiss();
  });
  page.on("request", (r) => {
    if (!r.url().startsWith("file:") && !r.url().startsWith("data:")) log.requests.push(r.url());
  });
  await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
  await page.waitForFunction("document.documentElement.hasAttribute('data-rendered')", { timeout });
  const rendered = (await page.evaluate("document.documentElement.getAttribute('data-rendered')")) as string | null;
  return { page, log, rendered };
}
