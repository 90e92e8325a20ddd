/**
 * `npm run attacks [-- --runs N --seed S --threat Tn --format text|json]`: the sweep over the
 * threat catalogue. Writes `reports/out/attacks.json` and, for each threat and model, the variant
 * that shows the worst outcome as a scenario file under `reports/out/witnesses/`, which
 * `npm run scenarios -- FILE` replays. Exit 0 when the sweep ran and soundness and completeness
 * held; 1 if a property failed, the basic form of a threat did not breach baseline, or an honest
 * stress run (the availability table) was breached; 2 on bad usage.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { LIBRARY_MODEL_IDS, MODEL_IDS, type ModelId } from "../sim/models/index.ts";
import { textTable } from "../cli/text-table.ts";
import { CATALOGUE } from "./catalogue.ts";
import { countRefusals, refusalLine } from "./refusals.ts";
import { outDir } from "../scenarios/out-dir.ts";
import { REPO, scenarioText } from "./replay.ts";
import type { TallyJson } from "../reports/threat-model.ts";
import { LIBRARY_MODEL_NOISY_VARIANTS, type ThreatResult, sweepThreat } from "./sweep.ts";
import { type AvailabilityResult, runAvailability } from "./availability.ts";

const USAGE = `usage: npm run attacks [-- --runs N --library-runs K --seed S --threat Tn --honest N --format text|json]

For each threat in the catalogue (${CATALOGUE.map((t) => t.id).join(", ")}) and each model (${MODEL_IDS.join(", ")}), runs N
variants (the scripted basic form, then noisy ones) and counts prevented, detected and breach,
false rejections and property violations. Writes reports/out/attacks.json and a replayable
witness per threat and model in reports/out/witnesses/.
  --runs N       variants per threat (default 50)
  --library-runs K
                 for the models on a real library (${LIBRARY_MODEL_IDS.join(", ")}): the basic form
                 and K noisy variants per threat, at most N in all (default ${LIBRARY_MODEL_NOISY_VARIANTS})
  --seed S       seed of the variants (default 3917)
  --threat Tn    only this threat (may be repeated)
  --generated N  also run N generated scenarios and print how many of their steps were refused (default 20)
  --honest N     honest stress runs for the availability table: scenarios/availability/, then N
                 generated honest runs with federation delay 0-3 (default 20)
  --format F     text (default) or json (the results on stdout)
`;

function progress(done: number, total: number, label: string): void {
  if (!process.stderr.isTTY) return;
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stderr.write(
    `\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${String(Math.round((done / total) * 100)).padStart(3)}% ${label.padEnd(8)}`,
  );
  if (done === total) process.stderr.write("\n");
}

export async function main(argv: string[]): Promise<number> {
  let values: {
    runs?: string;
    "library-runs"?: string;
    seed?: string;
    threat?: string[];
    format?: string;
    generated?: string;
    honest?: string;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        runs: { type: "string", default: "50" },
        "library-runs": { type: "string", default: String(LIBRARY_MODEL_NOISY_VARIANTS) },
        seed: { type: "string", default: "3917" },
        threat: { type: "string", multiple: true },
        format: { type: "string", default: "text" },
        generated: { type: "string", default: "20" },
        honest: { type: "string", default: "20" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (e) {
    process.stderr.write(`attacks: ${(e as Error).message.split("\n")[0]}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const runs = Number(values.runs);
  const seed = Number(values.seed);
  const libraryNoisy = Number(values["library-runs"]);
  if (!Number.isSafeInteger(libraryNoisy) || libraryNoisy < 0) {
    return usage(`--library-runs must be a whole number, not ${JSON.stringify(values["library-runs"])}`);
  }
  if (!Number.isSafeInteger(runs) || runs < 1)
    return usage(`--runs must be a positive integer, not ${JSON.stringify(values.runs)}`);
  if (!Number.isSafeInteger(seed)) return usage(`--seed must be an integer, not ${JSON.stringify(values.seed)}`);
  if (values.format !== "text" && values.format !== "json") return usage(`--format must be text or json`);
  const generated = Number(values.generated);
  if (!Number.isSafeInteger(generated) || generated < 0)
    return usage(`--generated must be a whole number, not ${JSON.stringify(values.generated)}`);
  const honest = Number(values.honest);
  if (!Number.isSafeInteger(honest) || honest < 0)
    return usage(`--honest must be a whole number, not ${JSON.stringify(values.honest)}`);
  const unknown = (values.threat ?? []).filter((t) => !CATALOGUE.some((c) => c.id === t));
  if (unknown.length)
    return usage(`unknown threat ${unknown.join(", ")} (known: ${CATALOGUE.map((t) => t.id).join(", ")})`);
  const threats = values.threat ? CATALOGUE.filter((t) => values.threat!.includes(t.id)) : CATALOGUE;

  let done = 0;
  const results: ThreatResult[] = [];
  for (const t of threats)
    results.push(await sweepThreat(t, runs, seed, () => progress(++done, threats.length * runs, t.id), libraryNoisy));
  const availability = await runAvailability(honest, seed);
  const text = writeAttacksJson(results, runs, seed, availability);

  const failures: string[] = [];
  for (const r of results) {
    for (const v of r.violations) failures.push(`${r.threat.id} ${v.model} variant ${v.variant}: ${v.violation}`);
    if (r.results.baseline.basic !== "breach")
      failures.push(`${r.threat.id}: the basic form does not breach baseline (the positive control)`);
  }
  for (const m of MODEL_IDS)
    if (availability.results[m].breaches > 0)
      failures.push(
        `availability: ${availability.results[m].breaches} breaches under ${m} in honest runs, with nobody attacking`,
      );
  const refusals = generated > 0 ? await countRefusals(generated, seed) : null;
  if (values.format === "json") process.stdout.write(text);
  else
    process.stdout.write(
      table(results, runs, seed, libraryNoisy) +
        availabilityTable(availability) +
        (refusals ? `${refusalLine(refusals)}\n` : "") +
        failures.map((f) => `FAIL ${f}\n`).join(""),
    );
  return failures.length === 0 ? 0 : 1;
}

/** The sweep's results as JSON; `exampleFor` names the witness file of each threat and model, or null. */
export function toAttacksJson(
  results: ThreatResult[],
  runs: number,
  seed: number,
  exampleFor: (r: ThreatResult, model: ModelId) => string | null,
  availability?: AvailabilityResult,
) {
  return {
    seed,
    runs,
    ...(availability ? { availability } : {}),
    models: [...MODEL_IDS],
    threats: results.map((r) => ({
      id: r.threat.id,
      title: r.threat.title,
      proposal_row: r.threat.proposalRow,
      expected: r.threat.expected,
      scenario: r.threat.scenario,
      results: Object.fromEntries(
        MODEL_IDS.map((m) => {
          const { example, ...counts } = r.results[m];
          const file = exampleFor(r, m);
          // The witness's history travels with the results, so the report draws it without re-running anything.
          return [m, { ...counts, example: file, witness_history: file !== null && example ? example.history : null }];
        }),
      ) as Record<ModelId, TallyJson>,
      violations: r.violations,
    })),
  };
}

