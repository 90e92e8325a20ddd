import { describe, expect, it } from "vitest";
import { loadScenario } from "../../../scenarios/cli.ts";
import { runScenario } from "../../../scenarios/runner.ts";
import { MLS_APPLICABILITY } from "./applicability.ts";
import { mls } from "./index.ts";

describe("mls as a DefenceModel", () => {
  it("honest basics: every member reads by MLS application messages, recorded as decryptions", async () => {
    const run = await runScenario(loadScenario("scenarios/honest-basics.json"), "mls");
    expect(run.pass, run.failure).toBe(true);
    const sends = run.history.filter((op) => op.op === "send");
    expect(sends.length).toBeGreaterThan(0);
    for (const s of sends) expect(run.history.some((op) => op.op === "decrypt" && op.message === s.message)).toBe(true);
  });

  it("T4: the unprivileged colluder's Add is refused by the members' check of the GroupContext levels", async () => {
    const run = await runScenario(loadScenario("scenarios/attacks/T4-unprivileged-member-colludes.json"), "mls");
    const act = run.history.find(
      (op) => op.op === "adversary" && op.detail.model === "mls" && op.detail.colluder !== undefined,
    );
    expect(act?.op === "adversary" && act.detail.accepted).toBe(false);
    expect(run.judgement.breaches).toEqual([]);
    expect(run.history.some((op) => op.op === "alarm" && op.missing.includes("rejected-commit"))).toBe(true);
  });

  it("T6: a server-made KeyPackage passes a trust-on-first-use Authentication Service, and its device reads", async () => {
    const run = await runScenario(loadScenario("scenarios/attacks/T6-msk-substitution.json"), "mls");
    expect(run.judgement.breaches.some((b) => b.adversary_device)).toBe(true);
  });

  it("the same seed gives the same history", async () => {
    const s = loadScenario("scenarios/attacks/T7-msk-reset-impersonation.json");
    const [a, b] = [await runScenario(s, "mls"), await runScenario(s, "mls")];
    expect(JSON.stringify(a.history)).toBe(JSON.stringify(b.history));
  });

  it("says not applicable, with the table's reason, for exactly the threats the table says cannot apply", () => {
    const na = MLS_APPLICABILITY.filter((a) => !a.applies).map((a) => a.threat);
    expect(Object.keys(mls.notApplicable ?? {}).sort()).toEqual([...na].sort());
  });
});
