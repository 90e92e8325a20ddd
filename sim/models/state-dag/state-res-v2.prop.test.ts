/**
 * Properties of state resolution v2 (resolveStateV2), under both tie-breaks:
 * - the result does not depend on the order of its input (state sets, their entries, auth events);
 * - resolving a resolved state with itself changes nothing;
 * - with no conflicts, the result is the state reached by applying the events in order (each
 *   checked by the room v11 rules, refused ones left out);
 * - it terminates on any input, cycles and missing events included, with a clear outcome: what it
 *   could not use is listed, and `complete` says whether anything was.
 * Fixed seed (test-support/fast-check.ts); FC_SEED and FC_RUNS override it.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fcParams } from "../../../test-support/fast-check.ts";
import { canonicalJson, type JsonObject } from "../../core/canonical-json.ts";
import { authEventKeys, checkAuthRules, stateKeyOf } from "../../world/auth-rules.ts";
import {
  type StateMap,
  type StateResEvent,
  type StateResolution,
  type TieBreak,
  resolveStateV2,
} from "./state-res-v2.ts";
import { statesOfDag } from "./state-res-v2-dag.ts";

const U = ["@alice:a.example", "@bob:b.example", "@carol:c.example", "@dan:d.example"] as const;
const TIE_BREAKS: readonly TieBreak[] = ["ts", "no-ts"];

/** One random step of a room's history. */
const step = fc.record({
  kind: fc.constantFrom("topic", "power", "rule", "invite", "join", "leave", "kick", "ban"),
  by: fc.nat(U.length - 1),
  target: fc.nat(U.length - 1),
  level: fc.constantFrom(0, 50, 100),
  rule: fc.constantFrom("public", "invite"),
  parents: fc.array(fc.nat(), { minLength: 1, maxLength: 3 }),
  ts: fc.nat(40),
  tag: fc.nat(0xffff),
});
type Step = typeof step extends fc.Arbitrary<infer T> ? T : never;

function contentOf(
  s: Step,
  current: (key: string) => StateResEvent | undefined,
): { type: string; stateKey: string; content: JsonObject } {
  const by = U[s.by]!;
  const target = U[s.target]!;
  switch (s.kind) {
    case "topic":
      return { type: "m.room.topic", stateKey: "", content: { topic: `t${s.tag}` } };
    case "power": {
      const pl = current(stateKeyOf("m.room.power_levels", ""))?.content ?? {};
      return {
        type: "m.room.power_levels",
        stateKey: "",
        content: { ...pl, users: { ...((pl.users as JsonObject) ?? {}), [target]: s.level } },
      };
    }
    case "rule":
      return { type: "m.room.join_rules", stateKey: "", content: { join_rule: s.rule } };
    case "join":
      return { type: "m.room.member", stateKey: by, content: { membership: "join" } };
    case "leave":
      return { type: "m.room.member", stateKey: by, content: { membership: "leave" } };
    case "kick":
      return { type: "m.room.member", stateKey: target, content: { membership: "leave" } };
    default:
      return { type: "m.room.member", stateKey: target, content: { membership: s.kind } };
  }
}

const initial = (): StateResEvent[] => {
  const [a, b, c, d] = U;
  const e = (
    i: number,
    sender: string,
    type: string,
    stateKey: string,
    content: JsonObject,
    auth: string[],
  ): StateResEvent => ({
    event_id: `$init${i}`,
    sender,
    type,
    state_key: stateKey,
    content,
    auth_events: auth,
    origin_server_ts: i,
    prev_events: i === 0 ? [] : [`$init${i - 1}`],
  });
  return [
    e(0, a, "m.room.create", "", {}, []),
    e(1, a, "m.room.member", a, { membership: "join" }, ["$init0"]),
    e(2, a, "m.room.power_levels", "", { users: { [a]: 100, [b]: 50, [c]: 50 } }, ["$init0", "$init1"]),
    e(3, a, "m.room.join_rules", "", { join_rule: "public" }, ["$init0", "$init1", "$init2"]),
    e(4, b, "m.room.member", b, { membership: "join" }, ["$init0", "$init2", "$init3"]),
    e(5, c, "m.room.member", c, { membership: "join" }, ["$init0", "$init2", "$init3"]),
    e(6, d, "m.room.member", d, { membership: "join" }, ["$init0", "$init2", "$init3"]),
  ];
};

