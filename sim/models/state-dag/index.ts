/**
 * `state-dag`, `state-dag-no-ts`, `state-dag-exclude`, `state-dag-no-ts-exclude`: MSC3917
 * §Alternatives. Each client signs every state event it sends into a state DAG
 * (`sim/core/state-dag.ts`), keeps the nodes it knows, raises a tamper alarm for a node an
 * authenticated reference names that it cannot obtain, and resolves the room's state itself with
 * state resolution v2 (`dag-state.ts`, `state-res-v2.ts`), with the `ts` or `no-ts` tie-break.
 * Keys go to members the membership tree verifies *and* the resolved state has joined; while an
 * alarm stands, to nobody (`refuse`) or to those whose membership does not rest on what is missing
 * (`exclude`).
 */
import { decodeBase64, encodeBase64 } from "../../core/base64.ts";
import type { JsonObject } from "../../core/canonical-json.ts";
import { verifySubkey } from "../../core/cross-signing.ts";
import type { Ed25519Backend } from "../../core/ed25519.ts";
import { rrkFromRoomId } from "../../core/room-root-key.ts";
import { type DagNode, headsOf, readDagNode, signDagNode } from "../../core/state-dag.ts";
import { MembershipSession } from "../../core/verify-membership.ts";
import type {
  ClientDefence,
  DecryptedMessage,
  DefenceModel,
  ModelClient,
  Recipient,
  RoomObservation,
  RoomView,
} from "../../world/defence-model.ts";
import type { AlarmKind, AlarmReference } from "../../world/history.ts";
import type { WorldEvent } from "../../world/room.ts";
import { membershipTreeRecipients } from "../membership-tree/index.ts";
import { RoomSessions } from "../../world/sessions.ts";
import { ALGORITHM, type DagResolution, type TieBreak, resolveDagV2 } from "./dag-state.ts";

/** What a client trusts when it authenticates nodes: the RRK and the MSKs it has pinned, and the room as it saw it. */
type Trust = Pick<RoomObservation, "rrk" | "pins" | "view">;

/**
 * The MSKs the membership tree verifies for each user through some cause of membership in the
 * room (their current one, or one they had before leaving or being banned: what they did then
 * still counts), with the client's pins: the same verification the tree does for membership events.
 */
function verifiedMsks(obs: Trust, sessions: () => MembershipSession): Map<string, Uint8Array[]> {
  const all = [...obs.view.state, ...obs.view.events];
  const create = all.find((e) => e.type === "m.room.create");
  const msks = new Map<string, Uint8Array[]>();
  if (create) {
    // One session for all the joins, kept while the room only grows (../sessions.ts): their chains
    // share events, each checked once.
    const session = sessions();
    for (const join of all.filter((e) => e.type === "m.room.member" && e.content.membership === "join")) {
      const verdict = session.verify({ state: [create, join], events: all }).members[join.state_key!];
      const msk = verdict?.status === "verified" ? decodeBase64(verdict.msk, { expectedLength: 32 }) : undefined;
      if (msk?.ok) msks.set(join.state_key!, [...(msks.get(join.state_key!) ?? []), msk.value]);
    }
  }
  return msks;
}

/**
 * The DAG nodes whose signatures are a real member's: the RSK in the node must be cross-signed by
 * an MSK the membership tree verifies for the sender (`verifiedMsks`).
 */
function authenticNodes(
  msks: Map<string, Uint8Array[]>,
  nodes: readonly DagNode[],
  seen: Map<string, boolean>,
  backend: Ed25519Backend,
): DagNode[] {
  // A node's ID hashes its signed part, sender_key included: one check per node and MSK is enough.
  const signedBy = (n: DagNode, m: Uint8Array): boolean => {
    const key = `${n.id}|${encodeBase64(m)}`;
    let ok = seen.get(key);
    if (ok === undefined) seen.set(key, (ok = verifySubkey(n.sender_key, n.sender, "room_signing", m, backend).ok));
    return ok;
  };
  return nodes.filter((n) => (msks.get(n.sender) ?? []).some((m) => signedBy(n, m)));
}

