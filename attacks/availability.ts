/**
 * Honest stress runs (issue 12, part 4): what each model costs when nobody attacks. The scripted
 * runs in `scenarios/availability/` (churn, refused-then-accepted joins, power changes, federation
 * delay of 0-3 steps across 2-4 servers, MSK resets, new devices), then generated honest-only runs
 * (attacks/generate.ts) with a federation delay of 0 to 3 steps. Every alarm in them is a false
 * alarm and every legitimate member left out a false rejection; a breach would be a bug.
 */
import fc from "fast-check";
import { join } from "node:path";
import { MODEL_IDS, type ModelId } from "../sim/models/index.ts";
import { loadScenario, scenarioFiles } from "../scenarios/cli.ts";
import type { Scenario } from "../scenarios/format.ts";
import { runScenario } from "../scenarios/runner.ts";
import { REPO } from "./replay.ts";
import { scenarioOf, stepsArbitrary } from "./generate.ts";

export interface AvailabilityTally {
  runs: number;
  /** Runs with at least one false alarm / false rejection. */
  runs_with_false_alarms: number;
  runs_with_false_rejections: number;
  false_alarms: number;
  false_rejections: number;
  /** Should stay 0: an honest run has nobody to breach it. */
  breaches: number;
}

export interface AvailabilityResult {
  scripted: string[];
  generated: number;
  seed: number;
  results: Record<ModelId, AvailabilityTally>;
}

/** The honest stress runs: the scripted files, then `generated` honest runs with delays 0, 1, 2, 3 in turn. */
export function availabilityScenarios(
  generated: number,
  seed: number,
): { scripted: { file: string; scenario: Scenario }[]; generated: Scenario[] } {
  const dir = join(REPO, "scenarios/availability");
  const scripted = scenarioFiles(dir).map((file) => ({
    file: file.slice(REPO.length + 1),
    scenario: loadScenario(file),
  }));
  const steps = generated > 0 ? fc.sample(stepsArbitrary(false), { seed, numRuns: generated }) : [];
  return {
    scripted,
    generated: steps.map((s, i) => ({
      ...scenarioOf(`honest-generated-${i}`, s, false, seed + i),
      network: { delay: i % 4 },
    })),
  };
}

export async function runAvailability(
  generated: number,
  seed: number,
  onRun?: () => void,
): Promise<AvailabilityResult> {
  const { scripted, generated: gen } = availabilityScenarios(generated, seed);
  const results = Object.fromEntries(
    MODEL_IDS.map((m) => [
      m,
      {
        runs: 0,
        runs_with_false_alarms: 0,
        runs_with_false_rejections: 0,
        false_alarms: 0,
        false_rejections: 0,
        breaches: 0,
      },
    ]),
  ) as Record<ModelId, AvailabilityTally>;
  for (const scenario of [...scripted.map((s) => s.scenario), ...gen]) {
    for (const model of MODEL_IDS) {
      const j = (await runScenario(scenario, model)).judgement;
      const t = results[model];
      t.runs++;
      t.false_alarms += j.false_alarms.length;
      t.false_rejections += j.false_rejections.length;
      t.breaches += j.breaches.length;
      if (j.false_alarms.length > 0) t.runs_with_false_alarms++;
      if (j.false_rejections.length > 0) t.runs_with_false_rejections++;
    }
    onRun?.();
  }
  return { scripted: scripted.map((s) => s.file), generated, seed, results };
}
