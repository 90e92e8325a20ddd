/**
 * The state at every event of a DAG, by state resolution v2 (Matrix spec, room versions §v2 "State
 * resolution", opening paragraphs): the state S(E) before an event E is the resolution of the
 * states S'(P) after its prev_events P (S(E) is empty for the create, and S'(P) itself for one
 * parent); S'(E) is S(E) with E at its key. E's auth events are chosen from S(E) by the auth events
 * selection (server-server API). This is how the signed state DAG gives each node its auth events:
 * the node's signed `prev_state` are its prev_events.
 *
 * Events are placed parents first (Kahn's algorithm, ties by ID), iteratively. An event whose
 * prev_events are missing, or lead into a cycle, has no state before: it is `unplaced`, and so is
 * everything after it.
 */
import { type AuthContext, authEventKeys, checkAuthRules, stateKeyOf } from "../../world/auth-rules.ts";
import { type ResolveOptions, type StateResEvent, type StateResolution, resolveStateV2 } from "./state-res-v2.ts";

/** An event of the DAG: an auth-rules event with its time and its prev_events. */
export type DagEvent = Omit<StateResEvent, "auth_events" | "rejected" | "prev_events"> & {
  prev_events: readonly string[];
};

export interface DagStatesOptions extends ResolveOptions {
  /**
   * Check each event against the auth rules on the state before it, as a server does on receipt:
   * one that fails is `rejected` (never an auth event) and leaves the state as it was. Off, events
   * are placed unchecked (as the classic graphs are built), and only resolution checks them.
   */
  check: boolean;
}

export interface DagStates {
  /** Each placed event, with its auth events (and `rejected`, when checked and refused). */
  events: Map<string, StateResEvent>;
  before: Map<string, Map<string, string>>;
  after: Map<string, Map<string, string>>;
  /** Events never placed: a prev_event is missing or on a cycle, or they descend from one that is. */
  unplaced: string[];
  /** prev_events named but not given. */
  missing: string[];
  /** Events the auth rules refused on the state before them (with `check`), and why. */
  rejected: { id: string; rule: string; why: string }[];
  /** Events the resolution of the state before `at` refused (its iterative auth checks). */
  refusedInResolution: { at: string; id: string; rule: string; why: string }[];
  /** Events whose state before came from a resolution that was not complete. */
  incomplete: { id: string; resolution: Pick<StateResolution, "missing" | "cyclic" | "invalid"> }[];
}

const NO_OTHER_ROOMS: AuthContext = { isJoined: () => false };

/** The states before and after every event of `dag`. Pure; the order `dag` lists events in does not matter. */
export function statesOfDag(dag: Iterable<DagEvent>, options: DagStatesOptions): DagStates {
  const given = new Map<string, DagEvent>();
  for (const e of dag) if (!given.has(e.event_id)) given.set(e.event_id, e);
  const missing = new Set<string>();
  const waiting = new Map<string, number>();
  const children = new Map<string, string[]>();
  for (const e of given.values()) {
    const parents = [...new Set(e.prev_events)];
    for (const p of parents) if (!given.has(p)) missing.add(p);
    waiting.set(e.event_id, parents.length);
    for (const p of parents) children.set(p, [...(children.get(p) ?? []), e.event_id]);
  }
  const out: DagStates = {
    events: new Map(),
    before: new Map(),
    after: new Map(),
    unplaced: [],
    missing: [...missing].sort(),
    rejected: [],
    refusedInResolution: [],
    incomplete: [],
  };
  const ready = [...given.values()].filter((e) => e.prev_events.length === 0).map((e) => e.event_id);
  while (ready.length) {
    ready.sort((a, b) => (a < b ? 1 : a > b ? -1 : 0));
    const id = ready.pop()!;
    place(given.get(id)!, out, options);
    for (const c of children.get(id) ?? []) {
      const left = waiting.get(c)! - 1;
      waiting.set(c, left);
      if (left === 0) ready.push(c);
    }
  }
  out.unplaced = [...given.keys()].filter((id) => !out.after.has(id)).sort();
  return out;
}

function place(e: DagEvent, out: DagStates, options: DagStatesOptions): void {
  const parents = [...new Set(e.prev_events)].sort();
  let before: Map<string, string>;
  if (parents.length === 0) before = new Map();
  else if (parents.length === 1) before = new Map(out.after.get(parents[0]!)!);
  else {
    const r = resolveStateV2(
      parents.map((p) => out.after.get(p)!),
      (id) => out.events.get(id),
      options,
    );
    for (const x of r.rejected) out.refusedInResolution.push({ at: e.event_id, ...x });
    if (!r.complete)
      out.incomplete.push({ id: e.event_id, resolution: { missing: r.missing, cyclic: r.cyclic, invalid: r.invalid } });
    before = r.state;
  }
  const event: StateResEvent = {
    ...e,
    auth_events: authEventKeys(e).flatMap(([t, k]) => before.get(stateKeyOf(t, k)) ?? []),
  };
  const after = new Map(before);
  if (options.check) {
    const lookup = (type: string, stateKey: string) => out.events.get(before.get(stateKeyOf(type, stateKey)) ?? "");
    const why = checkAuthRules(event, lookup, {
      isJoined: (options.ctx ?? NO_OTHER_ROOMS).isJoined,
      prevEvents: parents,
    });
    if (why) {
      event.rejected = true;
      out.rejected.push({ id: e.event_id, ...why });
    }
  }
  if (!event.rejected && e.state_key !== undefined) after.set(stateKeyOf(e.type, e.state_key), e.event_id);
  out.events.set(e.event_id, event);
  out.before.set(e.event_id, before);
  out.after.set(e.event_id, after);
}
