/**
 * Quiescence (issue 12, part 2): a run is judged only once the network has drained, so steps that
 * send nothing, appended at the end, never change what the oracle measures. Checked on the
 * proposal's example with its ban hidden, over one step of federation delay (where, before the
 * runner drained, two trailing `add_device` steps turned 4 baseline breaches into 6), and on every
 * scripted scenario with a delay.
 */
import fc from "fast-check";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fcParams } from "../test-support/fast-check.ts";
import { REPO } from "../test-support/vectors.ts";
import { MODEL_IDS } from "../sim/models/index.ts";
import { loadScenario, scenarioFiles } from "./cli.ts";
import type { Scenario, Step } from "./format.ts";
import { type ScenarioRun, runScenario } from "./runner.ts";

/** What the oracle measured, without the history (which the extra steps lengthen). */
const measured = (run: ScenarioRun) => ({
  outcome: run.outcome,
  breaches: run.judgement.breaches,
  false_rejections: run.judgement.false_rejections,
  detections: run.judgement.detections,
  false_alarms: run.judgement.false_alarms,
  attacker_decrypted: run.judgement.attacker_decrypted,
});

/** Steps that send nothing over federation: a new device, an out-of-band verification. */
function silentStep(s: Scenario): fc.Arbitrary<Step> {
  const honest = s.users.filter((u) => !s.adversary.colluding.includes(u));
  const user = fc.constantFrom(...honest);
  return fc.oneof(
    fc.record({ action: fc.constant("add_device" as const), user }),
    fc.record({ action: fc.constant("verify_user" as const), user, target: fc.constantFrom(...s.users) }),
  );
}

const hiddenBan = loadScenario(join(REPO, "scenarios/attacks/T13-proposal-example-hidden-ban.json"));

describe("quiescence", () => {
  it("two trailing add_device steps change nothing in the hidden-ban example, under every model", async () => {
    const alice = "@alice:a.example";
    const longer: Scenario = {
      ...hiddenBan,
      steps: [...hiddenBan.steps, { action: "add_device", user: alice }, { action: "add_device", user: alice }],
    };
    for (const model of MODEL_IDS) {
      const [a, b] = [await runScenario(hiddenBan, model), await runScenario(longer, model)];
      expect(measured(b), model).toEqual(measured(a));
    }
  });

  it("appending steps that send nothing never changes an outcome (delayed scenarios)", async () => {
    const delayed = scenarioFiles(join(REPO, "scenarios"))
      .map((f) => loadScenario(f))
      .filter((s) => (s.network?.delay ?? 0) > 0);
    expect(delayed.length).toBeGreaterThan(0);
    const arb = fc.nat(delayed.length - 1).chain((i) =>
      fc.record({
        i: fc.constant(i),
        model: fc.constantFrom(...MODEL_IDS),
        extra: fc.array(silentStep(delayed[i]!), { minLength: 1, maxLength: 3 }),
      }),
    );
    await fc.assert(
      fc.asyncProperty(arb, async ({ i, model, extra }) => {
        const s = delayed[i]!;
        const [a, b] = [await runScenario(s, model), await runScenario({ ...s, steps: [...s.steps, ...extra] }, model)];
        expect(measured(b)).toEqual(measured(a));
      }),
      fcParams(12),
    );
  }, 300_000);
});