/**
 * Write `attacks.json` to the output directory, and for each threat and model the variant with the
 * worst outcome (if it is not `prevented`) as a scenario file in `witnesses/`. Returns the JSON text.
 */
export function writeAttacksJson(
  results: ThreatResult[],
  runs: number,
  seed: number,
  availability?: AvailabilityResult,
): string {
  const OUT = outDir();
  mkdirSync(join(OUT, "witnesses"), { recursive: true });
  const json = toAttacksJson(
    results,
    runs,
    seed,
    (r, m) => {
      const t = r.results[m];
      if (!t.example || (t.example.outcome === "prevented" && !t.example.shut_out)) return null;
      const file = join(OUT, "witnesses", `${r.threat.id}-${m}.json`);
      writeFileSync(file, scenarioText(t.example.scenario));
      return relative(REPO, file);
    },
    availability,
  );
  const text = `${JSON.stringify(json, null, 1)}\n`;
  writeFileSync(join(OUT, "attacks.json"), text);
  return text;
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

function table(results: ThreatResult[], runs: number, seed: number, libraryNoisy: number): string {
  const header = [
    "threat",
    "model",
    "expected",
    "prevented",
    "detected",
    "breach",
    "false rej.",
    "false al.",
    "read by attacker",
    "properties",
  ];
  const rows = results.flatMap((r) =>
    MODEL_IDS.map((m) => {
      const t = r.results[m];
      return [
        r.threat.id,
        m,
        r.threat.expected[m],
        String(t.prevented),
        String(t.detected),
        String(t.breach),
        String(t.false_rejections),
        String(t.false_alarms),
        String(t.attacker_decrypted),
        t.property_violations ? `${t.property_violations} FAILED` : "held",
      ];
    }),
  );
  const library = `${Math.min(runs, 1 + libraryNoisy)} for ${LIBRARY_MODEL_IDS.join(", ")}`;
  return [
    `${runs} variants per threat (${library}), seed ${seed}`,
    ...textTable([header, ...rows], { rule: true }),
    `results: ${relative(process.cwd(), join(outDir(), "attacks.json"))}`,
    "",
  ].join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
