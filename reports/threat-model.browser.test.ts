/**
 * The HTML report as `npm run scenarios` really writes it, in a real browser. The job runs on a
 * few threats' scripted scenarios into a temporary results folder (with a bench.json fixture
 * beside them, as `npm run bench` would leave it), and the page it wrote is opened in Debian's
 * chromium: no console or page errors, no network, every cell's witness link lands on a witness
 * that exists, every witness is linked, every chart drew marks and every graph drew an svg with
 * its adversarial nodes. A screenshot goes to the test's temporary folder, and also to
 * $HTML_SCREENSHOT_DIR when set (e.g. reports/out).
 *
 * Skipped, with a message, when chromium is missing, unless REQUIRE_BROWSER=1 (CI sets it).
 * Every temporary folder the test makes is removed.
 */
import { execFileSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Browser, Page } from "puppeteer-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ScenarioResults, attacksFromScenarios } from "../attacks/scripted.ts";
import { REPO, readBench } from "./cli.ts";
import { htmlReportOf } from "./html-report.ts";
import { readBundles } from "./html/assets.ts";
import { htmlPage } from "./html/page.ts";
import { CHROMIUM, chromiumPresent, launchChromium, openReport, type PageLog } from "./html/browser.ts";

const present = chromiumPresent();
if (!present && process.env.REQUIRE_BROWSER === "1")
  throw new Error(`REQUIRE_BROWSER=1 but ${CHROMIUM} is missing: apt-get install -y chromium`);
if (!present)
  console.warn(
    `threat-model.browser.test: skipped, ${CHROMIUM} is missing (apt-get install -y chromium; REQUIRE_BROWSER=1 makes this fail)`,
  );

/** The proposal's four rows, and attacks whose witnesses use each kind of act. */
const SCENARIOS = [
  "T1-insert-member",
  "T2-reinsert-banned",
  "T3-banned-member-colludes",
  "T4-unprivileged-member-colludes",
  "T8-insert-device",
  "T13-hidden-ban",
  "T14-split-view",
  "T19-join-rule-replay",
].map((n) => `scenarios/attacks/${n}.json`);

/** bench.json's shape (`npm run bench`); a fixture for layout, not a measurement. */
export const BENCH_FIXTURE = {
  written: "2026-01-01T00:00:00Z",
  points: [
    { series: "membership-tree verify (fixture)", members: 1000, ms: 40, peak_mb: 80 },
    { series: "membership-tree verify (fixture)", members: 10000, ms: 420, peak_mb: 160 },
    { series: "membership-tree verify (fixture)", members: 100000, ms: 4300, peak_mb: 900 },
    { series: "state-dag incremental (fixture)", members: 1000, ms: 3 },
    { series: "state-dag incremental (fixture)", members: 10000, ms: 3 },
  ],
};

