import { describe, expect, it } from "vitest";
import type { InlineScript } from "./assets.ts";
import { anchorId, checkReport, htmlPage, jsonForScript, replayCommand, witnessAnchor } from "./page.ts";
import { HOSTILE_LABEL, HOSTILE_USER, sampleReport } from "./sample.ts";

const FAKE: InlineScript[] = [{ name: "fake", version: "1.0.0", license: "MIT", code: "window.fake = 1;" }];

/** The page without its inlined libraries and data: everything built from markup and escaped text. */
function markup(html: string): string {
  return html.slice(0, html.indexOf(`<script type="application/json"`));
}

describe("htmlPage", () => {
  it("is deterministic: the same input gives the same bytes", () => {
    expect(htmlPage(sampleReport(), FAKE)).toBe(htmlPage(sampleReport(), FAKE));
  });

  it("escapes text from data: hostile user IDs and labels never become markup", () => {
    const html = htmlPage(sampleReport(), FAKE);
    const m = markup(html);
    expect(m).not.toContain("<script>alert");
    expect(m).not.toContain("<img");
    expect(m).not.toContain(`"><script`);
    expect(m).toContain("&#34;&#62;&#60;script&#62;alert(&#39;x&#39;)&#60;/script&#62;");
    // The JSON island holds no "<" that could close it; exactly our scripts are in the page.
    const island = html.slice(
      html.indexOf(`<script type="application/json"`),
      html.indexOf("</script>", html.indexOf(`id="report-data"`)),
    );
    expect(island.slice(island.indexOf(">") + 1)).not.toMatch(/[<>&]/);
    expect(html.match(/<script[\s>]/g)?.length).toBe(FAKE.length + 2);
  });

  it("round-trips data through the JSON island", () => {
    const value = { s: `${HOSTILE_USER}\u2028${HOSTILE_LABEL}` };
    expect(JSON.parse(jsonForScript(value))).toEqual(value);
  });

  it("links every cell's witness to a section that exists, and nothing else", () => {
    const r = sampleReport();
    const html = htmlPage(r, FAKE);
    const ids = new Set([...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]));
    const hrefs = [...html.matchAll(/ href="#([^"]+)"/g)].map((m) => m[1]!);
    expect(hrefs.length).toBeGreaterThan(0);
    for (const h of hrefs) expect(ids.has(h), h).toBe(true);
    for (const c of r.cells.filter((c) => c.witness)) expect(hrefs).toContain(witnessAnchor(c.witness!));
  });

  it("sorts threats naturally: T2 before T10 before T13", () => {
    const html = markup(htmlPage(sampleReport(), FAKE));
    const catalogue = html.slice(html.indexOf(`id="catalogue"`));
    const order = [...catalogue.matchAll(/<th class="threat"><b>(T\d+)<\/b>/g)].map((m) => m[1]);
    expect(order).toEqual(["T1", "T2", "T3", "T4", "T10", "T13"]);
  });

  it("puts the proposal's table first, and the legend once", () => {
    const html = markup(htmlPage(sampleReport(), FAKE));
    expect(html.indexOf(`id="proposal"`)).toBeLessThan(html.indexOf(`id="catalogue"`));
    expect(html.indexOf(`id="proposal"`)).toBeLessThan(html.indexOf(`id="legend"`));
    expect(html.match(/id="legend"/g)?.length).toBe(1);
    expect(html.match(/hexagon/g)?.length).toBe(1);
  });

  it("refuses input whose references do not resolve", () => {
    const r = sampleReport();
    r.cells[0]!.witness = "nope";
    expect(() => checkReport(r)).toThrow(/missing witness "nope"/);
    const d = sampleReport();
    d.witnesses.push({ ...d.witnesses[0]! });
    expect(() => checkReport(d)).toThrow(/duplicate witness/);
    const u = sampleReport();
    u.cells.push({ ...u.cells[0]!, model: "unknown" });
    expect(() => checkReport(u)).toThrow(/unknown threat or model/);
  });

  it("counts the proposal's claims that hold, from the cells", () => {
    const html = markup(htmlPage(sampleReport(), FAKE));
    // Sample: T3 and T4 under the membership tree differ from the claim; the other six match.
    expect(html).toContain("Of the proposal's 8 claims, 6 match the measurement and 2 differ (outlined).");
    expect(html.match(/class="cell [a-z]+ differs"/g)?.length).toBe(2);
  });

  it("refuses a mark or count that is not one", () => {
    const r = sampleReport();
    (r.cells[0] as { mark: string }).mark = "ok";
    expect(() => checkReport(r)).toThrow(/unknown mark/);
    const a = sampleReport();
    (a.witnesses[0]!.events[0] as { act: string }).act = "evil";
    expect(() => checkReport(a)).toThrow(/unknown act/);
    const c = sampleReport();
    c.cells[0]!.counts.budget = -1;
    expect(() => checkReport(c)).toThrow(/bad count budget/);
  });

  it("refuses a bundle that would end its script element", () => {
    expect(() => htmlPage(sampleReport(), [{ ...FAKE[0]!, code: `var s = "</script>";` }])).toThrow(/script tag/);
  });

  it("gives distinct strings distinct anchors, and quotes replay paths for the shell", () => {
    expect(anchorId("w", "a b")).not.toBe(anchorId("w", "a_b"));
    expect(anchorId("w", "a_20_b")).not.toBe(anchorId("w", "a b"));
    expect(anchorId("w", HOSTILE_USER)).toMatch(/^w-[A-Za-z0-9_-]+$/);
    expect(replayCommand("reports/out/w/T2-tree.json")).toBe("npm run scenarios -- reports/out/w/T2-tree.json");
    expect(replayCommand("a b's.json")).toBe(`npm run scenarios -- 'a b'\\''s.json'`);
  });
});
