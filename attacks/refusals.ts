/**
 * How many generated steps the world refuses: the measure of how well the generators' abstract
 * state (scenarios/actions/state.ts) follows the world. `npm run attacks` prints it.
 */
import fc from "fast-check";
import type { ModelId } from "../sim/models/index.ts";
import { runScenario } from "../scenarios/runner.ts";
import { scenarioOf, stepsArbitrary } from "./generate.ts";

export interface RefusalCount {
  runs: number;
  steps: number;
  refused: number;
  /** Per action: steps taken and refused. */
  actions: Record<string, { steps: number; refused: number }>;
}

/** Run `runs` generated scenarios (half honest, half adversarial) under `model` and count refused steps. */
export async function countRefusals(
  runs: number,
  seed: number,
  model: ModelId = "membership-tree",
): Promise<RefusalCount> {
  const out: RefusalCount = { runs: 0, steps: 0, refused: 0, actions: {} };
  for (const adversarial of [false, true]) {
    const n = adversarial ? runs - Math.floor(runs / 2) : Math.floor(runs / 2);
    for (const [i, steps] of fc.sample(stepsArbitrary(adversarial), { seed, numRuns: n }).entries()) {
      const run = await runScenario(scenarioOf(`refusals-${i}`, steps, adversarial), model);
      out.runs++;
      for (const op of run.history) {
        if (op.op !== "step" || op.index === 0) continue; // step 0 is the scripted creation of r1
        const a = (out.actions[op.action] ??= { steps: 0, refused: 0 });
        a.steps++;
        out.steps++;
        if (!op.ok) {
          a.refused++;
          out.refused++;
        }
      }
    }
  }
  return out;
}

export const refusalLine = (c: RefusalCount): string =>
  `generated steps refused: ${c.refused} of ${c.steps} (${((100 * c.refused) / Math.max(1, c.steps)).toFixed(1)}%) in ${c.runs} generated runs`;