describe.skipIf(!present)("the report npm run scenarios writes, in chromium", () => {
  const temps: string[] = [];
  const temp = (label: string): string => {
    const dir = mkdtempSync(join(tmpdir(), `msc3917-report-${label}-`));
    temps.push(dir);
    return dir;
  };
  let browser: Browser;
  let page: Page;
  let log: PageLog;
  let rendered: string | null;
  let out: string;
  let screenshot: string;

  beforeAll(async () => {
    out = temp("out");
    writeFileSync(join(out, "bench.json"), JSON.stringify(BENCH_FIXTURE));
    // The real job, as a user runs it: the scenarios, then the report (md, csv and html).
    execFileSync(process.execPath, ["--import", "tsx", "attacks/after-scenarios.ts", ...SCENARIOS], {
      cwd: REPO,
      env: { ...process.env, MSC3917_OUT: out },
      stdio: "pipe",
    });
    browser = await launchChromium(temp("profile"));
    ({ page, log, rendered } = await openReport(browser, join(out, "threat-model.html")));
    const shots = temp("shot");
    screenshot = join(shots, "threat-model.png");
    await page.screenshot({ path: screenshot as `${string}.png` });
    await page.screenshot({ path: join(shots, "threat-model-full.png") as `${string}.png`, fullPage: true });
    if (process.env.HTML_SCREENSHOT_DIR) {
      const keep = resolve(process.env.HTML_SCREENSHOT_DIR);
      mkdirSync(keep, { recursive: true });
      copyFileSync(screenshot, join(keep, "threat-model-test.png"));
    }
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    for (const dir of temps) rmSync(dir, { recursive: true, force: true });
    for (const dir of temps) expect(existsSync(dir)).toBe(false);
  });

  it("wrote the page beside the markdown and the CSV", () => {
    for (const f of ["threat-model.md", "threat-model.csv", "threat-model.html"])
      expect(existsSync(join(out, f)), f).toBe(true);
    expect(readFileSync(join(out, "threat-model.html"), "utf8")).not.toMatch(/<script[^>]+src=/);
  });

  it("loads with no console errors, no page errors, no dialogs and no network", () => {
    expect(rendered).toBe("ok");
    expect(log.consoleErrors).toEqual([]);
    expect(log.pageErrors).toEqual([]);
    expect(log.dialogs).toEqual([]);
    expect(log.requests).toEqual([]);
  });

  it("links every cell with a witness to a witness that exists, and every witness from a cell", async () => {
    const links = await page.$$eval("table.catalogue a.wlink", (as) =>
      as.map((a) => decodeURIComponent(a.getAttribute("href")!.slice(1))),
    );
    const all = await page.$$eval("a[href^='#']", (as) =>
      as.map((a) => decodeURIComponent(a.getAttribute("href")!.slice(1))),
    );
    const sections = await page.$$eval("section.witness", (s) => s.map((e) => e.id));
    expect(sections.length).toBeGreaterThanOrEqual(SCENARIOS.length);
    // One catalogue cell per witness, and each link resolves to an element that exists.
    expect([...links].sort()).toEqual([...sections].sort());
    const exists = await page.$$eval("[id]", (es) => es.map((e) => e.id));
    for (const id of all) expect(exists, id).toContain(id);
  });

  it("drew every chart (marks in an svg) and every graph (an svg with nodes, adversarial ones marked)", async () => {
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
      gs.map((g) => ({
        id: g.id,
        svg: g.querySelector("svg") !== null,
        nodes: g.querySelectorAll("svg .node").length,
      })),
    );
    expect(graphs.length).toBeGreaterThan(SCENARIOS.length);
    for (const g of graphs) {
      expect(g.svg, g.id).toBe(true);
      expect(g.nodes, g.id).toBeGreaterThan(1);
    }
    // Each witness of a breach shows its attack: at least one drawn node that is not honest.
    const perWitness = await page.$$eval("section.witness", (ss) =>
      ss.map((s) => ({
        id: s.id,
        breach: /undetected breach|detected/.test(s.querySelector(".verdict")?.textContent ?? ""),
        adversarial: s.querySelectorAll("svg .node:not(.act_honest)").length,
      })),
    );
    for (const w of perWitness.filter((x) => x.breach)) expect(w.adversarial, w.id).toBeGreaterThan(0);
    for (const act of ["forged", "inserted", "withheld", "replayed", "split"])
      expect(await page.$$eval(`.witness svg .node.act_${act}`, (n) => n.length), act).toBeGreaterThan(0);
  });

  it("says so, and how to make it, when there is no bench.json; the rest of the page still draws", async () => {
    const scenarios = JSON.parse(readFileSync(join(out, "scenarios.json"), "utf8")) as ScenarioResults;
    const attacks = attacksFromScenarios(scenarios)!;
    const file = join(out, "no-bench.html");
    writeFileSync(
      file,
      htmlPage(htmlReportOf(attacks, { version: "test", ...readBench(out + "-none") }), readBundles()),
    );
    const opened = await openReport(browser, file);
    expect(opened.rendered).toBe("ok");
    expect([...opened.log.consoleErrors, ...opened.log.pageErrors]).toEqual([]);
    const text = (await opened.page.$eval("#charts + .charts", (e) => e.textContent ?? "")) as string;
    expect(text).toMatch(/no .*bench\.json: run npm run bench, then npm run report/);
    expect(await opened.page.$$eval(".chart", (cs) => cs.map((c) => c.id))).toEqual(["chart-progress"]);
    await opened.page.close();
  });

  it("wrote a screenshot", () => {
    expect(statSync(screenshot).size).toBeGreaterThan(10_000);
    const kept = process.env.HTML_SCREENSHOT_DIR
      ? `; a copy kept at ${join(resolve(process.env.HTML_SCREENSHOT_DIR), "threat-model-test.png")}`
      : " (removed with the test's temporary folder; set HTML_SCREENSHOT_DIR to keep a copy)";
    console.log(`threat-model.browser.test: screenshot ${screenshot}${kept}`);
  });
});
