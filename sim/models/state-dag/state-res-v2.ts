/**
 * State resolution v2 (Matrix spec, room versions §v2 "State resolution", which room v11 uses), as
 * one pure function. The spec's definitions and algorithm steps are the helpers below, in the
 * spec's order, each citing its paragraph:
 *
 *   separate             "Unconflicted state map and conflicted state set"
 *   authDifference       "Auth chain", "Auth difference"
 *   fullConflictedSet    "Full conflicted set"
 *   step 1               "Power events", "Reverse topological power ordering"
 *   step 2 and 4         "Iterative auth checks", with the room v11 rules of sim/world/auth-rules.ts
 *   step 3               "Mainline ordering"
 *   step 5               the unconflicted state map applied last
 *
 * Input is untrusted: auth events may be missing, form cycles, or be anything at all. Every walk
 * over the graph iterates with a visited set (no recursion), and the result says what it could
 * not use (`missing`, `cyclic`, `invalid`), so it always terminates with a clear outcome.
 */
import {
  type AuthContext,
  type AuthEvent,
  type AuthState,
  authEventKeys,
  checkAuthRules,
  isPowerEvent,
  powerLevelOf,
  stateKeyOf,
} from "../../world/auth-rules.ts";

/** An event as resolution needs it: an auth-rules event with its time and auth events. */
export interface StateResEvent extends AuthEvent {
  /** For the `ts` tie-break. On the signed DAG: the node's signed claimed time. */
  origin_server_ts: number;
  /** The events that authorise it. On the signed DAG: chosen from the state before the node. */
  auth_events: readonly string[];
  /** Its prev_events, if known (the rules for a create and the creator's first join use them). */
  prev_events?: readonly string[];
  /** Rejected against its own auth events when it was received: never used as an auth event. */
  rejected?: boolean;
}

/** A state set: `stateKeyOf(type, state_key)` to event ID. */
export type StateMap = ReadonlyMap<string, string>;

/** `ts`: ties broken by timestamp, then ID. `no-ts`: by ID alone (the timestamp is not looked at). */
export type TieBreak = "ts" | "no-ts";

export interface ResolveOptions {
  tieBreak: TieBreak;
  /**
   * For the auth rules' restricted joins. Policy: by default no user is joined to any other room,
   * so a restricted join without an invite is refused; a caller that can vouch for membership
   * elsewhere (the state-DAG model, through the membership tree) passes its own.
   */
  ctx?: AuthContext;
}

export interface StateResolution {
  /** The resolved state: key to event ID. */
  state: Map<string, string>;
  /** Events the iterative auth checks refused (in the order they were checked), with the rule. */
  rejected: { id: string; rule: string; why: string }[];
  /** IDs referenced (in a state set or as an auth event) that `fetch` could not supply. */
  missing: string[];
  /** Events whose auth chain runs into a cycle: they have no place in any order, and are left out. */
  cyclic: string[];
  /** Events supplied but unusable: not a state event, or at another key than the state set says. */
  invalid: string[];
  /** True when nothing was missing, cyclic or invalid. */
  complete: boolean;
}

const NO_OTHER_ROOMS: AuthContext = { isJoined: () => false };

const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The events resolution can reach, fetched once each. An event `fetch` cannot supply, or supplies
 * with another ID, is `missing`.
 */
class EventGraph {
  private readonly events = new Map<string, StateResEvent | null>();
  readonly missing = new Set<string>();

  constructor(private readonly fetch: (id: string) => StateResEvent | undefined) {}

  get(id: string): StateResEvent | undefined {
    let e = this.events.get(id);
    if (e === undefined) {
      const got = this.fetch(id);
      e = got && got.event_id === id && Array.isArray(got.auth_events) ? got : null;
      this.events.set(id, e);
      if (!e) this.missing.add(id);
    }
    return e ?? undefined;
  }

  /** The auth events of `e` that can be fetched. */
  authEvents(e: StateResEvent): StateResEvent[] {
    return e.auth_events.flatMap((id) => this.get(id) ?? []);
  }

