/**
 * The model-based generators: every registered action is generated, and few generated steps are
 * refused by the world (the abstract state follows it).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ACTION_NAMES } from "../scenarios/actions/index.ts";
import { validateScenario } from "../scenarios/format.ts";
import { FC_SEED } from "../test-support/fast-check.ts";
import { ARBITRARIES, scenarioOf, stepsArbitrary } from "./generate.ts";
import { countRefusals } from "./refusals.ts";

describe("generated runs", () => {
  it("have an arbitrary for every registered action", () => {
    expect(Object.keys(ARBITRARIES).sort()).toEqual([...ACTION_NAMES].sort());
  });

  it("take every registered action in a sample, with several rooms and a space", () => {
    const seen = new Set<string>();
    const rooms = new Set<string>();
    for (const adversarial of [false, true]) {
      for (const steps of fc.sample(stepsArbitrary(adversarial), { seed: FC_SEED, numRuns: 300 })) {
        for (const s of steps) {
          seen.add(s.action);
          if (s.action === "create") rooms.add(s.room);
        }
      }
    }
    expect(ACTION_NAMES.filter((a) => !seen.has(a))).toEqual([]);
    expect([...rooms].sort()).toEqual(["r2", "r3", "s1"]);
  });

  it("are valid scenarios", () => {
    for (const adversarial of [false, true]) {
      for (const [i, steps] of fc.sample(stepsArbitrary(adversarial), { seed: FC_SEED, numRuns: 50 }).entries()) {
        const s = JSON.parse(JSON.stringify(scenarioOf(`g${i}`, steps, adversarial)));
        expect(() => validateScenario(`g${i}`, s)).not.toThrow();
      }
    }
  });

  it("have fewer than 10% of their steps refused by the world", async () => {
    const c = await countRefusals(30, FC_SEED);
    expect(c.steps).toBeGreaterThan(150);
    expect(c.refused / c.steps).toBeLessThan(0.1);
  });
});
