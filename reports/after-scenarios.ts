/**
 * `npm run scenarios`: the scenario runner (scenarios/cli.ts), then the threat-model report. The
 * report is drawn from reports/out/attacks.json when a sweep has been run, and otherwise from the
 * scripted basic forms the scenarios just ran (one trial each), which it says in its header. This
 * lives in reports/ because reports read the results of both scenarios and attacks (DESIGN.md §3).
 */
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { CATALOGUE } from "../attacks/catalogue.ts";
import { MODEL_IDS, type ModelId } from "../sim/models/index.ts";
import type { Outcome } from "../sim/world/oracle.ts";
import { main as runScenarios } from "../scenarios/cli.ts";
import { outDir } from "../scenarios/out-dir.ts";
import { writeReport } from "./cli.ts";
import type { AttacksJson, TallyJson } from "./threat-model.ts";

interface ScenarioResults {
  runs: { file: string; model: ModelId; observed: { outcome: Outcome; false_rejections: number; attacker_decrypted: number } }[];
}

/** One-trial tallies from the scripted basic forms, for the threats whose scenario ran. */
export function attacksFromScenarios(results: ScenarioResults): AttacksJson | null {
  const threats = CATALOGUE.filter((t) => results.runs.some((r) => r.file === t.scenario));
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
          const tally: TallyJson = { basic: o, trials: 1, prevented: +(o === "prevented"), detected: +(o === "detected"), breach: +(o === "breach"), false_rejections: r.observed.false_rejections, attacker_decrypted: r.observed.attacker_decrypted, property_violations: 0, example: o === "prevented" ? null : t.scenario };
          return [m, tally];
        }),
      ) as Record<ModelId, TallyJson>,
    })),
  };
}

const status = runScenarios(process.argv.slice(2));
if (status !== 2 && !process.argv.slice(2).some((a) => a === "--help" || a === "-h")) {
  const sweep = join(outDir(), "attacks.json");
  const attacks = existsSync(sweep) ? (JSON.parse(readFileSync(sweep, "utf8")) as AttacksJson) : attacksFromScenarios(JSON.parse(readFileSync(join(outDir(), "scenarios.json"), "utf8")) as ScenarioResults);
  if (attacks) {
    const files = writeReport(attacks);
    process.stdout.write(`report: ${relative(process.cwd(), files.md)}${existsSync(sweep) ? " (from the sweep in reports/out/attacks.json)" : " (from the scripted basic forms; run npm run attacks for variants)"}\n`);
  }
}
process.exitCode = status;