/**
 * The invite a homeserver makes from a third-party invite is signed by no member, so it is no DAG
 * node; it enters resolution right after the authentic m.room.third_party_invite it rests on, as
 * the inviter's act, and the rules then check its token.
 */
function successorInvites(obs: Pick<RoomObservation, "view">, nodes: readonly DagNode[]): DagNode[] {
  const byEvent = new Map<string, DagNode>();
  for (const e of [...obs.view.state, ...obs.view.events]) {
    const n = nodes.find(
      (x) =>
        x.type === "m.room.third_party_invite" &&
        x.state_key === e.state_key &&
        x.sender === e.sender &&
        e.type === "m.room.third_party_invite",
    );
    if (n) byEvent.set(e.event_id, n);
  }
  return [...obs.view.state, ...obs.view.events].flatMap((e) => {
    const tpi =
      e.type === "m.room.member" && e.content.third_party_invite
        ? byEvent.get(String(e.content.parent_event_id))
        : undefined;
    return tpi
      ? [
          {
            ...tpi,
            id: e.event_id,
            type: e.type,
            state_key: e.state_key!,
            content: e.content,
            prev_state: [tpi.id],
            ts: tpi.ts + 1,
          },
        ]
      : [];
  });
}

/**
 * Policy: the invited user's own membership node that names the m.room.third_party_invite among
 * its parents rests on the successor invite made from it (the user could not sign a reference to
 * an event no member signed), as a node naming the create rests on the homeserver's defaults.
 */
function restOnSuccessors(nodes: readonly DagNode[], successors: readonly DagNode[]): DagNode[] {
  const out = nodes.map((n) => {
    const s = successors.find(
      (x) =>
        n.type === "m.room.member" &&
        n.sender === x.state_key &&
        n.state_key === x.state_key &&
        n.prev_state.includes(x.prev_state[0]!),
    );
    return s ? { ...n, prev_state: n.prev_state.map((p) => (p === s.prev_state[0] ? s.id : p)) } : n;
  });
  return [...out, ...successors];
}

/** A cache of one entry: the last key and its value. */
class LastOnly<T> {
  private key: string | undefined;
  private value: T | undefined;
  get(key: string): T | undefined {
    return key === this.key ? this.value : undefined;
  }
  set(key: string, value: T): void {
    this.key = key;
    this.value = value;
  }
}

/** How a state-DAG client shares while an alarm stands. */
export type AlarmPolicy = "refuse" | "exclude";

/** An alarm's cause, as the history records it. */
interface Cause {
  kind: AlarmKind;
  missing: string;
  referenced_by: AlarmReference[];
}

/** What one state-DAG client keeps: per room, the nodes it knows, what references what, and the alarms it raised. */
class StateDagClient implements ClientDefence {
  /** Per room, the nodes the client knows: served by its server, or its own that its server accepted. */
  private readonly nodes = new Map<string, Map<string, DagNode>>();
  /** Its own nodes not yet accepted by its server (by node ID). */
  private readonly pending = new Map<string, DagNode>();
  /** Per room, node IDs referenced by the heads of decrypted messages, with who referenced them. */
  private readonly messageRefs = new Map<string, Map<string, AlarmReference[]>>();
  private readonly alarmed = new Set<string>();
  /** Counts the heads taken from messages (`onMessage`): a check's inputs include them. */
  private headsTaken = 0;
  /** Each room's last check, with what it was computed from (`sameInputs`). */
  private readonly lastCheck = new Map<string, CheckInputs & { result: CheckResult }>();
  /** Per room, what the client last authenticated against. */
  private readonly trust = new Map<string, Trust>();
  /** Per room, the causes of the alarms standing when the client last looked. */
  private readonly open = new Map<string, Cause[]>();
  private pendingCreate: DagNode | undefined;
  /** The DAG node each event object served carries, if any (a WeakMap: by object, not by claimed ID). */
  private readonly read = new WeakMap<WorldEvent, DagNode | null>();
  /** The membership sessions `verifiedMsks` verifies with, per room. */
  private readonly sessions: RoomSessions;
  /** RSK cross-signature checks already made: `node ID|MSK` to the verdict. */
  private readonly subkeyChecks = new Map<string, boolean>();
  /** Pure results already computed, by their inputs (the last one of each kind only, to bound memory). */
  private readonly memo = {
    msks: new LastOnly<Map<string, Uint8Array[]>>(),
    resolutions: new LastOnly<DagResolution>(),
  };
  /** The MSKs the client's key store pinned when it last decided recipients (in any room). */
  private lastPins: ReadonlyMap<string, Uint8Array> = new Map();

