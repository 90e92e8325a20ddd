/**
 * The room state a state-DAG client derives from the signed nodes it knows, by state resolution v2
 * (`state-res-v2.ts`, `statesOfDag` in `state-res-v2-dag.ts`) under the homeservers' room v11 rules
 * (`sim/world/auth-rules.ts`). This replaces the greedy one-pass resolver the model had before.
 *
 * - Each node is one event: its signed `prev_state` are its prev_events, its signed claimed time is
 *   its origin_server_ts (`ts`; `no-ts` breaks ties by ID alone), its auth events are chosen from
 *   the state before it, and a node the rules refuse on that state is rejected (state unchanged).
 * - The state before a node is the resolution of its parents' states after; the room's state is the
 *   resolution of the states after the DAG's heads.
 * - What `/createRoom` adds without the creator's signature (the creator's join, default power
 *   levels, an `invite` join rule) is chained right after the create; a node naming the create as a
 *   parent rests on the last of them, as on the homeserver.
 * - A node whose `prev_state` is missing or on a cycle is unplaced, and so is everything after it.
 */
import type { DagNode } from "../../core/state-dag.ts";
import { type AuthContext, stateKeyOf } from "../../world/auth-rules.ts";
import { defaultPowerLevels } from "../../world/room.ts";
import { type StateResEvent, type TieBreak, resolveStateV2 } from "./state-res-v2.ts";
import { type DagEvent, statesOfDag } from "./state-res-v2-dag.ts";

export type { TieBreak };

/**
 * Policy: resolution does not look into other rooms. A restricted join's proof of membership
 * elsewhere is the membership tree's to verify (the state-DAG model requires both), so here the
 * allowed rooms' membership is taken as given.
 */
const OTHER_ROOMS_BY_THE_TREE: AuthContext = { isJoined: () => true };

/**
 * Policy: a node whose signature is not a real member's (see `authenticNodes` in index.ts) keeps its
 * place in the DAG, so that honest nodes resting on it can still be placed, but it is sent by this
 * user, who is never joined and names no one else's key: the rules refuse it, whatever it says.
 */
export const UNAUTHENTICATED_SENDER = "@unauthenticated-dag-node:invalid";

export interface DagResolution {
  /** The room's state: key to event (node) ID. */
  state: Map<string, string>;
  /** Every placed event, by ID (nodes and the homeserver's defaults). */
  events: Map<string, StateResEvent>;
  /** Users joined in the room's state. */
  joined: string[];
  /** Nodes never placed: a prev_state is missing or on a cycle, or they descend from one that is. */
  unplaced: string[];
  /** prev_state named by some node but not known. */
  missing: string[];
  /** Nodes the rules refused on the state before them, and why. */
  rejected: { id: string; rule: string; why: string }[];
  /** Resolutions that were not complete: at a node (the state before it), or `null` for the room's state. */
  incomplete: { at: string | null; missing: string[]; cyclic: string[]; invalid: string[] }[];
  /** The algorithm, by name, for the report. */
  algorithm: string;
}

export const ALGORITHM =
  "state resolution v2 (Matrix spec, room versions 2 to 11) over the signed DAG, room v11 auth rules";

const defaultIds = (create: DagNode) => {
  const tag = create.id.slice(1, 9);
  return { join: `$default-join-${tag}`, power: `$default-power-${tag}`, rule: `$default-rule-${tag}` };
};

/**
 * Resolve the state the DAG implies. `authentic` says which nodes are signed by the sender's real
 * keys; the others are refused (see UNAUTHENTICATED_SENDER). Pure: the order of `nodes` does not matter.
 */
export function resolveDagV2(
  nodes: Iterable<DagNode>,
  tieBreak: TieBreak,
  authentic: (n: DagNode) => boolean = () => true,
): DagResolution {
  const byId = new Map<string, DagNode>();
  for (const n of nodes) if (!byId.has(n.id)) byId.set(n.id, n);
  // The create: an authentic m.room.create with no parents. Policy: a root that is not an authentic
  // create is left out (a forged room start has no state to offer), so nodes resting on it are unplaced.
  const creates = [...byId.values()].filter((n) => n.type === "m.room.create" && n.prev_state.length === 0);
  const create = creates.filter((n) => authentic(n)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))[0];
  const defaults = create ? defaultIds(create) : undefined;
  const events: DagEvent[] = [];
  if (create && defaults) {
    const base = { sender: create.sender, origin_server_ts: create.ts };
    events.push({
      ...base,
      event_id: create.id,
      type: create.type,
      state_key: "",
      content: create.content,
      prev_events: [],
    });
    events.push({
      ...base,
      event_id: defaults.join,
      type: "m.room.member",
      state_key: create.sender,
      content: { membership: "join" },
      prev_events: [create.id],
    });
    events.push({
      ...base,
      event_id: defaults.power,
      type: "m.room.power_levels",
      state_key: "",
      content: defaultPowerLevels(create.sender),
      prev_events: [defaults.join],
    });
    events.push({
      ...base,
      event_id: defaults.rule,
      type: "m.room.join_rules",
      state_key: "",
      content: { join_rule: "invite" },
      prev_events: [defaults.power],
    });
  }
  for (const n of byId.values()) {
    if (n.prev_state.length === 0) continue; // a root: the create, or left out
    const prev = [...new Set(n.prev_state.map((p) => (create && defaults && p === create.id ? defaults.rule : p)))];
    events.push({
      event_id: n.id,
      type: n.type,
      state_key: n.state_key,
      sender: authentic(n) ? n.sender : UNAUTHENTICATED_SENDER,
      content: n.content,
      origin_server_ts: n.ts,
      prev_events: prev,
    });
  }
  const options = { tieBreak, ctx: OTHER_ROOMS_BY_THE_TREE, check: true };
  const dag = statesOfDag(events, options);
  const incomplete: DagResolution["incomplete"] = dag.incomplete.map((x) => ({ at: x.id, ...x.resolution }));

  // The heads: placed events no placed event names as a parent.
  const parents = new Set<string>();
  for (const e of events) if (dag.after.has(e.event_id)) for (const p of e.prev_events) parents.add(p);
  const heads = [...dag.after.keys()].filter((id) => !parents.has(id)).sort();
  let state = new Map<string, string>();
  if (heads.length === 1) state = new Map(dag.after.get(heads[0]!)!);
  else if (heads.length > 1) {
    const r = resolveStateV2(
      heads.map((h) => dag.after.get(h)!),
      (id) => dag.events.get(id),
      options,
    );
    if (!r.complete) incomplete.push({ at: null, missing: r.missing, cyclic: r.cyclic, invalid: r.invalid });
    state = r.state;
  }
  const joined: string[] = [];
  const memberPrefix = stateKeyOf("m.room.member", "");
  for (const [key, id] of state) {
    if (!key.startsWith(memberPrefix)) continue;
    const e = dag.events.get(id);
    if (e?.content.membership === "join" && e.state_key !== undefined) joined.push(e.state_key);
  }
  return {
    state,
    events: dag.events,
    joined: joined.sort(),
    unplaced: dag.unplaced.filter((id) => byId.has(id)),
    missing: dag.missing,
    rejected: dag.rejected,
    incomplete,
    algorithm: ALGORITHM,
  };
}
