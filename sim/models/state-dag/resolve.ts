/**
 * Client-side state resolution over the signed state DAG (DESIGN.md §7): the auth rules of room
 * v11 (power levels, bans, join rules, invite/kick/ban levels; `authorize` in room.ts) applied to
 * the DAG's nodes in a deterministic topological order. Concurrent nodes are ordered by the
 * sender's power level (highest first), then, with the `ts` tie-break, the claimed timestamp
 * (earliest first), then the node ID. This follows state resolution v2's ordering of power events;
 * `no-ts` leaves timestamps out, because the proposal's footnote 1 says the result for banned
 * members depends on whether timestamps can be falsified.
 */
import type { DagNode } from "../../core/state-dag.ts";
import { type AuthContext, RoomReplica, authorize, defaultPowerLevels, type WorldEvent } from "../../world/room.ts";

export type TieBreak = "ts" | "no-ts";

export interface Resolution {
  state: RoomReplica;
  /** Nodes in the order they were applied, and those the rules refused. */
  applied: string[];
  refused: { id: string; why: string }[];
  /** Nodes left out because an ancestor is missing (they cannot be placed). */
  unplaced: string[];
}

/**
 * Policy: resolution does not look into other rooms. A restricted join's proof of membership
 * elsewhere is the membership tree's to verify (the state-DAG model requires both), so here the
 * allowed rooms' membership is taken as given.
 */
const OTHER_ROOMS_BY_THE_TREE: AuthContext = { isJoined: () => true };

function asEvent(n: DagNode): WorldEvent {
  return { event_id: n.id, room_id: "", type: n.type, state_key: n.state_key, sender: n.sender, content: n.content, origin_server_ts: n.ts };
}

/**
 * Resolve the state the DAG implies; the result does not depend on the order `nodes` are given in.
 * Every node (its signature checked) takes its place in the order, but only those `authentic`
 * accepts (signed by the sender's real keys) can change the state: the others are refused.
 */
export function resolveDag(nodes: Iterable<DagNode>, tieBreak: TieBreak, authentic: (n: DagNode) => boolean = () => true): Resolution {
  const byId = new Map<string, DagNode>();
  for (const n of nodes) if (!byId.has(n.id)) byId.set(n.id, n);
  // Only nodes whose every ancestor is present can be placed: from each node that names a missing
  // one, mark it and everything below it.
  const children = new Map<string, string[]>();
  for (const n of byId.values()) for (const p of n.prev_state) children.set(p, [...(children.get(p) ?? []), n.id]);
  const unplaceable = new Set<string>();
  const queue = [...byId.values()].filter((n) => n.prev_state.some((p) => !byId.has(p))).map((n) => n.id);
  while (queue.length) {
    const id = queue.pop()!;
    if (unplaceable.has(id)) continue;
    unplaceable.add(id);
    queue.push(...(children.get(id) ?? []));
  }
  const present = [...byId.values()].filter((n) => !unplaceable.has(n.id));
  const unplaced = [...unplaceable].sort();

  const room = new RoomReplica("!resolved");
  const applied: string[] = [];
  const refused: { id: string; why: string }[] = [];
  const waiting = new Map(present.map((n) => [n.id, new Set(n.prev_state)]));
  const ready = new Set(present.filter((n) => n.prev_state.length === 0).map((n) => n.id));

  const before = (a: DagNode, b: DagNode): number => {
    const power = room.events.length ? room.power(b.sender) - room.power(a.sender) : 0;
    if (power !== 0) return power;
    if (tieBreak === "ts" && a.ts !== b.ts) return a.ts - b.ts;
    return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  };

  while (ready.size > 0) {
    const next = [...ready].map((id) => byId.get(id)!).sort(before)[0]!;
    ready.delete(next.id);
    const e = asEvent(next);
    const why = authentic(next) ? authorize(room, e, OTHER_ROOMS_BY_THE_TREE) : "not signed by keys the sender is verified to hold";
    if (why) refused.push({ id: next.id, why });
    else {
      room.append(e);
      applied.push(next.id);
      if (next.type === "m.room.create") seedDefaults(room, next);
    }
    for (const c of children.get(next.id) ?? []) {
      const w = waiting.get(c);
      if (!w) continue;
      w.delete(next.id);
      if (w.size === 0) ready.add(c);
    }
  }
  return { state: room, applied, refused, unplaced };
}

/**
 * What the homeserver adds at `/createRoom` without the creator's signature: the creator's join,
 * default power levels and an `invite` join rule. The DAG starts from them.
 */
function seedDefaults(room: RoomReplica, create: DagNode): void {
  const base = { room_id: "", sender: create.sender, origin_server_ts: create.ts };
  const tag = create.id.slice(1, 9);
  room.append({ ...base, event_id: `$default-join-${tag}`, type: "m.room.member", state_key: create.sender, content: { membership: "join" } });
  room.append({ ...base, event_id: `$default-power-${tag}`, type: "m.room.power_levels", state_key: "", content: defaultPowerLevels(create.sender) });
  room.append({ ...base, event_id: `$default-rule-${tag}`, type: "m.room.join_rules", state_key: "", content: { join_rule: "invite" } });
}