  constructor(
    private readonly owner: ModelClient,
    private readonly tieBreak: TieBreak,
    private readonly policy: AlarmPolicy,
  ) {
    this.sessions = new RoomSessions(owner.world.ed25519);
  }

  private known(roomId: string): Map<string, DagNode> {
    let nodes = this.nodes.get(roomId);
    if (!nodes) this.nodes.set(roomId, (nodes = new Map()));
    return nodes;
  }

  /** A state-DAG client signs every state event it sends into the DAG, on its current heads. */
  stateContent(roomId: string | null, type: string, stateKey: string, content: JsonObject): JsonObject {
    const sender = this.owner.userId;
    const heads = roomId ? headsOf(this.known(roomId).values()) : [];
    const signed = signDagNode(
      { type, state_key: stateKey, sender, content },
      heads,
      this.owner.world.clock.now(),
      this.owner.signer,
    ).content;
    const node = readDagNode({ type, state_key: stateKey, sender, content: signed }, this.owner.world.ed25519);
    if (node.ok) {
      if (roomId) this.pending.set(node.value.id, node.value);
      else this.pendingCreate = node.value;
    }
    return signed;
  }

  /**
   * Called for each state event this client's server accepted (it returned the event). Policy: the
   * client keeps its own node only once its server has accepted it: what the server later
   * withholds, it still knows, but a node its server refused is not part of the room, and the
   * client's later nodes do not rest on it.
   */
  eventNode(e: WorldEvent): string | null {
    const node = readDagNode(e, this.owner.world.ed25519);
    if (!node.ok) return null;
    const own = this.pending.get(node.value.id);
    if (own) {
      this.pending.delete(own.id);
      this.known(e.room_id).set(own.id, own);
    }
    return node.value.id;
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
      refs.set(h, [
        ...(refs.get(h) ?? []),
        { kind: "message", id: String(m.payload.id), event: m.eventId, sender: m.sender },
      ]);
      this.headsTaken++;
    }
    this.messageRefs.set(m.roomId, refs);
  }

  /**
   * Learn the DAG from what the server serves, and check it (`check`). Policy: until the client
   * first decides recipients in a room (which hands it its RRK and pins), it authenticates against
   * the RRK its room ID is (the client checked that on create and join) and the pins it last saw.
   */
  observeRoom(roomId: string, view: RoomView): void {
    this.learn(roomId, view);
    const trust = this.trust.get(roomId);
    if (trust) this.check(roomId, { ...trust, view });
    else {
      const rrk = rrkFromRoomId(roomId);
      if (rrk.ok) this.check(roomId, { rrk: rrk.value, pins: this.lastPins, view });
    }
  }

  private learn(roomId: string, view: RoomView): void {
    const nodes = this.known(roomId);
    for (const e of [...view.state, ...view.events]) {
      // Each event object the server hands over is read (and its signature checked) once.
      let n = this.read.get(e);
      if (n === undefined) {
        const r = readDagNode(e, this.owner.world.ed25519);
        this.read.set(e, (n = r.ok ? r.value : null));
      }
      if (n && !nodes.has(n.id)) nodes.set(n.id, n);
    }
  }

  /**
   * Authenticate the nodes, resolve the state, and raise a tamper alarm (DESIGN.md §7) for each
   * cause not yet alarmed, recorded with the node it names and who referenced it:
   * - `missing`: a node named by an authenticated reference (an authentic node's `prev_state`, or
   *   the heads in a message decrypted from a member the tree verifies) that cannot be obtained;
   * - `unplaced`: an authentic node whose `prev_state` runs into a cycle or a root that is no
   *   authentic create (it has no state before);
   * - `incomplete`: a state resolution that could not use everything it was given.
   * Policy: only authenticated references raise alarms; what an unauthenticated node or message
   * names is nobody's claim.
   */
  private check(roomId: string, trust: Trust): CheckResult {
    const nodes = this.known(roomId);
    // A check whose inputs are those of this room's last one finds the same causes, all of them
    // alarmed already: its result is reused (sync observes every room at every step).
    const inputs: CheckInputs = { nodes: nodes.size, heads: this.headsTaken, trust };
    const last = this.lastCheck.get(roomId);
    if (last !== undefined && sameInputs(last, inputs)) return last.result;
    const result = this.checkAfresh(roomId, trust, nodes);
    // Kept by reference, as `trust` is: a view and its pins are values once handed over.
    this.lastCheck.set(roomId, { ...inputs, result });
    return result;
  }

  private checkAfresh(roomId: string, trust: Trust, nodes: Map<string, DagNode>): CheckResult {
    const all = [...nodes.values()];
    const msksKey = [
      encodeBase64(trust.rrk),
      ...[...trust.pins].map(([u, k]) => `${u}=${encodeBase64(k)}`).sort(),
      // The membership chains are made of state events: messages do not change the verdicts. Each
      // event is named by its object, not only its ID: a server that serves other content under an
      // ID it served before gets its view verified again, never an earlier verdict.
      ...[...trust.view.state, ...trust.view.events].flatMap((e) =>
        e.state_key === undefined ? [] : [`${e.event_id}#${objectSerial(e)}`],
      ),
    ].join("\n");
    let msks = this.memo.msks.get(msksKey);
    if (!msks)
      this.memo.msks.set(
        msksKey,
        (msks = verifiedMsks(trust, () => this.sessions.session(roomId, trust.rrk, trust.pins, trust.view))),
      );
    const authentic = new Set(authenticNodes(msks, all, this.subkeyChecks, this.owner.world.ed25519));
    const successors = successorInvites({ view: trust.view }, [...authentic]);
    const authenticIds = new Set([...authentic, ...successors].map((n) => n.id));
    // The resolution depends only on the nodes and which are authentic: computed once for each.
    const resolutionKey = [
      ...all.map((n) => `${n.id}${authenticIds.has(n.id) ? "+" : "-"}`).sort(),
      ...[...successors].map((n) => n.id).sort(),
    ].join("\n");
    let resolution = this.memo.resolutions.get(resolutionKey);
    if (!resolution) {
      resolution = resolveDagV2(restOnSuccessors(all, successors), this.tieBreak, (n) => authenticIds.has(n.id));
      this.memo.resolutions.set(resolutionKey, resolution);
    }

    const referenced = new Map<string, AlarmReference[]>();
    for (const [id, refs] of this.messageRefs.get(roomId) ?? []) {
      const fromMembers = refs.filter((r) => msks.has(r.sender));
      if (fromMembers.length) referenced.set(id, fromMembers);
    }
    for (const n of authentic) {
      for (const p of n.prev_state)
        referenced.set(p, [...(referenced.get(p) ?? []), { kind: "node", id: n.id, sender: n.sender }]);
    }
    const causes: Cause[] = [];
    const known = (id: string) => nodes.has(id) || successors.some((s) => s.id === id);
    for (const id of [...referenced.keys()].filter((x) => !known(x)).sort()) {
      causes.push({ kind: "missing", missing: id, referenced_by: referenced.get(id)! });
    }
    // Unplaced for another reason than a missing ancestor: a cycle, or a root that is no authentic create.
    const belowMissing = new Set<string>();
    const children = new Map<string, string[]>();
    for (const n of all) for (const p of n.prev_state) children.set(p, [...(children.get(p) ?? []), n.id]);
    const queue = all.filter((n) => n.prev_state.some((p) => !known(p))).map((n) => n.id);
    while (queue.length) {
      const id = queue.pop()!;
      if (belowMissing.has(id)) continue;
      belowMissing.add(id);
      queue.push(...(children.get(id) ?? []));
    }
    for (const id of resolution.unplaced) {
      if (belowMissing.has(id) || !authenticIds.has(id)) continue;
      const refs = (children.get(id) ?? []).flatMap((c) =>
        authenticIds.has(c) ? [{ kind: "node" as const, id: c, sender: nodes.get(c)!.sender }] : [],
      );
      causes.push({ kind: "unplaced", missing: id, referenced_by: refs });
    }
    for (const x of resolution.incomplete) {
      const what = [...x.missing, ...x.cyclic, ...x.invalid].sort()[0] ?? "";
      const at = x.at ? nodes.get(x.at) : undefined;
      causes.push({
        kind: "incomplete",
        missing: what,
        referenced_by: at ? [{ kind: "node", id: at.id, sender: at.sender }] : [],
      });
    }
    for (const c of causes) {
      const key = `${roomId}\u0000${c.kind}\u0000${c.missing}`;
      if (this.alarmed.has(key)) continue;
      this.alarmed.add(key);
      const world = this.owner.world;
      world.history.record({
        op: "alarm",
        t: world.clock.now(),
        room: roomId,
        client: this.owner.userId,
        missing: c.missing,
        referenced_by: c.referenced_by,
        kind: c.kind,
      });
    }
    this.open.set(roomId, causes);
    return { causes, resolution };
  }

  /**
   * Policy: keys go to the members the membership tree verifies and the resolved state has joined.
   * While an alarm stands, `refuse` shares with nobody; `exclude` still shares with those members,
   * since the state is resolved from the nodes that can be placed: a member whose membership rests
   * on a missing or unplaced node (it, or an ancestor, is missing) is not joined in it and is left out.
   * A missing node's content is unknown, so `exclude` cannot leave out whom it would have removed.
   */
  recipients(obs: RoomObservation): Recipient[] {
    this.learn(obs.roomId, obs.view);
    this.lastPins = obs.pins;
    this.trust.set(obs.roomId, obs);
    const { causes, resolution } = this.check(obs.roomId, obs);
    if (causes.length > 0 && this.policy === "refuse") return [];
    const joined = new Set(resolution.joined);
    return membershipTreeRecipients(obs, this.owner.world.ed25519, this.sessions).filter((r) => joined.has(r.user));
  }
}

