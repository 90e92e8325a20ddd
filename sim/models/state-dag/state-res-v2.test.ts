/**
 * State resolution v2 on small hand-made forks: the tie-breaks the classic graphs do not exercise
 * (the sender's power in the reverse topological power ordering, then the timestamp, then the ID;
 * the timestamp in the mainline ordering), `ts` against `no-ts`, and untrusted input (missing
 * events, auth cycles, events at the wrong key, rejected auth events).
 */
import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../core/canonical-json.ts";
import { stateKeyOf } from "../../world/auth-rules.ts";
import { type StateMap, type StateResEvent, type TieBreak, resolveStateV2 } from "./state-res-v2.ts";

const A = "@alice:a.example";
const B = "@bob:b.example";
const C = "@carol:c.example";

const ev = (
  id: string,
  sender: string,
  type: string,
  stateKey: string | undefined,
  content: JsonObject,
  auth: string[],
  ts: number,
): StateResEvent => ({
  event_id: id,
  sender,
  type,
  content,
  ...(stateKey !== undefined ? { state_key: stateKey } : {}),
  auth_events: auth,
  origin_server_ts: ts,
});

/** Alice created the room (100); Carol is also at 100, Bob at 50; the room is public; all three joined. */
function base(): StateResEvent[] {
  return [
    ev("$create", A, "m.room.create", "", {}, [], 0),
    ev("$ma", A, "m.room.member", A, { membership: "join" }, ["$create"], 1),
    ev("$pl", A, "m.room.power_levels", "", { users: { [A]: 100, [B]: 50, [C]: 100 } }, ["$create", "$ma"], 2),
    ev("$jr", A, "m.room.join_rules", "", { join_rule: "public" }, ["$create", "$pl", "$ma"], 3),
    ev("$mb", B, "m.room.member", B, { membership: "join" }, ["$create", "$pl", "$jr"], 4),
    ev("$mc", C, "m.room.member", C, { membership: "join" }, ["$create", "$pl", "$jr"], 5),
  ];
}

function stateOf(events: readonly StateResEvent[]): Map<string, string> {
  return new Map(
    events.filter((e) => e.state_key !== undefined).map((e) => [stateKeyOf(e.type, e.state_key!), e.event_id]),
  );
}

/** Resolve the two forks `left` and `right` off the base room. */
function fork(left: StateResEvent[], right: StateResEvent[], tieBreak: TieBreak) {
  const all = new Map([...base(), ...left, ...right].map((e) => [e.event_id, e]));
  const sets: StateMap[] = [stateOf([...base(), ...left]), stateOf([...base(), ...right])];
  return resolveStateV2(sets, (id) => all.get(id), { tieBreak });
}

const joinRule = (id: string, sender: string, rule: string, ts: number, sendersMember: string) =>
  ev(id, sender, "m.room.join_rules", "", { join_rule: rule }, ["$create", "$pl", sendersMember], ts);
const topic = (id: string, sender: string, ts: number, sendersMember: string) =>
  ev(id, sender, "m.room.topic", "", { topic: id }, ["$create", "$pl", sendersMember], ts);
const JR = stateKeyOf("m.room.join_rules", "");
const TOPIC = stateKeyOf("m.room.topic", "");

