/**
 * Defence models (DESIGN.md §6): each says which devices an honest client shares room keys with.
 * - `baseline`: every device the server lists for every member the server says is joined
 *   (Matrix today). The positive control: an attack that does not breach it attacks nothing.
 * - `membership-tree`: only users whose membership MSC3917's verifier verifies, and of those only
 *   the devices signed by the SSK that the *verified* MSK signs.
 * - `state-dag`, `state-dag-no-ts`: as membership-tree, and only users joined in the state the
 *   client resolves itself from the signed state DAG (MSC3917 §Alternatives), with the `ts` or
 *   `no-ts` tie-break; nobody while a tamper alarm is open.
 */
import type { DeviceKeys } from "../core/cross-signing.ts";
import { trustedDevices, verifySubkey } from "../core/cross-signing.ts";
import type { DagNode } from "../core/state-dag.ts";
import { type TieBreak, resolveDag } from "../world/resolve.ts";
import { decodeBase64 } from "../core/base64.ts";
import { MembershipSession, verifyMembership } from "../core/verify-membership.ts";
import type { Recipient, RecipientPolicy, RoomObservation } from "../world/client.ts";

export type ModelId = "baseline" | "membership-tree" | "state-dag" | "state-dag-no-ts";
export const MODEL_IDS: readonly ModelId[] = ["baseline", "membership-tree", "state-dag", "state-dag-no-ts"];

function recipientsOf(user: string, devices: readonly DeviceKeys[]): Recipient[] {
  return devices.flatMap((d) => {
    const curve = d.keys?.[`curve25519:${d.device_id}`];
    return typeof curve === "string" ? [{ user, device: d.device_id, curve25519: curve }] : [];
  });
}

function joinedUsers(obs: RoomObservation): string[] {
  return obs.view.state.filter((e) => e.type === "m.room.member" && e.content.membership === "join").map((e) => e.state_key!);
}

export const baseline: RecipientPolicy = (obs) =>
  joinedUsers(obs).flatMap((user) => recipientsOf(user, Object.values(obs.keys.device_keys[user] ?? {})));

export const membershipTree: RecipientPolicy = (obs) => {
  const result = verifyMembership({ roomRootKey: obs.rrk, state: obs.view.state, events: obs.view.events }, { pinned: obs.pins, chains: "length" });
  return Object.entries(result.members).flatMap(([user, verdict]) => {
    if (verdict.status !== "verified") return [];
    const msk = decodeBase64(verdict.msk, { expectedLength: 32 });
    if (!msk.ok) return [];
    const { trusted } = trustedDevices(user, msk.value, obs.keys.self_signing_keys[user], Object.values(obs.keys.device_keys[user] ?? {}));
    return recipientsOf(user, trusted);
  });
};

/**
 * The DAG nodes whose signatures are a real member's: the RSK in the node must be signed by an MSK
 * the membership tree verifies for the sender through some cause of membership in the room (their
 * current one, or one they had before leaving or being banned: what they did then still counts).
 */
function authenticNodes(obs: RoomObservation, nodes: readonly DagNode[]): DagNode[] {
  const all = [...obs.view.state, ...obs.view.events];
  const create = all.find((e) => e.type === "m.room.create");
  const msks = new Map<string, Uint8Array[]>();
  if (create) {
    // One session for all the joins: their chains share events, each checked once.
    const session = new MembershipSession(obs.rrk, { pinned: obs.pins, chains: "length" });
    for (const join of all.filter((e) => e.type === "m.room.member" && e.content.membership === "join")) {
      const verdict = session.verify({ state: [create, join], events: all }).members[join.state_key!];
      const msk = verdict?.status === "verified" ? decodeBase64(verdict.msk, { expectedLength: 32 }) : undefined;
      if (msk?.ok) msks.set(join.state_key!, [...(msks.get(join.state_key!) ?? []), msk.value]);
    }
  }
  return nodes.filter((n) => (msks.get(n.sender) ?? []).some((m) => verifySubkey(n.sender_key, n.sender, "room_signing", m).ok));
}

/**
 * The invite a homeserver makes from a third-party invite is signed by no member, so it is no DAG
 * node; it enters resolution right after the authentic m.room.third_party_invite it rests on, as
 * the inviter's act, and the rules then check its token.
 */
function successorInvites(obs: RoomObservation, nodes: readonly DagNode[]): DagNode[] {
  const byEvent = new Map<string, DagNode>();
  for (const e of [...obs.view.state, ...obs.view.events]) {
    const n = nodes.find((x) => x.type === "m.room.third_party_invite" && x.state_key === e.state_key && x.sender === e.sender && e.type === "m.room.third_party_invite");
    if (n) byEvent.set(e.event_id, n);
  }
  return [...obs.view.state, ...obs.view.events].flatMap((e) => {
    const tpi = e.type === "m.room.member" && e.content.third_party_invite ? byEvent.get(String(e.content.parent_event_id)) : undefined;
    return tpi ? [{ ...tpi, id: e.event_id, type: e.type, state_key: e.state_key!, content: e.content, prev_state: [tpi.id], ts: tpi.ts + 1 }] : [];
  });
}

/**
 * Policy: while a tamper alarm is open (a referenced state event cannot be obtained), a state-DAG
 * client shares the room key with nobody; the alarm names what is missing.
 */
export const stateDag: RecipientPolicy = (obs) => {
  if (!obs.dag || obs.dag.missing.length > 0) return [];
  const authentic = new Set(authenticNodes(obs, obs.dag.nodes));
  const successors = successorInvites(obs, [...authentic]);
  for (const n of successors) authentic.add(n);
  const resolution = resolveDag([...obs.dag.nodes, ...successors], obs.dag.tieBreak, (n) => authentic.has(n));
  const joined = new Set(resolution.state.joined());
  return membershipTree(obs).filter((r) => joined.has(r.user));
};

export const MODELS: Readonly<Record<ModelId, RecipientPolicy>> = { baseline, "membership-tree": membershipTree, "state-dag": stateDag, "state-dag-no-ts": stateDag };

/** The tie-break a model's clients resolve the DAG with; undefined: they keep no DAG. */
export const DAG_TIE_BREAK: Readonly<Record<ModelId, TieBreak | undefined>> = { baseline: undefined, "membership-tree": undefined, "state-dag": "ts", "state-dag-no-ts": "no-ts" };

/**
 * What else a model's client does with room keys. Matrix today has none, so a baseline client
 * joins whatever room an alias or a space lists; an MSC3917 client holds the room to the link's
 * `room_root_key`, and joins a space's child only if `verifySpaceChildren` verifies it.
 */
export const CHECKS_ROOM_KEYS: Readonly<Record<ModelId, boolean>> = { baseline: false, "membership-tree": true, "state-dag": true, "state-dag-no-ts": true };