/** The state-DAG model with a tie-break for concurrent nodes, `ts` (claimed time) or `no-ts`, and an alarm policy. */
export function stateDag(tieBreak: TieBreak, policy: AlarmPolicy = "refuse"): DefenceModel {
  const id = `state-dag${tieBreak === "ts" ? "" : "-no-ts"}${policy === "refuse" ? "" : "-exclude"}`;
  const ties = tieBreak === "ts" ? "ties by claimed time, then ID" : "ties by ID alone";
  const onAlarm =
    policy === "refuse"
      ? "nobody while an alarm stands"
      : "while an alarm stands, all but members resting on what is missing";
  return {
    id,
    description: `MSC3917 §Alternatives: the signed state DAG, resolved by each client with ${ALGORITHM} (${ties}); ${onAlarm}`,
    checksRoomKeys: true,
    client: (owner) => new StateDagClient(owner, tieBreak, policy),
  };
}

type CheckResult = { causes: Cause[]; resolution: DagResolution };

/**
 * What a check reads: the room's nodes (they are only ever added, so their number names them), the
 * heads taken from messages, and the trust it authenticates against. The view's events are
 * compared by object, as the check's own memo keys name them (`objectSerial`).
 */
export type CheckInputs = { nodes: number; heads: number; trust: Trust };

export function sameInputs(a: CheckInputs, b: CheckInputs): boolean {
  if (a.nodes !== b.nodes || a.heads !== b.heads) return false;
  const [x, y] = [a.trust, b.trust];
  if (Buffer.compare(x.rrk, y.rrk) !== 0 || x.pins.size !== y.pins.size) return false;
  for (const [user, key] of x.pins) {
    const other = y.pins.get(user);
    if (other === undefined || Buffer.compare(key, other) !== 0) return false;
  }
  return sameObjects(x.view.state, y.view.state) && sameObjects(x.view.events, y.view.events);
}

const sameObjects = (a: readonly object[], b: readonly object[]): boolean =>
  a.length === b.length && a.every((e, i) => e === b[i]);

const serials = new WeakMap<object, number>();
let nextSerial = 0;
/** A number for each object, in the order first asked: a memo key that tells apart equal IDs with other content. */
function objectSerial(o: object): number {
  let n = serials.get(o);
  if (n === undefined) serials.set(o, (n = nextSerial++));
  return n;
}
