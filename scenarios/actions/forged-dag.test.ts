/**
 * The adversary's new DAG and look-up powers, checked on what an honest client is served:
 * `collude_invite`'s fork point, claimed time and ID grinding, `fork_next`'s for every other step
 * that forges a membership event, `replay_join_rule`'s look-up-only events, and `rewrite_creator`'s
 * rewritten sender.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readDagNode } from "../../sim/core/state-dag.ts";
import { MODELS } from "../../sim/models/index.ts";
import type { DefenceModel, RoomView } from "../../sim/world/defence-model.ts";
import { REPO } from "../../test-support/vectors.ts";
import { CATALOGUE } from "../../attacks/catalogue.ts";
import { forgingSteps } from "../../attacks/search/space.ts";
import { loadScenario } from "../cli.ts";
import { runScenario } from "../runner.ts";
import type { Scenario } from "../format.ts";

const MALLORY = "@mallory:evil.example";

/** The last view `user`'s client was served, under the state-DAG model. */
async function lastView(scenario: Scenario, user: string): Promise<RoomView> {
  let seen: RoomView | undefined;
  const base = MODELS["state-dag"];
  const spy: DefenceModel = {
    ...base,
    client(owner) {
      const inner = base.client(owner);
      if (owner.userId !== user) return inner;
      return Object.assign(Object.create(Object.getPrototypeOf(inner)), inner, {
        observeRoom: (roomId: string, view: RoomView) => ((seen = view), inner.observeRoom(roomId, view)),
      });
    },
  };
  await runScenario(scenario, "state-dag", { defence: spy });
  if (!seen) throw new Error(`${user} observed nothing`);
  return seen;
}

const nodesOf = (view: RoomView) =>
  [...view.state, ...view.events].flatMap((e) => {
    const n = readDagNode(e);
    return n.ok ? [{ e, n: n.value }] : [];
  });

const load = (f: string) => loadScenario(join(REPO, "scenarios/attacks", f));

describe("collude_invite's fork point", () => {
  it("rests on the heads before the node it forks from, and claims that node's time plus the offset", async () => {
    const view = await lastView(load("T3-banned-member-colludes-1ms.json"), "@alice:evil.example");
    const nodes = nodesOf(view);
    const ban = nodes.find(({ n }) => n.type === "m.room.member" && n.content.membership === "ban")!;
    const invite = nodes.find(
      ({ n }) => n.type === "m.room.member" && n.state_key === MALLORY && n.content.membership === "invite",
    )!;
    expect(invite.n.ts).toBe(ban.n.ts - 1);
    expect(invite.n.prev_state).toEqual(ban.n.prev_state);
  });

  it("with a grinding budget, claims earlier times until its ID sorts before the node it forks from", async () => {
    const scenario = load("T3-banned-member-colludes-equal-power-one-server.json");
    const step = scenario.steps.find((s) => s.action === "collude_invite")!;
    const budget = (step as { grind?: number }).grind!;
    const nodes = nodesOf(await lastView(scenario, "@alice:evil.example"));
    const carol = nodes.find(
      ({ n }) => n.type === "m.room.member" && n.state_key === "@carol:evil.example" && n.content.membership === "join",
    )!;
    const invite = nodes.find(
      ({ n }) => n.type === "m.room.member" && n.state_key === MALLORY && n.content.membership === "invite",
    )!;
    const tries = carol.n.ts - 1 - invite.n.ts + 1;
    expect(tries).toBeGreaterThanOrEqual(1);
    expect(tries).toBeLessThanOrEqual(budget);
    // Either it found an ID that sorts first, or it spent the whole budget.
    expect(invite.n.id < carol.n.id || tries === budget).toBe(true);
    expect(invite.n.prev_state).toEqual(carol.n.prev_state);
  });
});

describe("fork_next", () => {
  // Every threat whose basic form forges a membership event by a step other than a colluding invite.
  const cases = CATALOGUE.flatMap((t) => {
    const base = loadScenario(join(REPO, t.scenario));
    const f = forgingSteps(base).find((x) => !x.colluding);
    return f ? [[t.id, base, f] as const] : [];
  });

  it("has a case in most of the catalogue", () => expect(cases.length).toBeGreaterThanOrEqual(8));

  it.each(cases)(
    "%s: places the next forged membership node on the heads of the first node, claiming the second's time minus 1 ms",
    async (_id, base, f) => {
      const server = base.adversary.servers.find((s) => s.capabilities.includes("forge"))!.name;
      const steps = [...base.steps];
      steps.splice(f.i, 0, { action: "fork_next", server, room: f.room, fork_at: 1, claimed_offset: -1 });
      const forked: Scenario = { ...base, steps, refusals: "allowed" };
      const watcher = base.users.find((u) => u.endsWith(`:${server}`)) ?? base.users[0]!;
      const honest = nodesOf(await lastView({ ...base, refusals: "allowed" }, watcher))
        .map(({ n }) => n)
        .sort((a, b) => a.ts - b.ts);
      const known = new Set(honest.map((n) => n.id));
      // The first two valid nodes of the replica (T21's rewritten create event is not one).
      const [first, second] = honest;
      const forged = nodesOf(await lastView(forked, watcher))
        .map(({ n }) => n)
        .filter((n) => !known.has(n.id));
      expect(forged.length, "a node that was not there without fork_next").toBeGreaterThanOrEqual(1);
      expect(
        forged.some((n) => n.prev_state.length === 1 && n.prev_state[0] === first!.id && n.ts === second!.ts - 1),
      ).toBe(true);
    },
  );
});

describe("replay_join_rule", () => {
  it("serves the other room's rule and the remapped cause for look-ups only, never as state", async () => {
    const view = await lastView(load("T19-join-rule-replay.json"), "@alice:evil.example");
    const join = view.state.find((e) => e.type === "m.room.member" && e.state_key === MALLORY)!;
    const rule = view.events.find((e) => e.event_id === join.content.parent_event_id)!;
    expect(rule).toMatchObject({
      type: "m.room.join_rules",
      sender: "@bob:b.example",
      content: { join_rule: "public" },
    });
    expect(view.state.some((e) => e.event_id === rule.event_id)).toBe(false);
    expect(view.state.find((e) => e.type === "m.room.join_rules")?.content.join_rule).toBe("invite");
    // The rule's parent is served as a copy of Bob's join in this room, under the other room's ID.
    const parent = view.events.find((e) => e.event_id === rule.content.parent_event_id)!;
    const bobsJoin = view.state.find((e) => e.type === "m.room.member" && e.state_key === "@bob:b.example")!;
    expect(parent.content).toEqual(bobsJoin.content);
    expect(parent.event_id).not.toBe(bobsJoin.event_id);
    expect(readDagNode(rule).ok).toBe(false);
  });
});

describe("rewrite_creator", () => {
  it("changes the create event's sender and nothing else", async () => {
    const scenario = load("T21-unsigned-creator.json");
    const before: Scenario = { ...scenario, steps: scenario.steps.filter((s) => s.action !== "rewrite_creator") };
    const original = (await lastView(before, "@alice:evil.example")).state.find((e) => e.type === "m.room.create")!;
    const rewritten = (await lastView(scenario, "@alice:evil.example")).state.find((e) => e.type === "m.room.create")!;
    expect(original.sender).toBe("@alice:evil.example");
    expect(rewritten.sender).toBe(MALLORY);
    expect({ ...rewritten, sender: original.sender }).toEqual(original);
  });
});
