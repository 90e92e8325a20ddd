/**
 * State resolution over the signed DAG: deterministic (the same DAG, delivered in any order,
 * resolves to the same state), and it applies the auth rules in the order the tie-break gives.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fcParams } from "../../../test-support/fast-check.ts";
import { makeUser } from "../../../test-support/room-builder.ts";
import { canonicalJson, type JsonObject } from "../../core/canonical-json.ts";
import { type DagNode, readDagNode, signDagNode } from "../../core/state-dag.ts";
import { defaultPowerLevels } from "../../world/room.ts";
import { type TieBreak, resolveDag } from "./resolve.ts";

const users = [makeUser("@a:s"), makeUser("@b:s"), makeUser("@c:s"), makeUser("@d:s")];

function node(type: string, stateKey: string, by: number, content: JsonObject, prev: string[], ts: number): DagNode {
  const signer = users[by]!;
  const signed = signDagNode({ type, state_key: stateKey, sender: signer.userId, content }, prev, ts, signer);
  const n = readDagNode({ type, state_key: stateKey, sender: signer.userId, content: signed.content });
  if (!n.ok) throw new Error(n.error);
  return n.value;
}

/** A random DAG: a create by @a, then membership and power changes resting on random earlier nodes. */
const dag = fc
  .array(
    fc.record({
      kind: fc.constantFrom("invite", "join", "leave", "ban", "power"),
      by: fc.nat(users.length - 1),
      target: fc.nat(users.length - 1),
      parents: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
      ts: fc.nat(100),
    }),
    { maxLength: 14 },
  )
  .map((steps) => {
    const nodes = [node("m.room.create", "", 0, { room_version: "msc3917" }, [], 0)];
    for (const s of steps) {
      const prev = [...new Set(s.parents.map((p) => nodes[p % nodes.length]!.id))].sort();
      const target = users[s.target]!.userId;
      const n =
        s.kind === "power"
          ? node("m.room.power_levels", "", s.by, { ...defaultPowerLevels(users[0]!.userId), users: { [users[0]!.userId]: 100, [target]: 50 } }, prev, s.ts)
          : node("m.room.member", s.kind === "join" ? users[s.by]!.userId : target, s.by, { membership: s.kind }, prev, s.ts);
      nodes.push(n);
    }
    return nodes;
  });

const summary = (nodes: DagNode[], tieBreak: TieBreak) => {
  const r = resolveDag(nodes, tieBreak);
  return { applied: r.applied, state: canonicalJson([...r.state.state.values()].map((e) => e.event_id).sort()), joined: r.state.joined().sort() };
};

describe("state resolution", () => {
  it.each(["ts", "no-ts"] as const)("is deterministic: any delivery order gives the same state (%s)", (tieBreak) => {
    fc.assert(
      fc.property(dag, fc.integer(), (nodes, seed) => {
        const shuffled = fc.sample(fc.shuffledSubarray(nodes, { minLength: nodes.length, maxLength: nodes.length }), { seed, numRuns: 1 })[0]!;
        expect(summary(shuffled, tieBreak)).toEqual(summary(nodes, tieBreak));
        expect(summary([...nodes].reverse(), tieBreak)).toEqual(summary(nodes, tieBreak));
      }),
      fcParams(150),
    );
  });

  it("puts a ban before a concurrent invite by the banned member, whatever timestamp the invite claims", () => {
    const [a, , c, d] = [0, 1, 2, 3];
    const create = node("m.room.create", "", a, {}, [], 10);
    const inviteC = node("m.room.member", users[c]!.userId, a, { membership: "invite" }, [create.id], 20);
    const joinC = node("m.room.member", users[c]!.userId, c, { membership: "join" }, [inviteC.id], 30);
    const ban = node("m.room.member", users[c]!.userId, a, { membership: "ban" }, [joinC.id], 50);
    const backdated = node("m.room.member", users[d]!.userId, c, { membership: "invite" }, [joinC.id], 1);
    for (const tieBreak of ["ts", "no-ts"] as const) {
      const r = resolveDag([create, inviteC, joinC, ban, backdated], tieBreak);
      expect(r.applied.indexOf(ban.id)).toBeGreaterThan(-1);
      expect(r.refused.map((x) => x.id)).toContain(backdated.id);
    }
  });

  it("orders equal-power concurrent events by claimed time under ts, by ID under no-ts", () => {
    const create = node("m.room.create", "", 0, {}, [], 10);
    const early = node("m.room.member", users[1]!.userId, 0, { membership: "invite" }, [create.id], 100);
    const late = node("m.room.member", users[2]!.userId, 0, { membership: "invite" }, [create.id], 5);
    const ts = resolveDag([create, early, late], "ts").applied;
    expect(ts.indexOf(late.id)).toBeLessThan(ts.indexOf(early.id));
    const noTs = resolveDag([create, early, late], "no-ts").applied;
    expect(noTs.indexOf(early.id) < noTs.indexOf(late.id)).toBe(early.id < late.id);
  });

  it("leaves out nodes with a missing ancestor, and refuses what is not authentic", () => {
    const create = node("m.room.create", "", 0, {}, [], 10);
    const orphan = node("m.room.member", users[1]!.userId, 0, { membership: "invite" }, ["$missing"], 20);
    const forged = node("m.room.member", users[2]!.userId, 0, { membership: "invite" }, [create.id], 30);
    const r = resolveDag([create, orphan, forged], "ts", (n) => n.id !== forged.id);
    expect(r.unplaced).toEqual([orphan.id]);
    expect(r.refused).toEqual([{ id: forged.id, why: "not signed by keys the sender is verified to hold" }]);
  });
});
