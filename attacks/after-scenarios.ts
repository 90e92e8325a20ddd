/**
 * `npm run scenarios`: the scenario runner (scenarios/cli.ts), then the threat-model report. The
 * report is drawn from reports/out/attacks.json when a sweep has been run, and says so, with that
 * file's seed, budget and date (and warns when a scenario it measured changed since); otherwise
 * from the scripted basic forms the scenarios just ran (one trial each), which it says in its
 * header. It lives here, above scenarios and reports, because it runs one and writes the other.
 * With `--format json`, stdout carries the JSON document only; the report line goes to stderr.
 */
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { readSweep, resultsDir, writeReport } from "../reports/cli.ts";
import type { AttacksJson, TallyJson } from "../reports/threat-model.ts";
import { main as runScenarios } from "../scenarios/cli.ts";
import { MODEL_IDS, MODELS, type ModelId } from "../sim/models/index.ts";
import type { DefenceModel } from "../sim/world/defence-model.ts";
import type { Operation } from "../sim/world/history.ts";
import type { Outcome } from "../sim/world/oracle.ts";
import { CATALOGUE } from "./catalogue.ts";

interface ScenarioResults {
  runs: {
    file: string;
    model: ModelId;
    observed: {
      outcome: Outcome;
      false_rejections: number;
      false_alarms?: number;
      detections?: number;
      shut_out?: boolean;
      attacker_decrypted: number;
    };
    history: Operation[];
  }[];
}

/** One-trial tallies from the scripted basic forms, for the threats whose scenario ran. */
export function attacksFromScenarios(results: ScenarioResults): AttacksJson | null {
  // A threat is reported when its scenario ran under every model (`--model` runs only some).
  const threats = CATALOGUE.filter((t) =>
    MODEL_IDS.every((m) => results.runs.some((r) => r.file === t.scenario && r.model === m)),
  );
  if (threats.length === 0) return null;
  return {
    source: "scripted",
    seed: 0,
    runs: 1,
    models: [...MODEL_IDS],
    threats: threats.map((t) => ({
      id: t.id,
      title: t.title,
      proposal_row: t.proposalRow,
      expected: t.expected,
      scenario: t.scenario,
      results: Object.fromEntries(
        MODEL_IDS.map((m) => {
          const r = results.runs.find((x) => x.file === t.scenario && x.model === m)!;
          const o = r.observed.outcome;
          const breach = +(o === "breach");
          const undetected = +(o === "breach" && !((r.observed.detections ?? 0) > 0));
          const witness = o === "prevented" && r.observed.shut_out !== true ? null : t.scenario;
          // A threat the model's applicability table rules out is "n/a" with its reason, never a plain pass.
          const reason = (MODELS[m] as DefenceModel).notApplicable?.[t.id];
          const tally: TallyJson = {
            ...(reason ? { not_applicable: reason } : {}),
            basic: o,
            budget: 1,
            trials: 1,
            prevented: +(o === "prevented"),
            detected: +(o === "detected"),
            breach,
            false_rejections: r.observed.false_rejections,
            false_alarms: r.observed.false_alarms ?? 0,
            breach_detected: +(o === "breach" && (r.observed.detections ?? 0) > 0),
            undetected,
            first_breach: breach ? 1 : null,
            first_undetected: undetected ? 1 : null,
            progress: [{ runs: 1, breaches: breach, undetected }],
            safe_by_exclusion: +(o !== "breach" && r.observed.shut_out === true),
            attacker_decrypted: r.observed.attacker_decrypted,
            property_violations: 0,
            example: witness,
            witness_history: witness ? r.history : null,
          };
          return [m, tally];
        }),
      ) as Record<ModelId, TallyJson>,
    })),
  };
}

const argv = process.argv.slice(2);
const status = await runScenarios(argv);
if (status !== 2 && !argv.some((a) => a === "--help" || a === "-h")) {
  const json = argv.some((a, i) => a === "--format=json" || (a === "--format" && argv[i + 1] === "json"));
  const say = (line: string) => (json ? process.stderr : process.stdout).write(`${line}\n`);
  const sweep = readSweep();
  const attacks =
    sweep?.attacks ??
    attacksFromScenarios(JSON.parse(readFileSync(join(resultsDir(), "scenarios.json"), "utf8")) as ScenarioResults);
  if (attacks) {
    const files = writeReport(attacks);
    say(
      `report: ${relative(process.cwd(), files.md)} ${sweep ? `from the sweep in ${sweep.describe}` : "from the scripted basic forms (run npm run attacks for variants)"}`,
    );
    for (const s of sweep?.stale ?? [])
      say(`report: warning: ${s} changed after that sweep was written; run npm run attacks again`);
  }
}
process.exitCode = status;
