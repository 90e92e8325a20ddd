/**
 * `npm run scenarios [-- FILES…] [--seed S] [--format text|json]`: runs every scenario under every
 * defence model, prints scenario × model with expected against observed, writes
 * `reports/out/scenarios.json`, and exits 1 if any expectation fails (2 on a bad scenario file).
 */
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { parseJson } from "../sim/core/canonical-json.ts";
import { textTable } from "../cli/text-table.ts";
import { MODEL_IDS } from "../sim/models/index.ts";
import { actionList } from "./actions/index.ts";
import { type Scenario, ScenarioError, validateScenario } from "./format.ts";
import { REPO, outDir } from "./out-dir.ts";
import { type ScenarioRun, runScenario } from "./runner.ts";

const USAGE = `usage: npm run scenarios [-- FILES…] [--seed S] [--model M…] [--format text|json]

Runs scenario files (default: every *.json under scenarios/, except scenarios/rooms/) under every
defence model (${MODEL_IDS.join(", ")}), prints expected against observed, and writes
reports/out/scenarios.json. Exit 0: every expectation held; 1: some did not; 2: bad input.
  --seed S            run every scenario with seed S instead of its own
  --model M           only this model (may be repeated): a search's witness expects only the
                      model it was found under
  --format text|json  text (default): a table; json: the results on stdout

The actions a scenario's steps take:
${actionList()}
`;

/** Every scenario file under `dir`, sorted, leaving out room files. */
export function scenarioFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== "rooms") out.push(...scenarioFiles(path));
    } else if (name.endsWith(".json")) out.push(path);
  }
  return out;
}

export function loadScenario(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ScenarioError(`${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const parsed = parseJson(text);
  if (!parsed.ok) throw new ScenarioError(`${file}: ${parsed.error}`);
  return validateScenario(file, parsed.value);
}

/** The machine-readable result: deterministic (no times, no paths outside the repo). */
export function resultsJson(runs: { file: string; run: ScenarioRun }[], seed: number | undefined): string {
  return `${JSON.stringify(
    {
      seed_override: seed ?? null,
      models: MODEL_IDS,
      runs: runs.map(({ file, run }) => ({
        file,
        scenario: run.scenario,
        threat: run.threat,
        model: run.model,
        seed: run.seed,
        expected: run.expected,
        observed: {
          outcome: run.outcome,
          messages: run.judgement.messages,
          breaches: run.judgement.breaches.length,
          attacker_decrypted: run.judgement.attacker_decrypted,
          false_rejections: run.judgement.false_rejections.length,
          alarms: run.judgement.alarms,
          detections: run.judgement.detections,
          false_alarms: run.judgement.false_alarms.length,
          locked_out: run.judgement.locked_out,
          shut_out: run.judgement.shut_out,
        },
        ...(run.property_violations.length ? { property_violations: run.property_violations } : {}),
        pass: run.pass,
        ...(run.failure ? { failure: run.failure } : {}),
        witness: {
          first_breach: run.judgement.breaches[0] ?? null,
          false_rejections: run.judgement.false_rejections.slice(0, 5),
          bounding_set: run.judgement.bounding_set,
        },
        history: run.history,
      })),
    },
    null,
    1,
  )}\n`;
}

function table(runs: { file: string; run: ScenarioRun }[]): string {
  const header = [
    "scenario",
    "model",
    "expected",
    "observed",
    "breaches",
    "read by attacker",
    "false rej.",
    "false al.",
    "result",
  ];
  const rows = runs.map(({ run }) => [
    run.scenario,
    run.model,
    run.expected
      ? `${run.expected.outcome}${run.expected.false_rejections ? ` (fr ${run.expected.false_rejections})` : ""}${run.expected.false_alarms ? ` (fa ${run.expected.false_alarms})` : ""}`
      : "-",
    run.outcome,
    String(run.judgement.breaches.length),
    `${run.judgement.attacker_decrypted}/${run.judgement.messages}`,
    String(run.judgement.false_rejections.length),
    String(run.judgement.false_alarms.length),
    run.pass ? "pass" : `FAIL: ${run.failure}`,
  ]);
  const passed = runs.filter((r) => r.run.pass).length;
  return [
    ...textTable([header, ...rows], { rule: true }),
    "",
    `${passed} passed, ${runs.length - passed} failed`,
    "",
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  let values: { seed?: string; model?: string[]; format?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: {
        seed: { type: "string" },
        model: { type: "string", multiple: true },
        format: { type: "string", default: "text" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: true,
    }));
  } catch (e) {
    process.stderr.write(`scenarios: ${(e as Error).message.split("\n")[0]}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (values.format !== "text" && values.format !== "json") {
    process.stderr.write(`scenarios: --format must be text or json, not ${JSON.stringify(values.format)}\n`);
    return 2;
  }
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isSafeInteger(seed)) {
    process.stderr.write(`scenarios: --seed must be an integer, not ${JSON.stringify(values.seed)}\n`);
    return 2;
  }
  const unknown = (values.model ?? []).filter((m) => !(MODEL_IDS as readonly string[]).includes(m));
  if (unknown.length > 0) {
    process.stderr.write(`scenarios: unknown model ${unknown.join(", ")} (known: ${MODEL_IDS.join(", ")})\n`);
    return 2;
  }
  const models = values.model ? MODEL_IDS.filter((m) => values.model!.includes(m)) : MODEL_IDS;
  const files = positionals.length > 0 ? positionals : scenarioFiles(join(REPO, "scenarios"));
  let scenarios: { file: string; scenario: Scenario }[];
  try {
    scenarios = files.map((f) => ({ file: relative(REPO, resolve(process.cwd(), f)), scenario: loadScenario(f) }));
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    process.stderr.write(`scenarios: ${e.message}\n`);
    return 2;
  }
  if (scenarios.length === 0) {
    process.stderr.write("scenarios: no scenario files found\n");
    return 2;
  }
  const runs: { file: string; run: ScenarioRun }[] = [];
  for (const { file, scenario } of scenarios)
    for (const model of models)
      runs.push({ file, run: await runScenario(scenario, model, seed === undefined ? {} : { seed }) });
  const json = resultsJson(runs, seed);
  const out = join(outDir(), "scenarios.json");
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, json);
  process.stdout.write(values.format === "json" ? json : `${table(runs)}results: ${relative(process.cwd(), out)}\n`);
  return runs.every((r) => r.run.pass) ? 0 : 1;
}

// Run directly (the tests do); `npm run scenarios` runs it through reports/after-scenarios.ts.
if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
