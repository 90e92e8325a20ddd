/**
 * `npm run report [-- --format md|json]`: writes reports/out/threat-model.md and threat-model.csv
 * from a results file: reports/out/attacks.json (the sweep, `npm run attacks`). It runs nothing:
 * the witnesses' event graphs are drawn from the histories the results file carries. Reports
 * import only types from the rest of the project (DESIGN.md §3), and read results.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { stringify } from "csv-stringify/sync";
import type { ModelId } from "../sim/models/index.ts";
import { witnessGraph } from "./mermaid.ts";
import { type AttacksJson, type ReportInput, markOf, threatModelMarkdown, threatModelRows } from "./threat-model.ts";

/** The repository root: reports/.. */
export const REPO = join(dirname(fileURLToPath(import.meta.url)), "..");
/** Where results are read and reports written: `$MSC3917_OUT`, or reports/out/. */
export const resultsDir = (): string =>
  process.env.MSC3917_OUT ? resolve(process.env.MSC3917_OUT) : join(REPO, "reports", "out");

const USAGE = `usage: npm run report [-- --format md|json]

Writes reports/out/threat-model.md (the proposal's table and the full catalogue, measured, with
claims against measurements and a replayable witness and event graph for every 🚧 or ❌ cell) and
reports/out/threat-model.csv, from reports/out/attacks.json, which npm run attacks writes.
  --format F     md (default: say where the files are) or json (the report's data on stdout)
`;

/** A witness graph for every cell that is not ✅, from the history its results file carries. */
export function reportInput(attacks: AttacksJson): ReportInput {
  const witnesses: ReportInput["witnesses"] = {};
  for (const t of attacks.threats) {
    for (const m of attacks.models) {
      const r = t.results[m];
      if (!r || markOf(r) === "✅" || markOf(r) === "n/a" || !r.example) continue;
      const mermaid = r.witness_history
        ? witnessGraph(r.witness_history)
        : 'flowchart TD\n  none["no witness history in the results file: run npm run attacks again"]';
      (witnesses[t.id] ??= {})[m] = { file: r.example, mermaid };
    }
  }
  const version = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }).version;
  return { attacks, version, witnesses };
}

/** Write the Markdown and CSV reports; return their paths. */
export function writeReport(attacks: AttacksJson): { md: string; csv: string } {
  const out = resultsDir();
  mkdirSync(out, { recursive: true });
  const md = join(out, "threat-model.md");
  const csv = join(out, "threat-model.csv");
  writeFileSync(md, threatModelMarkdown(reportInput(attacks)));
  writeFileSync(csv, stringify(threatModelRows(attacks)));
  return { md, csv };
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
  attacks.written = written.toISOString().replace(/\.\d+Z$/, "Z");
  return {
    attacks,
    describe: `${shown} (seed ${attacks.seed}, ${attacks.runs} variants per threat, written ${attacks.written})`,
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
  if (values.format === "json")
    process.stdout.write(
      `${JSON.stringify({ attacks, marks: Object.fromEntries(attacks.threats.map((t) => [t.id, Object.fromEntries(attacks.models.map((m) => [m, t.results[m] ? markOf(t.results[m]) : null]))])) }, null, 1)}\n`,
    );
  else
    process.stdout.write(
      `wrote ${relative(process.cwd(), files.md)} and ${relative(process.cwd(), files.csv)} from ${sweep.describe}\n`,
    );
  return 0;
}

function fail(message: string): number {
  process.stderr.write(`report: ${message}\n`);
  return 2;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
