import { describe, expect, it } from "vitest";
import { loadScenario } from "../../../scenarios/cli.ts";
import type { Scenario } from "../../../scenarios/format.ts";
import { runScenario } from "../../../scenarios/runner.ts";
import { SIGNAL_PGS_APPLICABILITY } from "./applicability.ts";
import { signalPgs } from "./index.ts";

const adversaryOps = (run: Awaited<ReturnType<typeof runScenario>>) =>
  run.history.flatMap((op) => (op.op === "adversary" && op.detail.model === "signal-pgs" ? [op.detail] : []));

describe("signal-pgs as a DefenceModel", () => {
  it("T1: the server's own entry does not decrypt; the client alarms and shares with nobody it made", async () => {
    const run = await runScenario(loadScenario("scenarios/attacks/T1-insert-member.json"), "signal-pgs");
    expect(adversaryOps(run)).toEqual([
      expect.objectContaining({ for: "@mallory:evil.example", with_master_key: false }),
    ]);
    expect(run.judgement.breaches).toEqual([]);
    expect(run.judgement.alarms).toBeGreaterThan(0);
    const shared = run.history.filter((op) => op.op === "share_key" && op.to.startsWith("@mallory"));
    expect(shared).toEqual([]);
  });

  it("T3: a banned member kept the unchanged master key, so the entry it makes for the server's user is accepted", async () => {
    const run = await runScenario(loadScenario("scenarios/attacks/T3-banned-member-colludes.json"), "signal-pgs");
    expect(adversaryOps(run)).toEqual([
      expect.objectContaining({ for: "@mallory:evil.example", with_master_key: true }),
    ]);
    expect(
      run.judgement.breaches.some((b) => b.device.startsWith("@mallory:evil.example/") && b.adversary_device),
    ).toBe(true);
  });

  it("an honest server enforces the levels: an unprivileged invite is refused, and the room stays as it was", async () => {
    const base = loadScenario("scenarios/honest-basics.json");
    const scenario: Scenario = {
      ...base,
      name: "pgs-unprivileged-kick",
      refusals: "allowed",
      steps: [
        { action: "create", user: base.users[0]!, room: "r1" },
        { action: "invite", user: base.users[0]!, room: "r1", target: base.users[1]! },
        { action: "join", user: base.users[1]!, room: "r1" },
        { action: "kick", user: base.users[1]!, room: "r1", target: base.users[0]! },
        { action: "send", user: base.users[1]!, room: "r1", text: "still both" },
      ] as Scenario["steps"],
    };
    const run = await runScenario(scenario, "signal-pgs");
    const kick = run.history.find((op) => op.op === "step" && op.action === "kick");
    expect(kick).toMatchObject({ ok: false });
    expect(run.outcome).toBe("prevented");
    expect(run.judgement.false_rejections).toEqual([]);
  });

  it("the same seed gives the same history", async () => {
    const s = loadScenario("scenarios/attacks/T14-split-view.json");
    const [a, b] = [await runScenario(s, "signal-pgs"), await runScenario(s, "signal-pgs")];
    expect(JSON.stringify(a.history)).toBe(JSON.stringify(b.history));
  });

  it("says not applicable, with the table's reason, for exactly the threats the table says cannot apply", () => {
    const na = SIGNAL_PGS_APPLICABILITY.filter((a) => !a.applies).map((a) => a.threat);
    expect(Object.keys(signalPgs.notApplicable ?? {}).sort()).toEqual([...na].sort());
    for (const reason of Object.values(signalPgs.notApplicable ?? {})) expect(reason.length).toBeGreaterThan(20);
  });
});
