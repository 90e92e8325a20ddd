/**
 * The proposal's example history (MSC3917 §Alternatives), honest and with the ban deleted.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "../test-support/vectors.ts";
import { MODEL_IDS } from "../sim/models/index.ts";
import type { Operation } from "../sim/world/history.ts";
import { legitMembers } from "../sim/world/oracle.ts";
import { loadScenario } from "./cli.ts";
import { runScenario } from "./runner.ts";

const honest = loadScenario(join(REPO, "scenarios", "proposal-example.json"));
const attacked = loadScenario(join(REPO, "scenarios", "attacks", "T13-proposal-example-hidden-ban.json"));
const CALEB = "@caleb:c.example";
const DARRELL = "@darrell:c.example";
const keysTo = (ops: Operation[], user: string) =>
  ops.filter((o) => o.op === "share_key" && o.to.startsWith(`${user}/`) && o.from !== CALEB && o.from !== DARRELL);

describe("the proposal's example, honest", () => {
  it.each(MODEL_IDS)("%s: Caleb and Darrell are out, and nobody is breached or left out", async (model) => {
    const run = await runScenario(honest, model);
    expect(run.pass, run.failure).toBe(true);
    const legit = [...legitMembers(run.history).values()][0]!;
    expect([...legit].sort()).toEqual(["@alice:a.example", "@bee:a.example", "@eloise:a.example"]);
    const ban = run.history.find((o) => o.op === "membership" && o.membership === "ban")!;
    expect(
      keysTo(
        run.history.filter((o) => o.t > ban.t),
        DARRELL,
      ),
    ).toEqual([]);
  });
});

describe("the proposal's example, with the server deleting Alice's ban of Caleb", () => {
  it.each(["baseline", "membership-tree"] as const)(
    "%s: a breach, Darrell reads what Alice and Bee send",
    async (model) => {
      const run = await runScenario(attacked, model);
      expect(run.outcome).toBe("breach");
      expect(run.judgement.breaches.some((b) => b.device.startsWith(`${DARRELL}/`))).toBe(true);
    },
  );

  const dagModels = MODEL_IDS.filter((m) => m.startsWith("state-dag"));
  it.each(dagModels)("%s: the alarm names the ban, and no client that knows it shares with Caleb", async (model) => {
    const run = await runScenario(attacked, model);
    const ban = run.history.find(
      (o): o is Extract<Operation, { op: "state" }> =>
        o.op === "state" && o.membership === "ban" && o.state_key === CALEB,
    )!;
    expect(ban.node).not.toBeNull();
    const alarms = run.history.filter((o): o is Extract<Operation, { op: "alarm" }> => o.op === "alarm");
    expect(alarms.length).toBeGreaterThan(0);
    for (const a of alarms) expect(a.missing).toBe(ban.node);
    expect(alarms.map((a) => a.client)).toContain("@eloise:a.example");
    const first = alarms[0]!;
    console.log(
      `${model}: ${run.outcome}; alarm by ${first.client}: referenced state event ${first.missing} cannot be obtained` +
        ` (Alice's ban of Caleb, server event ${ban.event})`,
    );
    const knowers = ["@alice:a.example", "@bee:a.example"];
    const toCaleb = run.history.filter(
      (o) => o.op === "share_key" && o.t > ban.t && knowers.includes(o.from) && o.to.startsWith(`${CALEB}/`),
    );
    expect(toCaleb).toEqual([]);
  });
});
