/**
 * `npm run report [-- --runs N --seed S --format md|json]`: writes reports/out/threat-model.md and
 * threat-model.csv from reports/out/attacks.json. Without that file, or with --runs or --seed, it
 * runs the sweep first (default 50 variants, seed 3917). Every footnoted cell gets its witness
 * replayed to draw the event graph.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { stringify } from "csv-stringify/sync";
import { CATALOGUE } from "../attacks/catalogue.ts";
import { writeAttacksJson } from "../attacks/cli.ts";
import { ROOT } from "../attacks/replay.ts";
import { outDir } from "../scenarios/out-dir.ts";
import { sweepThreat } from "../attacks/sweep.ts";
import { loadScenario } from "../scenarios/cli.ts";
import { runScenario } from "../scenarios/runner.ts";
import type { ModelId } from "../sim/models/index.ts";
import { witnessGraph } from "./mermaid.ts";
import { type AttacksJson, type ReportInput, markOf, threatModelMarkdown, threatModelRows } from "./threat-model.ts";

const USAGE = `usage: npm run report [-- --runs N --seed S --format md|json]

Writes reports/out/threat-model.md (the proposal's table and the full catalogue, measured, with
claims against measurements and a replayable witness and event graph for every 🚧 or ❌ cell) and
reports/out/threat-model.csv, from reports/out/attacks.json. Without that file, or with --runs or
--seed, it runs the sweep first.
  --runs N       variants per threat when it runs the sweep (default 50)
  --seed S       seed of the sweep (default 3917)
  --format F     md (default: say where the files are) or json (the report's data on stdout)
`;

/** The report's input: the sweep's results, and a witness graph for every cell that is not ✅. */
export function reportInput(attacks: AttacksJson): ReportInput {
  const witnesses: ReportInput["witnesses"] = {};
  for (const t of attacks.threats) {
    for (const m of attacks.models) {
      const r = t.results[m];
      if (markOf(r) === "✅" || !r.example) continue;
      const run = runScenario(loadScenario(join(ROOT, r.example)), m as ModelId);
      (witnesses[t.id] ??= {})[m as ModelId] = { file: r.example, mermaid: witnessGraph(run.history) };
    }
  }
  const version = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
  return { attacks, version, witnesses };
}

/** Write the Markdown and CSV reports; return their paths. */
export function writeReport(attacks: AttacksJson): { md: string; csv: string } {
  const OUT = outDir();
  mkdirSync(OUT, { recursive: true });
  const md = join(OUT, "threat-model.md");
  const csv = join(OUT, "threat-model.csv");
  writeFileSync(md, threatModelMarkdown(reportInput(attacks)));
  writeFileSync(csv, stringify(threatModelRows(attacks)));
  return { md, csv };
}

export function main(argv: string[]): number {
  let values: { runs?: string; seed?: string; format?: string; help?: boolean };
  try {
    ({ values } = parseArgs({ args: argv, options: { runs: { type: "string" }, seed: { type: "string" }, format: { type: "string", default: "md" }, help: { type: "boolean", short: "h" } } }));
  } catch (e) {
    process.stderr.write(`report: ${(e as Error).message.split("\n")[0]}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.format !== "md" && values.format !== "json") return fail("--format must be md or json");
  const runs = Number(values.runs ?? 50);
  const seed = Number(values.seed ?? 3917);
  if (!Number.isSafeInteger(runs) || runs < 1) return fail(`--runs must be a positive integer, not ${JSON.stringify(values.runs)}`);
  if (!Number.isSafeInteger(seed)) return fail(`--seed must be an integer, not ${JSON.stringify(values.seed)}`);
  const source = join(outDir(), "attacks.json");
  if (values.runs !== undefined || values.seed !== undefined || !existsSync(source)) {
    process.stderr.write(`report: running the sweep (${runs} variants per threat, seed ${seed})…\n`);
    writeAttacksJson(CATALOGUE.map((t) => sweepThreat(t, runs, seed)), runs, seed);
  }
  let attacks: AttacksJson;
  try {
    attacks = JSON.parse(readFileSync(source, "utf8")) as AttacksJson;
  } catch (e) {
    return fail(`cannot read ${relative(process.cwd(), source)}: ${(e as Error).message}`);
  }
  const files = writeReport(attacks);
  if (values.format === "json") process.stdout.write(`${JSON.stringify({ attacks, marks: Object.fromEntries(attacks.threats.map((t) => [t.id, Object.fromEntries(attacks.models.map((m) => [m, markOf(t.results[m])]))])) }, null, 1)}\n`);
  else process.stdout.write(`wrote ${relative(process.cwd(), files.md)} and ${relative(process.cwd(), files.csv)}\n`);
  return 0;
}

function fail(message: string): number {
  process.stderr.write(`report: ${message}\n`);
  return 2;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
