/**
 * `npm run report [-- --format md|json]`: writes reports/out/threat-model.md, threat-model.csv and
 * threat-model.html from a results file: reports/out/attacks.json (the sweep, `npm run attacks`). It runs nothing:
 * the witnesses' event graphs are drawn from the histories the results file carries. Reports
 * import only types from the rest of the project (DESIGN.md §3), and read results.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { stringify } from "csv-stringify/sync";
import type { ModelId } from "../sim/models/index.ts";
import { readBundles } from "./html/assets.ts";
import { legendMarkdown, witnessMermaid } from "./html/mermaid-graph.ts";
import { htmlPage } from "./html/page.ts";
import { type BenchJson, htmlReportOf } from "./html-report.ts";
import { type AttacksJson, type ReportInput, markOf, threatModelMarkdown, threatModelRows } from "./threat-model.ts";
import { eventsByRoom, witnessRun } from "./witness.ts";

/** The repository root: reports/.. */
export const REPO = join(dirname(fileURLToPath(import.meta.url)), "..");
/** Where results are read and reports written: `$MSC3917_OUT`, or reports/out/. */
export const resultsDir = (): string =>
  process.env.MSC3917_OUT ? resolve(process.env.MSC3917_OUT) : join(REPO, "reports", "out");

const USAGE = `usage: npm run report [-- --format md|json]

Writes reports/out/threat-model.md (the proposal's table and the full catalogue, measured, with
claims against measurements and a replayable witness and event graph for every 🚧 or ❌ cell),
reports/out/threat-model.csv and reports/out/threat-model.html (one self-contained page: the same
tables, each witness's timeline and graph, the search's progress and, from reports/out/bench.json,
which npm run bench writes, the verification cost), from reports/out/attacks.json, which
npm run attacks writes.
  --format F     md (default: say where the files are) or json (the report's data on stdout)
`;

/** A witness graph for every cell that is not ✅, from the history its results file carries (one graph a room). */
export function reportInput(attacks: AttacksJson): ReportInput {
  const witnesses: ReportInput["witnesses"] = {};
  for (const t of attacks.threats) {
    for (const m of attacks.models) {
      const r = t.results[m];
      if (!r || markOf(r) === "✅" || markOf(r) === "n/a" || !r.example) continue;
      const graphs = r.witness_history
        ? eventsByRoom(witnessRun(r.witness_history)).map((g) => ({ room: g.room, mermaid: witnessMermaid(g.events) }))
        : [];
      (witnesses[t.id] ??= {})[m] = { file: r.example, graphs };
    }
  }
  return { attacks, version: packageVersion(), witnesses, graphLegend: legendMarkdown() };
}

export const packageVersion = (): string =>
  (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }).version;

/**
 * The bench's measurements (`npm run bench` writes bench.json beside the results), or why there
 * are none: the page says so, and how to make them.
 */
export function readBench(dir: string = resultsDir()): { bench: BenchJson | null; why: string | null } {
  const file = join(dir, "bench.json");
  if (!existsSync(file))
    return { bench: null, why: `no ${relative(REPO, file)}: run npm run bench, then npm run report` };
  try {
    const bench = JSON.parse(readFileSync(file, "utf8")) as BenchJson;
    if (!Array.isArray(bench?.points)) throw new Error("no points");
    return { bench, why: null };
  } catch (e) {
    return {
      bench: null,
      why: `cannot read ${relative(REPO, file)} (${(e as Error).message}): run npm run bench again`,
    };
  }
}

/** Write the Markdown, CSV and HTML reports; return their paths. */
export function writeReport(attacks: AttacksJson): {
  md: string;
  csv: string;
  html: string;
  benchMissing: string | null;
} {
  const out = resultsDir();
  mkdirSync(out, { recursive: true });
  const md = join(out, "threat-model.md");
  const csv = join(out, "threat-model.csv");
  const html = join(out, "threat-model.html");
  writeFileSync(md, threatModelMarkdown(reportInput(attacks)));
  writeFileSync(csv, stringify(threatModelRows(attacks)));
  const bench = readBench(out);
  writeFileSync(html, htmlPage(htmlReportOf(attacks, { version: packageVersion(), ...bench }), readBundles()));
  return { md, csv, html, benchMissing: bench.why };
}

/**
 * The sweep's results file, if there is one, with what the report says of it: its path, seed,
 * budget and date, and whether a scenario it measured changed after it was written (stale).
 */
export function readSweep(
  file = join(resultsDir(), "attacks.json"),
): { attacks: AttacksJson; describe: string; stale: string[] } | null {
  if (!existsSync(file)) return null;
  const attacks = JSON.parse(readFileSync(file, "utf8")) as AttacksJson;
  const written = statSync(file).mtime;
  const shown = relative(process.cwd(), file) || file;
  const stale = attacks.threats
    .map((t) => t.scenario)
    .filter((s) => existsSync(join(REPO, s)) && statSync(join(REPO, s)).mtime > written);
  attacks.file = relative(REPO, file).startsWith("..") ? file : relative(REPO, file);
  // Policy: the report does not quote the results file's date (its mtime): the same results give
  // the same report bytes wherever and whenever it is drawn. Only this message shows the date.
  return {
    attacks,
    describe: `${shown} (seed ${attacks.seed}, ${attacks.runs} variants per threat, written ${written.toISOString().replace(/\.\d+Z$/, "Z")})`,
    stale,
  };
}

export function main(argv: string[]): number {
  let values: { format?: string; from?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        format: { type: "string", default: "md" },
        from: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (e) {
    return fail(`${(e as Error).message.split("\n")[0]}`);
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.format !== "md" && values.format !== "json") return fail("--format must be md or json");
  const file = values.from ? resolve(values.from) : join(resultsDir(), "attacks.json");
  let sweep: ReturnType<typeof readSweep>;
  try {
    sweep = readSweep(file);
  } catch (e) {
    return fail(`cannot read ${file}: ${(e as Error).message}`);
  }
  if (!sweep) return fail(`no ${relative(process.cwd(), file) || file}: run npm run attacks (or npm run report) first`);
  const { attacks } = sweep;
  const files = writeReport(attacks);
  for (const s of sweep.stale)
    process.stderr.write(`report: warning: ${s} changed after the sweep was written; run npm run attacks again\n`);
  if (files.benchMissing) process.stderr.write(`report: the page has no cost plot: ${files.benchMissing}\n`);
  if (values.format === "json")
    process.stdout.write(
      `${JSON.stringify({ attacks, marks: Object.fromEntries(attacks.threats.map((t) => [t.id, Object.fromEntries(attacks.models.map((m) => [m, t.results[m] ? markOf(t.results[m]) : null]))])) }, null, 1)}\n`,
    );
  else
    process.stdout.write(
      `wrote ${relative(process.cwd(), files.md)}, ${relative(process.cwd(), files.csv)} and ${relative(process.cwd(), files.html)} from ${sweep.describe}\n`,
    );
  return 0;
}

function fail(message: string): number {
  process.stderr.write(`report: ${message}\n`);
  return 2;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