describe("reverse topological power ordering: the tie-breaks", () => {
  it("sender's power first: the higher-power sender's event is applied first, so the lower one's stands", () => {
    // Alice (100) is later and has the larger ID; Bob (50) is earlier with the smaller ID. By time
    // or by ID alone, Alice's would be applied last and stand; by power, Bob's is.
    const alice = joinRule("$z-alice", A, "invite", 10, "$ma");
    const bob = joinRule("$a-bob", B, "knock", 5, "$mb");
    for (const tieBreak of ["ts", "no-ts"] as const) {
      const r = fork([alice], [bob], tieBreak);
      expect(r.state.get(JR), tieBreak).toBe("$a-bob");
      expect(r.rejected).toEqual([]);
      expect(r.complete).toBe(true);
    }
  });

  it("the power is read from each event's own auth events, not from the resolved state", () => {
    // Bob's event cites power levels that give him 100: he sorts with Alice, on time.
    const plBob = ev(
      "$pl-bob",
      A,
      "m.room.power_levels",
      "",
      { users: { [A]: 100, [B]: 100, [C]: 100 } },
      ["$create", "$pl", "$ma"],
      6,
    );
    const bob = ev("$a-bob", B, "m.room.join_rules", "", { join_rule: "knock" }, ["$create", "$pl-bob", "$mb"], 7);
    const alice = joinRule("$z-alice", A, "invite", 10, "$ma");
    const r = fork([alice], [plBob, bob], "ts");
    // $pl-bob and Bob's rule come first (earlier), then Alice's (ts 10): Alice's stands.
    expect(r.state.get(JR)).toBe("$z-alice");
  });

  it("equal power: the earlier timestamp is applied first under ts; under no-ts the smaller ID is", () => {
    // Alice and Carol are both at 100. Alice's has the smaller ID and the later time.
    const alice = joinRule("$a-alice", A, "invite", 10, "$ma");
    const carol = joinRule("$z-carol", C, "knock", 5, "$mc");
    // ts: Carol (5), then Alice (10): Alice's stands. no-ts: $a-alice, then $z-carol: Carol's stands.
    expect(fork([alice], [carol], "ts").state.get(JR)).toBe("$a-alice");
    expect(fork([alice], [carol], "no-ts").state.get(JR)).toBe("$z-carol");
  });

  it("equal power and time: the ID decides, under both", () => {
    const alice = joinRule("$a-alice", A, "invite", 7, "$ma");
    const carol = joinRule("$z-carol", C, "knock", 7, "$mc");
    expect(fork([alice], [carol], "ts").state.get(JR)).toBe("$z-carol");
    expect(fork([alice], [carol], "no-ts").state.get(JR)).toBe("$z-carol");
  });

  it("a ban by the higher-power sender is applied first; the banned sender's concurrent event is then refused", () => {
    const ban = ev("$ban", A, "m.room.member", B, { membership: "ban" }, ["$create", "$pl", "$ma", "$mb"], 10);
    const bob = joinRule("$a-bob", B, "knock", 5, "$mb");
    const r = fork([ban], [bob], "ts");
    expect(r.state.get(stateKeyOf("m.room.member", B))).toBe("$ban");
    expect(r.state.get(JR)).toBe("$jr");
    expect(r.rejected).toEqual([{ id: "$a-bob", rule: "5", why: "the sender is not joined" }]);
  });
});

describe("mainline ordering: the tie-breaks", () => {
  it("the same mainline position: the earlier timestamp is applied first under ts; the smaller ID under no-ts", () => {
    const bob = topic("$a-bob", B, 10, "$mb");
    const carol = topic("$z-carol", C, 5, "$mc");
    expect(fork([bob], [carol], "ts").state.get(TOPIC)).toBe("$a-bob");
    expect(fork([bob], [carol], "no-ts").state.get(TOPIC)).toBe("$z-carol");
  });

  it("a later mainline position wins over time and ID: an event citing newer power levels is applied last", () => {
    const pl2 = ev(
      "$pl2",
      A,
      "m.room.power_levels",
      "",
      { users: { [A]: 100, [B]: 50, [C]: 100 }, events: {} },
      ["$create", "$pl", "$ma"],
      20,
    );
    const late = ev("$a-bob", B, "m.room.topic", "", {}, ["$create", "$pl2", "$mb"], 21);
    const early = topic("$z-carol", C, 30, "$mc");
    for (const tieBreak of ["ts", "no-ts"] as const)
      expect(fork([pl2, late], [early], tieBreak).state.get(TOPIC), tieBreak).toBe("$a-bob");
  });
});