  /** Every event reached so far (fetched successfully). */
  reached(): StateResEvent[] {
    return [...this.events.values()].filter((e): e is StateResEvent => e !== null);
  }
}

/** Resolve `stateSets` (state resolution v2). Pure: the result depends only on the input. */
export function resolveStateV2(
  stateSets: readonly StateMap[],
  fetch: (id: string) => StateResEvent | undefined,
  options: ResolveOptions,
): StateResolution {
  const graph = new EventGraph(fetch);
  const ctx = options.ctx ?? NO_OTHER_ROOMS;
  const invalid = new Set<string>();

  const { unconflicted, conflicted } = separate(stateSets);
  const full = fullConflictedSet(conflicted, authDifference(stateSets, graph));

  // Policy: the state sets' own events must be state events at the key the set files them under;
  // any other is `invalid` and takes no part (a conflicted one is simply not applied).
  for (const set of stateSets) {
    for (const [key, id] of set) {
      const e = graph.get(id);
      if (e && (e.state_key === undefined || stateKeyOf(e.type, e.state_key) !== key)) invalid.add(id);
    }
  }
  const cyclic = eventsOnAuthCycles(graph);
  const usable: StateResEvent[] = [];
  for (const id of [...full].sort(byId)) {
    const e = graph.get(id);
    if (!e || cyclic.has(id) || invalid.has(id)) continue;
    if (e.state_key === undefined) {
      invalid.add(id);
      continue;
    }
    usable.push(e);
  }

  // 1. Select all power events in the full conflicted set, with their auth chains (within the
  //    full conflicted set), sorted by the reverse topological power ordering.
  const powerEvents = powerEventsAndTheirAuthChains(usable, graph);
  const sortedPower = reverseTopologicalPowerOrdering(powerEvents, graph, options.tieBreak);
  // 2. Iterative auth checks, starting from the unconflicted state map.
  const rejected: StateResolution["rejected"] = [];
  const partial = iterativeAuthChecks(new Map(unconflicted), sortedPower, graph, ctx, rejected);
  // 3. The remaining events, in the mainline ordering based on the partially resolved power levels.
  const picked = new Set(sortedPower.map((e) => e.event_id));
  const remaining = usable.filter((e) => !picked.has(e.event_id));
  const sortedRest = mainlineOrdering(
    remaining,
    partial.get(stateKeyOf("m.room.power_levels", "")),
    graph,
    options.tieBreak,
  );
  // 4. Iterative auth checks on the partially resolved state and those events.
  const resolved = iterativeAuthChecks(partial, sortedRest, graph, ctx, rejected);
  // 5. Replace any event with the one at the same key in the unconflicted state map.
  for (const [key, id] of unconflicted) resolved.set(key, id);

  const state = new Map([...resolved].sort(([a], [b]) => byId(a, b)));
  const missing = [...graph.missing].sort(byId);
  const cyclicList = [...cyclic].sort(byId);
  const invalidList = [...invalid].sort(byId);
  return {
    state,
    rejected,
    missing,
    cyclic: cyclicList,
    invalid: invalidList,
    complete: missing.length + cyclicList.length + invalidList.length === 0,
  };
}

// ---------------------------------------------------------------------------------------------
// Definitions

/**
 * "Unconflicted state map and conflicted state set": a key present in every state set with the
 * same event is unconflicted; every other key (different events, or absent from some set) is
 * conflicted, with all the events the sets give it.
 */
export function separate(stateSets: readonly StateMap[]): {
  unconflicted: Map<string, string>;
  conflicted: Map<string, Set<string>>;
} {
  const unconflicted = new Map<string, string>();
  const conflicted = new Map<string, Set<string>>();
  const keys = new Set(stateSets.flatMap((s) => [...s.keys()]));
  for (const key of [...keys].sort(byId)) {
    const values = stateSets.map((s) => s.get(key));
    const first = values[0];
    if (first !== undefined && values.every((v) => v === first)) unconflicted.set(key, first);
    else conflicted.set(key, new Set(values.filter((v): v is string => v !== undefined)));
  }
  return { unconflicted, conflicted };
}