/**
 * A room's history as a DAG, built as the classic graphs are: each event rests on 1 to 3 earlier
 * ones, its state before is the resolution of theirs, its auth events come from that state, and it
 * is placed without being checked (resolution checks it). Returns the events and each one's state after.
 */
function history(steps: readonly Step[], tieBreak: TieBreak) {
  const events = initial();
  const byId = new Map(events.map((e) => [e.event_id, e]));
  const after = new Map<string, Map<string, string>>();
  let state = new Map<string, string>();
  for (const e of events)
    after.set(e.event_id, (state = new Map(state).set(stateKeyOf(e.type, e.state_key!), e.event_id)));
  for (const [i, s] of steps.entries()) {
    const parents = [...new Set(s.parents.map((p) => events[p % events.length]!.event_id))].sort();
    const before =
      parents.length === 1
        ? new Map(after.get(parents[0]!)!)
        : resolveStateV2(
            parents.map((p) => after.get(p)!),
            (id) => byId.get(id),
            { tieBreak },
          ).state;
    const { type, stateKey, content } = contentOf(s, (key) => byId.get(before.get(key) ?? ""));
    const e: StateResEvent = {
      event_id: `$${s.tag.toString(16)}_${i}`,
      sender: U[s.by]!,
      type,
      state_key: stateKey,
      content,
      auth_events: [],
      origin_server_ts: 10 + s.ts,
      prev_events: parents,
    };
    e.auth_events = authEventKeys(e).flatMap(([t, k]) => before.get(stateKeyOf(t, k)) ?? []);
    events.push(e);
    byId.set(e.event_id, e);
    after.set(e.event_id, new Map(before).set(stateKeyOf(type, stateKey), e.event_id));
  }
  return { events, byId, after };
}

/** A history and 2 to 4 of its events whose states after are resolved together. */
const forks = fc.record({
  steps: fc.array(step, { minLength: 1, maxLength: 10 }),
  tips: fc.array(fc.nat(), { minLength: 2, maxLength: 4 }),
  seed: fc.integer(),
});

const summary = (r: StateResolution) =>
  canonicalJson({
    state: [...r.state],
    rejected: r.rejected,
    missing: r.missing,
    cyclic: r.cyclic,
    invalid: r.invalid,
    complete: r.complete,
  } as unknown as JsonObject);

/** The same state set, its entries inserted in another order. */
const reordered = (s: StateMap, rng: () => number): Map<string, string> => new Map([...s].sort(() => rng() - 0.5));

/** A small deterministic generator for shuffles inside a property (seeded by fast-check). */
function seeded(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return ((x >>> 0) % 1_000_003) / 1_000_003;
  };
}

