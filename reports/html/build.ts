/**
 * Writes the HTML report from an `HtmlReport` JSON file, or from the sample input:
 *   tsx reports/html/build.ts INPUT.json OUT.html
 *   tsx reports/html/build.ts --sample OUT.html
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { readBundles } from "./assets.ts";
import { htmlPage } from "./page.ts";
import { sampleReport } from "./sample.ts";
import type { HtmlReport } from "./types.ts";

const [input, out] = process.argv.slice(2);
if (!input || !out) {
  console.error("usage: tsx reports/html/build.ts (INPUT.json | --sample) OUT.html");
  process.exit(2);
}
const report: HtmlReport =
  input === "--sample" ? sampleReport() : (JSON.parse(readFileSync(input, "utf8")) as HtmlReport);
const html = htmlPage(report, readBundles());
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, html);
console.log(`wrote ${out} (${(Buffer.byteLength(html) / 1e6).toFixed(2)} MB)`);
