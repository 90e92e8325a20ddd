/**
 * `state-dag`, `state-dag-no-ts`: MSC3917 §Alternatives. Each client signs every state event it
 * sends into a state DAG (`sim/core/state-dag.ts`), keeps the nodes it knows, raises a tamper alarm
 * for a referenced node it cannot obtain, and resolves the room's state itself (`resolve.ts`), with
 * the `ts` or `no-ts` tie-break. Keys go to members the membership tree verifies *and* the resolved
 * state has joined; to nobody while an alarm is open.
 */
import { decodeBase64 } from "../../core/base64.ts";
import type { JsonObject } from "../../core/canonical-json.ts";
import { verifySubkey } from "../../core/cross-signing.ts";
import { type DagNode, headsOf, readDagNode, signDagNode } from "../../core/state-dag.ts";
import { MembershipSession } from "../../core/verify-membership.ts";
import type { ClientDefence, DecryptedMessage, DefenceModel, ModelClient, Recipient, RoomObservation, RoomView } from "../../world/defence-model.ts";
import type { AlarmReference } from "../../world/history.ts";
import type { WorldEvent } from "../../world/room.ts";
import { membershipTreeRecipients } from "../membership-tree/index.ts";
import { type TieBreak, resolveDag } from "./resolve.ts";

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

/** What one state-DAG client keeps: per room, the nodes it knows, what references what, and the alarms it raised. */
class StateDagClient implements ClientDefence {
  private readonly nodes = new Map<string, Map<string, DagNode>>();
  /** Per room, node IDs referenced by the heads of decrypted messages, with who referenced them. */
  private readonly messageRefs = new Map<string, Map<string, AlarmReference[]>>();
  private readonly alarmed = new Set<string>();
  private pendingCreate: DagNode | undefined;

  constructor(
    private readonly owner: ModelClient,
    private readonly tieBreak: TieBreak,
  ) {}

  private known(roomId: string): Map<string, DagNode> {
    let nodes = this.nodes.get(roomId);
    if (!nodes) this.nodes.set(roomId, (nodes = new Map()));
    return nodes;
  }

  /** A state-DAG client signs every state event it sends into the DAG, on its current heads. */
  stateContent(roomId: string | null, type: string, stateKey: string, content: JsonObject): JsonObject {
    const sender = this.owner.userId;
    const heads = roomId ? headsOf(this.known(roomId).values()) : [];
    const signed = signDagNode({ type, state_key: stateKey, sender, content }, heads, this.owner.world.clock.now(), this.owner.signer).content;
    // It remembers its own nodes: what the server later withholds, it still knows.
    const node = readDagNode({ type, state_key: stateKey, sender, content: signed });
    if (node.ok) {
      if (roomId) this.known(roomId).set(node.value.id, node.value);
      else this.pendingCreate = node.value;
    }
    return signed;
  }

  eventNode(e: WorldEvent): string | null {
    const node = readDagNode(e);
    return node.ok ? node.value.id : null;
  }

  created(roomId: string): void {
    if (this.pendingCreate) this.known(roomId).set(this.pendingCreate.id, this.pendingCreate);
    this.pendingCreate = undefined;
  }

  /** Encrypted messages carry the sender's heads, where the server cannot change them. */
  messageFields(roomId: string): JsonObject {
    return { heads: headsOf(this.known(roomId).values()) };
  }

  onMessage(m: DecryptedMessage): void {
    if (!Array.isArray(m.payload.heads)) return;
    const refs = this.messageRefs.get(m.roomId) ?? new Map<string, AlarmReference[]>();
    for (const h of m.payload.heads) {
      if (typeof h !== "string") continue;
      refs.set(h, [...(refs.get(h) ?? []), { kind: "message", id: String(m.payload.id), event: m.eventId, sender: m.sender }]);
    }
    this.messageRefs.set(m.roomId, refs);
  }

  /**
   * Learn the DAG from what the server serves, and raise a tamper alarm for every referenced node
   * that cannot be obtained (DESIGN.md §7): referenced by a node's `prev_state`, or by the heads in
   * a decrypted message. The alarm names the missing node and who referenced it.
   */
  observeRoom(roomId: string, view: RoomView): void {
    this.open.set(roomId, this.missing(roomId, view));
  }

  /** Per room, the referenced nodes still missing when the client last looked. */
  private readonly open = new Map<string, string[]>();

  private missing(roomId: string, view: RoomView): string[] {
    const nodes = this.known(roomId);
    for (const e of [...view.state, ...view.events]) {
      const n = readDagNode(e);
      if (n.ok && !nodes.has(n.value.id)) nodes.set(n.value.id, n.value);
    }
    const referenced = new Map<string, AlarmReference[]>([...(this.messageRefs.get(roomId) ?? [])].map(([id, refs]) => [id, [...refs]]));
    for (const n of nodes.values()) {
      for (const p of n.prev_state) referenced.set(p, [...(referenced.get(p) ?? []), { kind: "node", id: n.id, sender: n.sender }]);
    }
    const missing = [...referenced.keys()].filter((id) => !nodes.has(id)).sort();
    for (const id of missing) {
      if (this.alarmed.has(`${roomId}\u0000${id}`)) continue;
      this.alarmed.add(`${roomId}\u0000${id}`);
      const world = this.owner.world;
      world.history.record({ op: "alarm", t: world.clock.now(), room: roomId, client: this.owner.userId, missing: id, referenced_by: referenced.get(id)! });
    }
    return missing;
  }

  /**
   * Policy: while a tamper alarm is open (a referenced state event cannot be obtained), a state-DAG
   * client shares the room key with nobody; the alarm names what is missing.
   */
  recipients(obs: RoomObservation): Recipient[] {
    if ((this.open.get(obs.roomId) ?? this.missing(obs.roomId, obs.view)).length > 0) return [];
    const all = [...this.known(obs.roomId).values()];
    const authentic = new Set(authenticNodes(obs, all));
    const successors = successorInvites(obs, [...authentic]);
    for (const n of successors) authentic.add(n);
    const resolution = resolveDag([...all, ...successors], this.tieBreak, (n) => authentic.has(n));
    const joined = new Set(resolution.state.joined());
    return membershipTreeRecipients(obs).filter((r) => joined.has(r.user));
  }
}

/** The state-DAG model with a tie-break for concurrent nodes: `ts` (claimed time) or `no-ts`. */
export function stateDag(tieBreak: TieBreak): DefenceModel {
  return {
    id: tieBreak === "ts" ? "state-dag" : "state-dag-no-ts",
    description: `MSC3917 §Alternatives: the signed state DAG, resolved by each client (${tieBreak === "ts" ? "claimed time breaks ties" : "no timestamps"}); nobody while an alarm is open`,
    checksRoomKeys: true,
    client: (owner) => new StateDagClient(owner, tieBreak),
  };
}