describe("state resolution v2: properties", () => {
  for (const tieBreak of TIE_BREAKS) {
    it(`does not depend on the order of its input (${tieBreak})`, () => {
      fc.assert(
        fc.property(forks, ({ steps, tips, seed }) => {
          const { events, byId, after } = history(steps, tieBreak);
          const sets = tips.map((t) => after.get(events[t % events.length]!.event_id)!);
          const rng = seeded(seed);
          const shuffledSets = [...sets].sort(() => rng() - 0.5).map((s) => reordered(s, rng));
          const shuffledEvents = new Map(
            [...byId].map(([id, e]) => [id, { ...e, auth_events: [...e.auth_events].sort(() => rng() - 0.5) }]),
          );
          const one = resolveStateV2(sets, (id) => byId.get(id), { tieBreak });
          const two = resolveStateV2(shuffledSets, (id) => shuffledEvents.get(id), { tieBreak });
          expect(summary(two)).toBe(summary(one));
        }),
        fcParams(60),
      );
    });

    it(`resolving a resolved state with itself changes nothing (${tieBreak})`, () => {
      fc.assert(
        fc.property(forks, ({ steps, tips }) => {
          const { events, byId, after } = history(steps, tieBreak);
          const sets = tips.map((t) => after.get(events[t % events.length]!.event_id)!);
          const resolved = resolveStateV2(sets, (id) => byId.get(id), { tieBreak }).state;
          const again = resolveStateV2([resolved, new Map(resolved)], (id) => byId.get(id), { tieBreak });
          expect([...again.state]).toEqual([...resolved]);
          expect(again.rejected).toEqual([]);
          expect([...resolveStateV2([resolved], (id) => byId.get(id), { tieBreak }).state]).toEqual([...resolved]);
        }),
        fcParams(60),
      );
    });

    it(`with no conflicts, the result is the state of applying the events in order (${tieBreak})`, () => {
      fc.assert(
        fc.property(
          fc.array(step, { maxLength: 16 }),
          fc.integer({ min: 1, max: 3 }),
          fc.integer(),
          (steps, copies, seed) => {
            // Apply the events in order, each checked by the room v11 rules against the state so far.
            const events = initial();
            const byId = new Map(events.map((e) => [e.event_id, e]));
            const state = new Map(events.map((e) => [stateKeyOf(e.type, e.state_key!), e.event_id]));
            const lookup = (t: string, k: string) => byId.get(state.get(stateKeyOf(t, k)) ?? "");
            for (const [i, s] of steps.entries()) {
              const { type, stateKey, content } = contentOf(s, (key) => byId.get(state.get(key) ?? ""));
              const e: StateResEvent = {
                event_id: `$${s.tag.toString(16)}_${i}`,
                sender: U[s.by]!,
                type,
                state_key: stateKey,
                content,
                auth_events: [],
                origin_server_ts: 10 + i,
              };
              e.auth_events = authEventKeys(e).flatMap(([t, k]) => state.get(stateKeyOf(t, k)) ?? []);
              byId.set(e.event_id, e);
              if (checkAuthRules(e, lookup, { isJoined: () => false }) === null)
                state.set(stateKeyOf(type, stateKey), e.event_id);
            }
            const rng = seeded(seed);
            const sets = Array.from({ length: copies }, () => reordered(state, rng));
            const r = resolveStateV2(sets, (id) => byId.get(id), { tieBreak });
            expect([...r.state].sort()).toEqual([...state].sort());
            expect(r.rejected).toEqual([]);
            expect(r.complete).toBe(true);
          },
        ),
        fcParams(100),
      );
    });
  }

  for (const tieBreak of TIE_BREAKS) {
    it(`statesOfDag gives each event the state that building the history does, in any order (${tieBreak})`, () => {
      fc.assert(
        fc.property(forks, ({ steps, seed }) => {
          const { events, after } = history(steps, tieBreak);
          const rng = seeded(seed);
          const listed = [...events]
            .sort(() => rng() - 0.5)
            .map(({ auth_events: _a, ...e }) => ({ ...e, prev_events: e.prev_events! }));
          const dag = statesOfDag(listed, { tieBreak, check: false });
          expect(dag.unplaced).toEqual([]);
          for (const e of events)
            expect([...dag.after.get(e.event_id)!].sort(), e.event_id).toEqual([...after.get(e.event_id)!].sort());
        }),
        fcParams(40),
      );
    });
  }

  /** Anything at all: events with random auth events (cycles, self-references, missing IDs), random state sets. */
  const anyInput = fc.record({
    events: fc.array(
      fc.record({
        type: fc.constantFrom(
          "m.room.create",
          "m.room.member",
          "m.room.power_levels",
          "m.room.join_rules",
          "m.room.topic",
          "m.room.message",
        ),
        stateKey: fc.option(fc.constantFrom("", ...U), { nil: undefined }),
        sender: fc.constantFrom(...U),
        content: fc.constantFrom<JsonObject>(
          {},
          { membership: "join" },
          { membership: "ban" },
          { membership: "leave" },
          { users: { [U[1]]: 100 } },
          { join_rule: "public" },
        ),
        auth: fc.array(fc.nat(12), { maxLength: 5 }),
        ts: fc.nat(5),
        rejected: fc.boolean(),
      }),
      { maxLength: 10 },
    ),
    sets: fc.array(
      fc.array(
        fc.record({
          key: fc.constantFrom(
            "m.room.create\u0000",
            "m.room.topic\u0000",
            `m.room.member\u0000${U[1]}`,
            "m.room.power_levels\u0000",
            "m.room.join_rules\u0000",
          ),
          id: fc.nat(12),
        }),
        { maxLength: 5 },
      ),
      { maxLength: 4 },
    ),
  });

  it("terminates on any input, cycles and missing events included, with a clear outcome", () => {
    fc.assert(
      fc.property(anyInput, ({ events, sets }) => {
        // IDs $0..$12; only the first events.length exist, so the others are missing.
        const byId = new Map<string, StateResEvent>(
          events.map((x, i) => [
            `$${i}`,
            {
              event_id: `$${i}`,
              type: x.type,
              ...(x.stateKey !== undefined ? { state_key: x.stateKey } : {}),
              sender: x.sender,
              content: x.content,
              auth_events: x.auth.map((a) => `$${a}`),
              origin_server_ts: x.ts,
              rejected: x.rejected,
            },
          ]),
        );
        const stateSets = sets.map((s) => new Map<string, string>(s.map(({ key, id }) => [key, `$${id}`])));
        for (const tieBreak of TIE_BREAKS) {
          const r = resolveStateV2(stateSets, (id) => byId.get(id), { tieBreak });
          expect(r.complete).toBe(r.missing.length + r.cyclic.length + r.invalid.length === 0);
          // Missing: exactly the IDs the sets or the events reached name that do not exist.
          const named = new Set([
            ...stateSets.flatMap((m) => [...m.values()]),
            ...[...closure(stateSets, byId)].flatMap((id) => byId.get(id)!.auth_events),
          ]);
          expect(r.missing).toEqual([...named].filter((id) => !byId.has(id)).sort());
          // Cyclic: exactly the events reached that are on an auth cycle, or whose auth chain
          // holds one (found here by plain reachability, not by Kahn's algorithm).
          const cyclic = new Set(r.cyclic);
          const reached = closure(stateSets, byId);
          const onCycle = new Set([...reached].filter((id) => closure([new Map([["", id]])], byId, true).has(id)));
          const expected = [...reached]
            .filter((id) => [...closure([new Map([["", id]])], byId)].some((x) => onCycle.has(x)))
            .sort();
          expect(r.cyclic).toEqual(expected);
          // Every resolved entry is one the sets all agree on, or a usable event at its own key.
          for (const [key, id] of r.state) {
            const agreed = stateSets.length > 0 && stateSets.every((s) => s.get(key) === id);
            if (agreed) continue;
            const e = byId.get(id);
            expect(e, `${key} -> ${id}`).toBeDefined();
            expect(stateKeyOf(e!.type, e!.state_key ?? "\u0001not state")).toBe(key);
            expect(cyclic.has(id) || r.invalid.includes(id)).toBe(false);
          }
        }
      }),
      fcParams(300),
    );
  });
});

/**
 * Every existing event the state sets reach through auth events (an independent walk), the sets'
 * own events included unless `strict` (then only what their auth events reach).
 */
function closure(sets: readonly StateMap[], byId: Map<string, StateResEvent>, strict = false): Set<string> {
  const seen = new Set<string>();
  const starts = sets.flatMap((s) => [...s.values()]);
  const todo = strict ? starts.flatMap((id) => byId.get(id)?.auth_events ?? []) : starts;
  while (todo.length) {
    const id = todo.pop()!;
    const e = byId.get(id);
    if (!e || seen.has(id)) continue;
    seen.add(id);
    todo.push(...e.auth_events);
  }
  return seen;
}
