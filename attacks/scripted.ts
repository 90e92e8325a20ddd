/**
 * The threat-model report's results from the scripted basic forms `npm run scenarios` ran: one
 * trial per threat and model (`attacks.json`'s shape, `source: "scripted"`), for when no sweep has
 * been run. A threat is in them when its scenario ran under every model.
 */
import type { AttacksJson, TallyJson } from "../reports/threat-model.ts";
import { MODEL_IDS, MODELS, type ModelId } from "../sim/models/index.ts";
import type { DefenceModel } from "../sim/world/defence-model.ts";
import type { Operation } from "../sim/world/history.ts";
import type { Outcome } from "../sim/world/oracle.ts";
import { CATALOGUE } from "./catalogue.ts";

export interface ScenarioResults {
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
  const models = MODEL_IDS;
  return {
    source: "scripted",
    seed: 0,
    runs: 1,
    models: [...models],
    threats: threats.map((t) => ({
      id: t.id,
      title: t.title,
      proposal_row: t.proposalRow,
      expected: t.expected,
      scenario: t.scenario,
      results: Object.fromEntries(
        models.map((m) => {
          const r = results.runs.find((x) => x.file === t.scenario && x.model === m);
          if (!r) throw new Error(`scenarios.json has no run of ${t.scenario} under ${m}`);
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
