/**
 * `npm run attacks [-- --runs N --seed S --threat Tn --model M --shard i/n --workers W …]`: the
 * search over the threat catalogue (issue 14). For each threat and model, a cell: the scripted basic
 * form, then fast-check's draws over the threat's search space, with the first undetected breach
 * shrunk to a witness. Writes `reports/out/attacks.json` (or `--out FILE`) and, for each cell whose
 * worst run was not a plain `prevented`, its witness as a scenario file under
 * `reports/out/witnesses/`, which `npm run scenarios -- FILE --model M` replays.
 * `npm run attacks -- merge FILES… [--out FILE]` merges shards' results files into one.
 * Exit 0 when the search ran and soundness and completeness held; 1 if a property failed, the basic
 * form of a threat did not breach baseline, or an honest stress run (the availability table) was
 * breached; 2 on bad usage.
 */
import { cpus } from "node:os";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { LIBRARY_MODEL_IDS, MODEL_IDS, type ModelId } from "../sim/models/index.ts";
import { textTable } from "../cli/text-table.ts";
import { CATALOGUE } from "./catalogue.ts";
import { countRefusals, refusalLine } from "./refusals.ts";
import { outDir } from "../scenarios/out-dir.ts";
import { REPO, scenarioText } from "./replay.ts";
import type { AttacksJson, TallyJson } from "../reports/threat-model.ts";
import { searchCells } from "./search/pool.ts";
import { DIMENSION_SAYS, DIMENSIONS } from "./search/space.ts";
import { LIBRARY_MODEL_RUNS, SHRINK_RUNS, type SearchPlan, type ThreatResult, byThreat, cellsOf } from "./sweep.ts";
import { type AvailabilityResult, runAvailability } from "./availability.ts";

/** The default budget: what `npm run report` runs (README: the full budget, and how to shard it). */
export const DEFAULT_RUNS = 40;

const USAGE = `usage: npm run attacks [-- --runs N --library-runs K --seed S --threat Tn --model M
                         --shard i/n --workers W --out FILE --format text|json]
       npm run attacks -- merge FILES... [--out FILE] [--partial]

The search. For each threat (${CATALOGUE.map((t) => t.id).join(", ")}) and each model
(${MODEL_IDS.join(", ")}), a cell: the threat's scripted basic form, then fast-check's draws over
the threat's search space (its attack parameters, and honest noise), looking for an undetected
breach; every run is counted (prevented, detected, breach, undetected, false rejections, false
alarms, refused attacks), and the first undetected breach (else the first breach) is shrunk and
saved as a witness that replays with npm run scenarios -- FILE --model M. Writes
reports/out/attacks.json (or --out) and the witnesses in reports/out/witnesses/.
  --runs N       runs per cell, the basic form included (default ${DEFAULT_RUNS})
  --library-runs K
                 runs per cell for the models on a real library (${LIBRARY_MODEL_IDS.join(", ")}),
                 at most N (default ${LIBRARY_MODEL_RUNS})
  --shrink N     runs allowed for shrinking a witness, per cell (default ${SHRINK_RUNS})
  --seed S       the search's seed (default 3917); each cell's own comes from it, the threat and
                 the model, so results do not depend on which cells run, how or where
  --threat Tn    only this threat (may be repeated)
  --model M      only this model (may be repeated)
  --shard i/n    only the i-th of n equal shares of the cells (1 <= i <= n); merge the n results
                 files with the merge command
  --workers W    worker threads (default: the number of CPUs, ${cpus().length} here); results are the same for any W
  --out FILE     the results file (default reports/out/attacks.json)
  --generated N  also run N generated scenarios and print how many of their steps were refused (default 20)
  --honest N     honest stress runs for the availability table: scenarios/availability/, then N
                 generated honest runs with federation delay 0-3 (default 20; run in shard 1 only;
                 none: no availability table)
  --format F     text (default) or json (the results on stdout)

The search spaces' dimensions:
${DIMENSIONS.map((d) => `  ${d.padEnd(13)}${DIMENSION_SAYS[d]}`).join("\n")}
`;