/**
 * "Auth chain": all of an event's auth events, theirs, and so on. Here the union over a state
 * set's events (its "full auth chain"), walked iteratively; a missing event ends its branch.
 *
 * Policy: the full auth chain of a state set includes the set's own events, as Synapse
 * (`get_auth_chain_difference`) and ruma compute it. Read literally, the spec leaves them out, and
 * then an unconflicted event that no event of some other set happens to cite lands in the auth
 * difference and is re-checked and re-ordered with the conflicted ones (step 5 restores it, but its
 * place in the orderings can still move others), which no homeserver does.
 */
function fullAuthChain(starts: Iterable<string>, graph: EventGraph): Set<string> {
  const chain = new Set<string>();
  const stack = [...starts];
  while (stack.length) {
    const id = stack.pop()!;
    if (chain.has(id)) continue;
    chain.add(id);
    const e = graph.get(id);
    if (e) stack.push(...e.auth_events);
  }
  return chain;
}

/** "Auth difference": the union of the state sets' full auth chains, less their intersection. */
export function authDifferenceOf(chains: readonly Set<string>[]): Set<string> {
  const union = new Set(chains.flatMap((c) => [...c]));
  return new Set([...union].filter((id) => !chains.every((c) => c.has(id))));
}

function authDifference(stateSets: readonly StateMap[], graph: EventGraph): Set<string> {
  return authDifferenceOf(stateSets.map((s) => fullAuthChain(s.values(), graph)));
}

/** "Full conflicted set": the conflicted state set and the auth difference. */
function fullConflictedSet(conflicted: Map<string, Set<string>>, authDiff: Set<string>): Set<string> {
  const full = new Set(authDiff);
  for (const ids of conflicted.values()) for (const id of ids) full.add(id);
  return full;
}

/**
 * Policy: events whose auth chain runs into a cycle (no honest history has one: an event's auth
 * events exist before it) are found by Kahn's algorithm over every event reached, and left out of
 * the orderings; the caller learns of them in `cyclic`. Auth events that are missing count as absent.
 */
function eventsOnAuthCycles(graph: EventGraph): Set<string> {
  const events = graph.reached();
  const present = new Set(events.map((e) => e.event_id));
  const waiting = new Map<string, number>();
  const dependants = new Map<string, string[]>();
  for (const e of events) {
    const parents = [...new Set(e.auth_events)].filter((id) => present.has(id));
    waiting.set(e.event_id, parents.length);
    for (const p of parents) dependants.set(p, [...(dependants.get(p) ?? []), e.event_id]);
  }
  const ready = events.filter((e) => waiting.get(e.event_id) === 0).map((e) => e.event_id);
  while (ready.length) {
    const id = ready.pop()!;
    for (const d of dependants.get(id) ?? []) {
      const left = waiting.get(d)! - 1;
      waiting.set(d, left);
      if (left === 0) ready.push(d);
    }
  }
  return new Set([...waiting].filter(([, left]) => left > 0).map(([id]) => id));
}

// ---------------------------------------------------------------------------------------------
// Step 1: power events, in the reverse topological power ordering

/**
 * "Select all power events that appear in the full conflicted set. Compute the union of their auth
 * chains, including the power events themselves." Policy: as Synapse and ruma do, the auth chains
 * are taken within the full conflicted set (`usable`): events outside it are in every state set's
 * auth chain, history all the sets share, and are not re-applied.
 */
function powerEventsAndTheirAuthChains(usable: readonly StateResEvent[], graph: EventGraph): StateResEvent[] {
  const inSet = new Map(usable.map((e) => [e.event_id, e]));
  const picked = new Map<string, StateResEvent>();
  const stack = usable.filter((e) => isPowerEvent(e));
  while (stack.length) {
    const e = stack.pop()!;
    if (picked.has(e.event_id)) continue;
    picked.set(e.event_id, e);
    for (const a of graph.authEvents(e)) {
      const inside = inSet.get(a.event_id);
      if (inside) stack.push(inside);
    }
  }
  return [...picked.values()];
}

