/**
 * The HTML report in a real browser: Debian's chromium, driven by puppeteer-core. The page is
 * built from the sample input (hostile user IDs included), opened from a file:// URL, and checked:
 * no console errors or page errors, every cell's witness link lands on an element that exists,
 * every chart and graph drew, and no markup from data ran. A screenshot goes to a temp folder, or
 * to $HTML_SCREENSHOT_DIR (e.g. reports/out) when set.
 *
 * Skipped, with a message, when /usr/bin/chromium (or $CHROMIUM) is missing, unless
 * REQUIRE_BROWSER=1. Every temp folder the test makes is removed.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import fc from "fast-check";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { fcParams } from "../../test-support/fast-check.ts";
import { readBundles } from "./assets.ts";
import { ACT_ORDER, witnessMermaid, type WitnessEvent } from "./mermaid-graph.ts";
import { htmlPage } from "./page.ts";
import { sampleReport } from "./sample.ts";

// The callbacks handed to page.evaluate run in the browser; the project's tsconfig has no DOM
// lib (adding one would change every file's globals), so they see these two names as untyped.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
declare const document: any, window: any;

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const present = existsSync(CHROMIUM);
if (!present && process.env.REQUIRE_BROWSER === "1") {
  throw new Error(`REQUIRE_BROWSER=1 but ${CHROMIUM} is missing: apt-get install -y chromium`);
}
if (!present)
  console.warn(
    `page.browser.test: skipped, ${CHROMIUM} is missing ` +
      "(apt-get install -y chromium; REQUIRE_BROWSER=1 makes this fail)",
  );

describe.skipIf(!present)("the HTML report in chromium", () => {
  const temps: string[] = [];
  const temp = (label: string): string => {
    const dir = mkdtempSync(join(tmpdir(), `msc3917-html-${label}-`));
    temps.push(dir);
    return dir;
  };
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];
  const pageErrors: string[] = [];
  const dialogs: string[] = [];
  const requests: string[] = [];
  let screenshot = "";

  beforeAll(async () => {
    const html = htmlPage(sampleReport(), readBundles());
    const file = join(temp("page"), "threat-model.html");
    writeFileSync(file, html);
    browser = await puppeteer.launch({
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
        `--user-data-dir=${temp("profile")}`,
      ],
    });
    page = await browser.newPage();
    await page.setViewport({ width: 1400, height: 900 });
    page.on("console", (m) => {
      if (m.type() === "error") consoleErrors.push(m.text());
    });
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on("request", (r) => {
      if (!r.url().startsWith("file:") && !r.url().startsWith("data:")) requests.push(r.url());
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
    await page.waitForFunction(() => document.documentElement.hasAttribute("data-rendered"), { timeout: 45_000 });
    const dir = process.env.HTML_SCREENSHOT_DIR ? resolve(process.env.HTML_SCREENSHOT_DIR) : temp("shot");
    mkdirSync(dir, { recursive: true });
    screenshot = join(dir, "threat-model-sample.png");
    await page.screenshot({ path: screenshot as `${string}.png`, fullPage: true });
    // What a reader sees first, without scrolling.
    await page.screenshot({ path: join(dir, "threat-model-sample-top.png") as `${string}.png` });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    for (const dir of temps) rmSync(dir, { recursive: true, force: true });
    for (const dir of temps) expect(existsSync(dir)).toBe(false);
  });

  it("loads with no console errors, no page errors, no dialogs and no network", async () => {
    expect(await page.evaluate(() => document.documentElement.getAttribute("data-rendered"))).toBe("ok");
    expect(consoleErrors).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(dialogs).toEqual([]);
    expect(requests).toEqual([]);
  });

  it("every witness link points to an element that exists, and every witness is linked", async () => {
    const links = await page.$$eval("a[href^='#']", (as) =>
      as.map((a) => ({
        href: decodeURIComponent(a.getAttribute("href")!.slice(1)),
        cls: a.className,
      })),
    );
    const witnessLinks = links.filter((l) => l.cls === "wlink");
    expect(witnessLinks.length).toBeGreaterThanOrEqual(sampleReport().cells.filter((c) => c.witness).length);
    const exists = await page.evaluate(
      (ids) => ids.map((id) => document.getElementById(id) !== null),
      links.map((l) => l.href),
    );
    expect(exists.every(Boolean)).toBe(true);
    const sections = await page.$$eval("section.witness", (s) => s.map((e) => e.id));
    expect(sections.length).toBe(sampleReport().witnesses.length);
    for (const id of sections) expect(witnessLinks.map((l) => l.href)).toContain(id);
  });

  it("every chart drew marks and every graph drew an svg with its nodes", async () => {
    const charts = await page.$$eval(".chart", (cs) =>
      cs.map((c) => ({
        id: c.id,
        svg: c.querySelector("svg") !== null,
        marks: c.querySelectorAll("path.mark-line, g.mark-symbol path, .mark-line path").length,
      })),
    );
    expect(charts.map((c) => c.id).sort()).toEqual(["chart-bench", "chart-progress"]);
    for (const c of charts) {
      expect(c.svg, c.id).toBe(true);
      expect(c.marks, c.id).toBeGreaterThan(0);
    }
    const graphs = await page.$$eval(".graph", (gs) =>
      gs.map((g) => ({ id: g.id, nodes: g.querySelectorAll("svg .node").length })),
    );
    // The legend, one per witness room: w-tree-T2 (1), w-dag-T3 (2 rooms), w-baseline-T2 (1).
    expect(graphs.length).toBe(5);
    for (const g of graphs) expect(g.nodes, g.id).toBeGreaterThan(1);
    // Every adversarial event of the sample is drawn with its class.
    for (const act of ["forged", "inserted", "withheld", "replayed", "silenced", "split", "notseen"]) {
      expect(await page.$$eval(`.witness svg .node.act_${act}`, (n) => n.length), act).toBeGreaterThan(0);
    }
  });

  it("text from data stays text: no injected element, the hostile ID is shown verbatim", async () => {
    expect(await page.$$eval("img[src='x']", (n) => n.length)).toBe(0);
    // Our four bundles, our JSON data and our drawing script; nothing from data.
    expect(await page.$$eval("script", (n) => n.length)).toBe(6);
    const text = await page.evaluate(() => document.body.innerText);
    expect(text).toContain(`"><script>alert('x')</script>:evil.example`);
    const svgText = await page.$$eval(".witness svg", (s) => s.map((e) => e.textContent ?? "").join("\n"));
    expect(svgText).toContain(`"><script>alert('x')</script>`);
  });

  it("mermaid itself parses the graphs of events with any text (property, checked in the page)", async () => {
    const text = fc.string({ unit: "grapheme", maxLength: 10 });
    const event: fc.Arbitrary<WitnessEvent> = fc.record({
      id: text,
      type: text,
      sender: text,
      state_key: fc.option(text),
      membership: fc.option(text),
      parents: fc.array(text, { maxLength: 2 }),
      auth: fc.array(text, { maxLength: 2 }),
      replays: fc.option(text),
      act: fc.constantFrom(...ACT_ORDER),
    });
    const { numRuns, seed } = fcParams(60);
    const graphs = fc
      .sample(fc.array(event, { minLength: 1, maxLength: 8 }), { numRuns, seed })
      .map((es) => witnessMermaid(es));
    const failures = await page.evaluate(async (texts) => {
      const m = window.mermaid as { parse(t: string): Promise<unknown> };
      const bad: string[] = [];
      for (const t of texts) {
        try {
          await m.parse(t);
        } catch (e) {
          bad.push(`${String(e)}\n${t}`);
        }
      }
      return bad;
    }, graphs);
    expect(failures).toEqual([]);
  });

  it("wrote a screenshot", () => {
    expect(statSync(screenshot).size).toBeGreaterThan(10_000);
    console.log(`page.browser.test: screenshot ${screenshot}`);
  });
});