function progress(done: number, total: number, label: string): void {
  if (!process.stderr.isTTY) return;
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stderr.write(
    `\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${String(Math.round((done / total) * 100)).padStart(3)}% ${label.padEnd(30)}`,
  );
  if (done === total) process.stderr.write("\n");
}

const wholeNumber = (v: string | undefined, min: number) => {
  const n = Number(v);
  return Number.isSafeInteger(n) && n >= min ? n : null;
};

/** The search's CLI; what it prints goes to `out` (stdout; `npm run report` sends it to stderr). */
export async function main(argv: string[], out: { write(s: string): unknown } = process.stdout): Promise<number> {
  if (argv[0] === "merge") return merge(argv.slice(1), out);
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        runs: { type: "string", default: String(DEFAULT_RUNS) },
        "library-runs": { type: "string", default: String(LIBRARY_MODEL_RUNS) },
        shrink: { type: "string", default: String(SHRINK_RUNS) },
        seed: { type: "string", default: "3917" },
        threat: { type: "string", multiple: true },
        model: { type: "string", multiple: true },
        shard: { type: "string" },
        workers: { type: "string", default: String(cpus().length) },
        out: { type: "string" },
        format: { type: "string", default: "text" },
        generated: { type: "string", default: "20" },
        honest: { type: "string", default: "20" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (e) {
    return usage((e as Error).message.split("\n")[0]!);
  }
  if (values.help) {
    out.write(USAGE);
    return 0;
  }
  const str = (k: string) => values[k] as string;
  const runs = wholeNumber(str("runs"), 1);
  if (runs === null) return usage(`--runs must be a positive integer, not ${JSON.stringify(str("runs"))}`);
  const libraryRuns = wholeNumber(str("library-runs"), 1);
  if (libraryRuns === null)
    return usage(`--library-runs must be a positive integer, not ${JSON.stringify(str("library-runs"))}`);
  const shrink = wholeNumber(str("shrink"), 0);
  if (shrink === null) return usage(`--shrink must be a whole number, not ${JSON.stringify(str("shrink"))}`);
  const seed = Number(str("seed"));
  if (!Number.isSafeInteger(seed)) return usage(`--seed must be an integer, not ${JSON.stringify(str("seed"))}`);
  const workers = wholeNumber(str("workers"), 1);
  if (workers === null) return usage(`--workers must be a positive integer, not ${JSON.stringify(str("workers"))}`);
  if (values.format !== "text" && values.format !== "json") return usage("--format must be text or json");
  const generated = wholeNumber(str("generated"), 0);
  if (generated === null) return usage(`--generated must be a whole number, not ${JSON.stringify(str("generated"))}`);
  const honest = str("honest") === "none" ? null : wholeNumber(str("honest"), 0);
  if (honest === null && str("honest") !== "none")
    return usage(`--honest must be a whole number or none, not ${JSON.stringify(str("honest"))}`);
  const wantThreats = (values.threat as string[] | undefined) ?? [];
  const unknown = wantThreats.filter((t) => !CATALOGUE.some((c) => c.id === t));
  if (unknown.length)
    return usage(`unknown threat ${unknown.join(", ")} (known: ${CATALOGUE.map((t) => t.id).join(", ")})`);
  const wantModels = (values.model as string[] | undefined) ?? [];
  const unknownModels = wantModels.filter((m) => !(MODEL_IDS as readonly string[]).includes(m));
  if (unknownModels.length) return usage(`unknown model ${unknownModels.join(", ")} (known: ${MODEL_IDS.join(", ")})`);
  let shard: { i: number; n: number } | null = null;
  if (values.shard !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(str("shard"));
    const i = m ? Number(m[1]) : 0;
    const n = m ? Number(m[2]) : 0;
    if (!m || n < 1 || i < 1 || i > n)
      return usage(`--shard must be i/n with 1 <= i <= n, not ${JSON.stringify(str("shard"))}`);
    shard = { i, n };
  }
  const plan: SearchPlan = {
    threats: wantThreats.length ? CATALOGUE.filter((t) => wantThreats.includes(t.id)) : CATALOGUE,
    models: wantModels.length ? MODEL_IDS.filter((m) => wantModels.includes(m)) : MODEL_IDS,
    runs,
    libraryRuns,
    seed,
    shrink,
  };
  // Policy: a shard is every n-th cell, in the plan's order, so the shares are even and fixed by i/n alone.
  const cells = cellsOf(plan).filter((_, k) => !shard || k % shard.n === shard.i - 1);
  const started = process.hrtime.bigint();
  const cellResults = await searchCells(cells, workers, (done, c) =>
    progress(done, cells.length, `${c.threat} ${c.model}`),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const results = byThreat(plan.threats, cellResults);
  const availability = honest !== null && (!shard || shard.i === 1) ? await runAvailability(honest, seed) : undefined;
  const file = values.out ? resolve(str("out")) : join(outDir(), "attacks.json");
  const search = {
    runs,
    library_runs: libraryRuns,
    shrink,
    seed,
    threats: plan.threats.map((t) => t.id),
    models: [...plan.models],
    ...(shard ? { shard: `${shard.i}/${shard.n}` } : {}),
    cells: cells.length,
  };
  const text = writeAttacksJson(results, search, file, availability);

  const failures = failuresOf(results, availability);
  const refusals = generated > 0 ? await countRefusals(generated, seed) : null;
  const spent = cellResults.reduce((n, c) => n + c.tally.trials + c.tally.shrink_runs, 0);
  if (values.format === "json") out.write(text);
  else
    out.write(
      table(results, plan, shard) +
        `results: ${relative(process.cwd(), file) || file}\n` +
        // Wall time is the machine's, not the search's: it goes to stderr, so stdout stays a function of the seed.
        (availability ? availabilityTable(availability) : "") +
        (refusals ? `${refusalLine(refusals)}\n` : "") +
        failures.map((f) => `FAIL ${f}\n`).join(""),
    );
  process.stderr.write(
    `search: ${spent} scenario runs in ${seconds.toFixed(1)} s with ${Math.min(workers, cells.length)} worker(s): ${(spent / seconds).toFixed(0)} runs/s\n`,
  );
  return failures.length === 0 ? 0 : 1;
}

/**
 * Why a search fails (the CLI exits 1), one line each: a property violation, a run that threw
 * (counted, never judged), a basic form that does not breach baseline (the positive control), or
 * a breach in an honest stress run.
 */
export function failuresOf(results: readonly ThreatResult[], availability?: AvailabilityResult): string[] {
  const failures: string[] = [];
  for (const r of results) {
    for (const v of r.violations) failures.push(`${r.threat.id} ${v.model} trial ${v.variant}: ${v.violation}`);
    for (const [m, t] of Object.entries(r.results))
      if (t.run_errors > 0)
        failures.push(
          `${r.threat.id} ${m}: ${t.run_errors} run(s) threw, first at trial ${t.first_error!.trial}: ${t.first_error!.error.split("\n")[0]}`,
        );
    if (r.results.baseline && r.results.baseline.basic !== "breach")
      failures.push(`${r.threat.id}: the basic form does not breach baseline (the positive control)`);
  }
  for (const m of MODEL_IDS)
    if (availability && availability.results[m].breaches > 0)
      failures.push(
        `availability: ${availability.results[m].breaches} breaches under ${m} in honest runs, with nobody attacking`,
      );
  return failures;
}

/** What a results file says of the search that made it. */
export interface SearchInfo {
  runs: number;
  library_runs: number;
  shrink: number;
  seed: number;
  threats: string[];
  models: string[];
  shard?: string;
  cells: number;
}

/** The search's results as JSON; `exampleFor` names the witness file of each cell, or null. */
export function toAttacksJson(
  results: ThreatResult[],
  search: SearchInfo,
  exampleFor: (r: ThreatResult, model: ModelId) => string | null,
  availability?: AvailabilityResult,
): AttacksJson & { search: SearchInfo } {
  return {
    seed: search.seed,
    runs: search.runs,
    search,
    ...(availability ? { availability } : {}),
    models: search.models,
    threats: results.map((r) => ({
      id: r.threat.id,
      title: r.threat.title,
      proposal_row: r.threat.proposalRow,
      expected: r.threat.expected,
      scenario: r.threat.scenario,
      space: [...r.threat.space],
      results: Object.fromEntries(
        (Object.keys(r.results) as ModelId[]).map((m) => {
          const { example, ...counts } = r.results[m]!;
          const file = exampleFor(r, m);
          // The witness's history travels with the results, so the report draws it without re-running anything.
          return [
            m,
            {
              ...counts,
              example: file,
              ...(file !== null && example ? { witness_shrunk: example.shrunk, witness_trial: example.variant } : {}),
              witness_history: file !== null && example ? example.history : null,
            },
          ];
        }),
      ) as Record<ModelId, TallyJson>,
      violations: r.violations,
    })),
  };
}

/**
 * Write the results file and, beside it in `witnesses/`, each cell's witness (when its worst run
 * was not a plain `prevented`) as a scenario file. Returns the JSON text.
 */
export function writeAttacksJson(
  results: ThreatResult[],
  search: SearchInfo,
  file: string,
  availability?: AvailabilityResult,
): string {
  const dir = join(dirname(file), "witnesses");
  mkdirSync(dir, { recursive: true });
  const json = toAttacksJson(
    results,
    search,
    (r, m) => {
      const t = r.results[m]!;
      if (!t.example || (t.example.outcome === "prevented" && !t.example.shut_out)) return null;
      const witness = join(dir, `${r.threat.id}-${m}.json`);
      writeFileSync(witness, scenarioText(t.example.scenario));
      return relative(REPO, witness).startsWith("..") ? witness : relative(REPO, witness);
    },
    availability,
  );
  const text = `${JSON.stringify(json, null, 1)}\n`;
  writeFileSync(file, text);
  return text;
}

/** `merge FILES… [--out FILE]`: one results file from shards' (same search, no cell twice). */
function merge(argv: string[], out: { write(s: string): unknown }): number {
  let parsed: { values: { out?: string; partial?: boolean; help?: boolean }; positionals: string[] };
  try {
    parsed = parseArgs({
      args: argv,
      options: { out: { type: "string" }, partial: { type: "boolean" }, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
    }) as typeof parsed;
  } catch (e) {
    return usage((e as Error).message.split("\n")[0]!);
  }
  if (parsed.values.help) {
    out.write(USAGE);
    return 0;
  }
  if (parsed.positionals.length === 0) return usage("merge: name the results files to merge");
  type File = AttacksJson & { search?: SearchInfo };
  const files: { name: string; json: File }[] = [];
  for (const name of parsed.positionals) {
    try {
      files.push({ name, json: JSON.parse(readFileSync(name, "utf8")) as File });
    } catch (e) {
      return usage(`merge: cannot read ${name}: ${(e as Error).message.split("\n")[0]}`);
    }
  }
  const key = (s: SearchInfo | undefined) =>
    s ? JSON.stringify([s.runs, s.library_runs, s.shrink, s.seed, s.threats, s.models, s.shard?.split("/")[1]]) : null;
  const first = files[0]!;
  for (const f of files) {
    if (!f.json.search) return usage(`merge: ${f.name} is not a search's results file (no "search" field)`);
    if (key(f.json.search) !== key(first.json.search))
      return usage(
        `merge: ${f.name} is from another search than ${first.name} (runs, seed, shrink, threats, models or shard count differ)`,
      );
  }
  const threats = new Map<string, File["threats"][number]>();
  for (const f of files)
    for (const t of f.json.threats) {
      const into = threats.get(t.id) ?? { ...t, results: {} };
      for (const [m, r] of Object.entries(t.results)) {
        if (into.results[m]) return usage(`merge: cell ${t.id} × ${m} is in more than one file (${f.name})`);
        into.results[m] = r;
      }
      threats.set(t.id, into);
    }
  const search = { ...first.json.search!, cells: files.reduce((n, f) => n + f.json.search!.cells, 0) };
  delete search.shard;
  const expected = search.threats.length * search.models.length;
  const have = [...threats.values()].reduce((n, t) => n + Object.keys(t.results).length, 0);
  const missing = expected - have;
  if (missing > 0 && !parsed.values.partial)
    return usage(
      `merge: ${have} of ${expected} cells: ${missing} missing (a shard was not given); --partial writes them anyway`,
    );
  const availability = files.find((f) => f.json.availability)?.json.availability;
  const order = search.threats;
  const merged = {
    seed: search.seed,
    runs: search.runs,
    search,
    ...(availability ? { availability } : {}),
    models: search.models,
    threats: [...threats.values()].sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id)),
  };
  const file = parsed.values.out ? resolve(parsed.values.out) : join(outDir(), "attacks.json");
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(merged, null, 1)}\n`);
  out.write(
    `merged ${files.length} files: ${have} of ${expected} cells${missing > 0 ? ` (${missing} missing: a shard was not given)` : ""} into ${relative(process.cwd(), file) || file}\n`,
  );
  return missing > 0 ? 1 : 0;
}

function usage(message: string): number {
  process.stderr.write(`attacks: ${message}\n`);
  return 2;
}

function availabilityTable(a: AvailabilityResult): string {
  const header = [
    "model",
    "honest runs",
    "false alarms",
    "false rej.",
    "runs with false alarms",
    "runs with false rej.",
    "breaches",
  ];
  const rows = MODEL_IDS.map((m) => {
    const t = a.results[m];
    return [
      m,
      String(t.runs),
      String(t.false_alarms),
      String(t.false_rejections),
      String(t.runs_with_false_alarms),
      String(t.runs_with_false_rejections),
      String(t.breaches),
    ];
  });
  return [
    `availability: ${a.scripted.length} scripted and ${a.generated} generated honest runs`,
    ...textTable([header, ...rows], { rule: true }),
    "",
  ].join("\n");
}

function table(results: ThreatResult[], plan: SearchPlan, shard: { i: number; n: number } | null): string {
  const header = [
    "threat",
    "model",
    "expected",
    "budget",
    "prevented",
    "detected",
    "breach",
    "undetected",
    "first found",
    "false rej.",
    "false al.",
    "refused",
    "read by attacker",
    "properties",
  ];
  const rows = results.flatMap((r) =>
    (Object.keys(r.results) as ModelId[]).map((m) => {
      const t = r.results[m]!;
      const first = t.first_undetected ?? t.first_breach;
      return [
        r.threat.id,
        m,
        r.threat.expected[m],
        String(t.budget),
        String(t.prevented),
        String(t.detected),
        String(t.breach),
        String(t.undetected),
        first === null ? "-" : `${first}${t.first_undetected === null ? " (det.)" : ""}`,
        String(t.false_rejections),
        String(t.false_alarms),
        String(t.refused_attacks),
        String(t.attacker_decrypted),
        t.property_violations ? `${t.property_violations} FAILED` : "held",
      ];
    }),
  );
  return [
    `search: ${plan.runs} runs per cell (${Math.min(plan.runs, plan.libraryRuns)} for ${LIBRARY_MODEL_IDS.join(", ")}), shrink ${plan.shrink}, seed ${plan.seed}${shard ? `, shard ${shard.i}/${shard.n}` : ""}`,
    ...textTable([header, ...rows], { rule: true }),
    "",
  ].join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