/**
 * "Reverse topological power ordering": the lexicographically smallest topological ordering of the
 * DAG the auth events form (auth events first), by Kahn's algorithm choosing at each step the
 * smallest candidate, where x < y if x's sender has the greater power level (looking at x's and
 * y's own auth events), then the smaller origin_server_ts (`ts` only), then the smaller event ID.
 */
function reverseTopologicalPowerOrdering(
  events: readonly StateResEvent[],
  graph: EventGraph,
  tieBreak: TieBreak,
): StateResEvent[] {
  const inSet = new Map(events.map((e) => [e.event_id, e]));
  const power = new Map(events.map((e) => [e.event_id, powerLevelOf(authLookup(e, graph), e.sender)]));
  const before = (x: StateResEvent, y: StateResEvent): number => {
    const p = power.get(y.event_id)! - power.get(x.event_id)!;
    if (p !== 0) return p;
    if (tieBreak === "ts" && x.origin_server_ts !== y.origin_server_ts)
      return x.origin_server_ts < y.origin_server_ts ? -1 : 1;
    return byId(x.event_id, y.event_id);
  };
  return kahn(inSet, before);
}

/**
 * Kahn's algorithm over the auth-event edges within `inSet`, taking the smallest ready event each
 * time. The caller removed every event on a cycle, so every event is placed; should one not be,
 * it is left out rather than looped on.
 */