describe("untrusted input", () => {
  it("a missing conflicted event is left out and reported; the result is marked incomplete", () => {
    const all = new Map(base().map((e) => [e.event_id, e]));
    const sets = [stateOf(base()), new Map([...stateOf(base()), [TOPIC, "$nowhere"]])];
    const r = resolveStateV2(sets, (id) => all.get(id), { tieBreak: "ts" });
    expect(r.missing).toEqual(["$nowhere"]);
    expect(r.complete).toBe(false);
    expect(r.state.has(TOPIC)).toBe(false);
  });

  it("a missing auth event ends its branch of the auth chain and is reported", () => {
    const t = ev("$t", B, "m.room.topic", "", {}, ["$create", "$pl", "$mb", "$ghost"], 9);
    const r = fork([t], [], "ts");
    expect(r.missing).toEqual(["$ghost"]);
    expect(r.state.get(TOPIC)).toBe("$t");
  });

  it("events whose auth events form a cycle are reported and left out; the rest resolves", () => {
    const x = ev("$x", B, "m.room.topic", "", {}, ["$create", "$pl", "$mb", "$y"], 9);
    const y = ev("$y", B, "m.room.name", "", {}, ["$create", "$pl", "$mb", "$x"], 9);
    const behind = ev("$w", A, "m.room.name", "", {}, ["$create", "$pl", "$ma", "$x"], 9);
    const fine = joinRule("$v", A, "knock", 9, "$ma");
    const all = new Map([...base(), x, y, behind, fine].map((e) => [e.event_id, e]));
    const sets = [stateOf([...base(), x, y]), stateOf([...base(), behind, fine])];
    const r = resolveStateV2(sets, (id) => all.get(id), { tieBreak: "ts" });
    expect(r.cyclic).toEqual(["$w", "$x", "$y"]);
    expect(r.complete).toBe(false);
    expect(r.state.has(TOPIC)).toBe(false);
    expect(r.state.get(JR)).toBe("$v");
    expect(r.state.has(stateKeyOf("m.room.name", ""))).toBe(false);
  });

  it("an event filed under another key, or a message filed as state, is invalid and not applied", () => {
    const t = topic("$t", B, 9, "$mb");
    const msg = ev("$m", B, "m.room.message", undefined, {}, ["$create", "$pl", "$mb"], 9);
    const all = new Map([...base(), t, msg].map((e) => [e.event_id, e]));
    const sets = [stateOf(base()), new Map([...stateOf(base()), [JR, "$t"], [stateKeyOf("m.room.name", ""), "$m"]])];
    const r = resolveStateV2(sets, (id) => all.get(id), { tieBreak: "ts" });
    expect(r.invalid).toEqual(["$m", "$t"]);
    expect(r.state.get(JR)).toBe("$jr");
    expect(r.state.has(stateKeyOf("m.room.name", ""))).toBe(false);
  });

  it("a rejected auth event is not used: the key falls back to the partly resolved state or is absent", () => {
    // Bob's topic cites forged power levels (rejected on receipt) that would give him 100.
    const forged: StateResEvent = {
      ...ev(
        "$forged",
        B,
        "m.room.power_levels",
        "",
        { users: { [B]: 100 }, events: { "m.room.topic": 100 } },
        ["$create", "$pl", "$mb"],
        8,
      ),
      rejected: true,
    };
    const t = ev("$t", B, "m.room.topic", "", {}, ["$create", "$forged", "$mb"], 9);
    const r = fork([forged, t], [], "ts");
    // The forged PL, itself in the conflicted set, is re-checked and refused (Bob cannot grant 100).
    expect(r.rejected.map((x) => x.id)).toContain("$forged");
    // Bob's topic is checked against the resolved $pl (Bob 50 >= state_default 50): allowed.
    expect(r.state.get(TOPIC)).toBe("$t");
    expect(r.state.get(stateKeyOf("m.room.power_levels", ""))).toBe("$pl");
  });

  it("auth events the selection does not name, or two for one key, fail rules 2.2 and 2.1", () => {
    const t1 = ev("$t1", B, "m.room.topic", "", {}, ["$create", "$pl", "$mb", "$jr"], 9);
    const t2 = ev("$t2", B, "m.room.name", "", {}, ["$create", "$pl", "$mb", "$pl2"], 9);
    const pl2 = ev(
      "$pl2",
      A,
      "m.room.power_levels",
      "",
      { users: { [A]: 100, [B]: 50 } },
      ["$create", "$ma", "$pl"],
      8,
    );
    const r = fork([t1, pl2, t2], [], "ts");
    expect(r.rejected.filter((x) => x.id !== "$pl2")).toEqual([
      { id: "$t1", rule: "2.2", why: "auth event $jr is not one the auth events selection names" },
      { id: "$t2", rule: "2.1", why: 'two auth events for m.room.power_levels ""' },
    ]);
  });

  it("no state sets, or one, resolve to nothing, or to that set", () => {
    expect(resolveStateV2([], () => undefined, { tieBreak: "ts" }).state.size).toBe(0);
    const all = new Map(base().map((e) => [e.event_id, e]));
    expect(resolveStateV2([stateOf(base())], (id) => all.get(id), { tieBreak: "ts" }).state).toEqual(stateOf(base()));
  });
});
