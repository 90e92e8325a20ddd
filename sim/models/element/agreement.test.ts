/**
 * The Element models in the world (issue 16). On every scripted scenario, `element-all-devices`
 * (matrix-sdk-crypto, real, deciding who gets the key) must give baseline's outcome (the same
 * outcome and the same number of false rejections): baseline is a hand-written claim about Matrix
 * today, and this is where it is checked against the library. A disagreement is either fixed in
 * baseline or listed in `ALLOWED_DIFFERENCES` with its reason; an unlisted one fails, and so does a
 * listed one that no longer happens.
 *
 * The other two models run on the scenarios that tell the strategies apart; `npm run scenarios`
 * runs all three on every scenario and checks every file's expectations.
 */
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { loadScenario, scenarioFiles } from "../../../scenarios/cli.ts";
import { type ScenarioRun, runScenario } from "../../../scenarios/runner.ts";
import { REPO } from "../../../test-support/vectors.ts";
import { ElementDevice } from "./device.ts";

/** Scenario name → why element-all-devices and baseline may disagree on it. None today. */
const ALLOWED_DIFFERENCES: Record<string, string> = {};

const files = scenarioFiles(join(REPO, "scenarios"));
const scenarios = files.map((file) => loadScenario(file));
const summary = (r: ScenarioRun) => ({ outcome: r.outcome, false_rejections: r.judgement.false_rejections.length });

const pairs: { name: string; baseline: ScenarioRun; element: ScenarioRun }[] = [];
for (const s of scenarios) {
  pairs.push({
    name: s.name,
    baseline: await runScenario(s, "baseline"),
    element: await runScenario(s, "element-all-devices"),
  });
}

describe("element-all-devices against baseline, on every scripted scenario", () => {
  it("ran them all", () => {
    expect(pairs.length).toBe(files.length);
    expect(pairs.length).toBeGreaterThanOrEqual(40);
  });

  it("agrees with baseline, except the differences listed with a reason", () => {
    const differ = pairs.filter((p) => JSON.stringify(summary(p.baseline)) !== JSON.stringify(summary(p.element)));
    const unexplained = differ.filter((p) => !(p.name in ALLOWED_DIFFERENCES));
    expect(
      unexplained.map((p) => ({ name: p.name, baseline: summary(p.baseline), element: summary(p.element) })),
    ).toEqual([]);
    const stale = Object.keys(ALLOWED_DIFFERENCES).filter((n) => !differ.some((p) => p.name === n));
    expect(stale, "listed differences that no longer happen").toEqual([]);
  });

  it("meets every file's expectation for element-all-devices", () => {
    for (const { element } of pairs) expect(element.failure, element.scenario).toBeUndefined();
  });

  it("breaches are decryptions by the attacker's OlmMachine, recorded in the history", () => {
    const attacks = pairs.filter((p) => p.element.threat !== null && p.element.outcome === "breach");
    expect(attacks.length).toBeGreaterThanOrEqual(10);
    for (const { element } of attacks) {
      for (const b of element.judgement.breaches) {
        expect(
          element.history.some((op) => op.op === "decrypt" && op.device === b.device && op.message === b.message),
        ).toBe(true);
      }
    }
  });
});

const byName = new Map(scenarios.map((s) => [s.name, s]));
/** The scenarios where the strategies differ: device insertion, MSK substitution and resets, verified or not. */
const TELLING = [
  "T1-insert-member",
  "T6-msk-substitution",
  "T6-msk-substitution-verified",
  "T7-msk-reset-impersonation",
  "T7-msk-reset-impersonation-verified",
  "T8-insert-device",
  "honest-msk-reset",
];

describe("element-identity-based and msc3917-on-element", () => {
  for (const model of ["element-identity-based", "msc3917-on-element"] as const) {
    it(`${model} meets the expectations of ${TELLING.length} scenarios that tell the strategies apart`, async () => {
      for (const name of TELLING) {
        const run = await runScenario(byName.get(name)!, model);
        expect(run.failure, `${name} under ${model}`).toBeUndefined();
      }
    });
  }

  it("identity-based sharing stops device insertion (T8), where all-devices does not", async () => {
    const t8 = byName.get("T8-insert-device")!;
    expect((await runScenario(t8, "element-all-devices")).outcome).toBe("breach");
    const run = await runScenario(t8, "element-identity-based");
    expect(run.outcome).toBe("prevented");
    expect(run.judgement.attacker_decrypted).toBe(0);
  });

  it("every device a server lists is a real OlmMachine, and the same seed gives the same history", async () => {
    const made: string[] = [];
    const create = vi.spyOn(ElementDevice, "create");
    const forge = vi.spyOn(ElementDevice, "forge");
    const t8 = byName.get("T8-insert-device")!;
    const first = await runScenario(t8, "element-identity-based");
    for (const c of [...create.mock.calls, ...forge.mock.calls]) made.push(`${c[1]}/${c[2]}`);
    create.mockRestore();
    forge.mockRestore();
    const devices = first.history.flatMap((op) => (op.op === "device" ? [op.device] : []));
    expect(devices.length).toBeGreaterThanOrEqual(3);
    expect([...made].sort()).toEqual([...devices].sort());
    const second = await runScenario(t8, "element-identity-based");
    expect(JSON.stringify(second.history)).toBe(JSON.stringify(first.history));
  });
});