function kahn(
  inSet: Map<string, StateResEvent>,
  before: (x: StateResEvent, y: StateResEvent) => number,
): StateResEvent[] {
  const waiting = new Map<string, number>();
  const dependants = new Map<string, StateResEvent[]>();
  for (const e of inSet.values()) {
    const parents = [...new Set(e.auth_events)].filter((id) => inSet.has(id));
    waiting.set(e.event_id, parents.length);
    for (const p of parents) dependants.set(p, [...(dependants.get(p) ?? []), e]);
  }
  const ready = [...inSet.values()].filter((e) => waiting.get(e.event_id) === 0);
  const out: StateResEvent[] = [];
  while (ready.length) {
    let best = 0;
    for (let i = 1; i < ready.length; i++) if (before(ready[i]!, ready[best]!) < 0) best = i;
    const [next] = ready.splice(best, 1);
    out.push(next!);
    for (const d of dependants.get(next!.event_id) ?? []) {
      const left = waiting.get(d.event_id)! - 1;
      waiting.set(d.event_id, left);
      if (left === 0) ready.push(d);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Steps 2 and 4: iterative auth checks

/**
 * An event's auth events as an auth state, rejected ones left out ("if the auth event is not
 * rejected"). Policy: an event whose auth events hold two entries for one key, or one at a key
 * the auth events selection does not name, fails rule 2.1 or 2.2 in the iterative auth checks
 * (`authEventsProblem`).
 */
function authLookup(e: StateResEvent, graph: EventGraph): AuthState {
  const map = new Map<string, StateResEvent>();
  for (const a of graph.authEvents(e)) {
    if (a.rejected || a.state_key === undefined) continue;
    // Two for one key (refused by rule 2.1 anyway): the smaller ID, so the sort does not depend on
    // the order auth_events lists them in.
    const key = stateKeyOf(a.type, a.state_key);
    const other = map.get(key);
    if (!other || byId(a.event_id, other.event_id) < 0) map.set(key, a);
  }
  return (type, stateKey) => map.get(stateKeyOf(type, stateKey));
}

function authEventsProblem(e: StateResEvent, graph: EventGraph): { rule: string; why: string } | null {
  const allowed = new Set(authEventKeys(e).map(([t, k]) => stateKeyOf(t, k)));
  const seen = new Set<string>();
  for (const a of graph.authEvents(e)) {
    const key = a.state_key === undefined ? undefined : stateKeyOf(a.type, a.state_key);
    if (key === undefined || !allowed.has(key))
      return { rule: "2.2", why: `auth event ${a.event_id} is not one the auth events selection names` };
    if (seen.has(key)) return { rule: "2.1", why: `two auth events for ${a.type} ${JSON.stringify(a.state_key)}` };
    seen.add(key);
  }
  return null;
}

/**
 * "Iterative auth checks": apply each event in turn to the state if the authorization rules allow
 * it; a key the rules need that the state lacks comes from the event's own (non-rejected) auth
 * events. The rules see only the keys of the auth events selection, as in the spec's auth events.
 */
function iterativeAuthChecks(
  state: Map<string, string>,
  events: readonly StateResEvent[],
  graph: EventGraph,
  ctx: AuthContext,
  rejected: StateResolution["rejected"],
): Map<string, string> {
  for (const e of events) {
    const problem = authEventsProblem(e, graph);
    if (problem) {
      rejected.push({ id: e.event_id, ...problem });
      continue;
    }
    const own = authLookup(e, graph);
    const needed = new Set(authEventKeys(e).map(([t, k]) => stateKeyOf(t, k)));
    const lookup: AuthState = (type, stateKey) => {
      const key = stateKeyOf(type, stateKey);
      if (!needed.has(key)) return undefined;
      const id = state.get(key);
      const current = id === undefined ? undefined : graph.get(id);
      return current && !current.rejected ? current : own(type, stateKey);
    };
    const why = checkAuthRules(e, lookup, e.prev_events ? { isJoined: ctx.isJoined, prevEvents: e.prev_events } : ctx);
    if (why) rejected.push({ id: e.event_id, ...why });
    else state.set(stateKeyOf(e.type, e.state_key!), e.event_id);
  }
  return state;
}

// ---------------------------------------------------------------------------------------------
// Step 3: mainline ordering

/**
 * The m.room.power_levels event among `e`'s auth events. Policy: if there are several (rule 2.1
 * forbids it), the one with the smallest ID, so that the order of auth_events does not matter.
 */
function powerLevelsAuthEvent(e: StateResEvent, graph: EventGraph): StateResEvent | undefined {
  const pls = graph.authEvents(e).filter((a) => a.type === "m.room.power_levels" && a.state_key === "");
  return pls.sort((a, b) => byId(a.event_id, b.event_id))[0];
}

/**
 * "Mainline ordering": the mainline of P is [P0 = P, P1, …], each the power levels in the auth
 * events of the one before. An event's mainline position is the index i of the first e_j (j >= 1)
 * on its own chain of power-levels auth events that is on the mainline, or infinity if none is;
 * events sort by greater position first, then smaller origin_server_ts (`ts` only), then smaller
 * ID. Both walks stop at an event they have met already (a cycle) or cannot fetch.
 */
function mainlineOrdering(
  events: readonly StateResEvent[],
  resolvedPowerLevels: string | undefined,
  graph: EventGraph,
  tieBreak: TieBreak,
): StateResEvent[] {
  const mainline = new Map<string, number>();
  let p = resolvedPowerLevels === undefined ? undefined : graph.get(resolvedPowerLevels);
  while (p && !mainline.has(p.event_id)) {
    mainline.set(p.event_id, mainline.size);
    p = powerLevelsAuthEvent(p, graph);
  }
  const position = new Map<string, number>();
  for (const e of events) {
    const seen = new Set<string>([e.event_id]);
    let pos = Number.POSITIVE_INFINITY;
    let q = powerLevelsAuthEvent(e, graph);
    while (q && !seen.has(q.event_id)) {
      const i = mainline.get(q.event_id);
      if (i !== undefined) {
        pos = i;
        break;
      }
      seen.add(q.event_id);
      q = powerLevelsAuthEvent(q, graph);
    }
    position.set(e.event_id, pos);
  }
  return [...events].sort((x, y) => {
    const [px, py] = [position.get(x.event_id)!, position.get(y.event_id)!];
    if (px !== py) return px > py ? -1 : 1;
    if (tieBreak === "ts" && x.origin_server_ts !== y.origin_server_ts)
      return x.origin_server_ts < y.origin_server_ts ? -1 : 1;
    return byId(x.event_id, y.event_id);
  });
}
