/**
 * The adversary's side of the world (DESIGN.md §9): what it made (users, devices and their private
 * keys) and what it reads. Its powers over servers are the capabilities declared on each
 * `maliciousHomeserver`; this module only uses them. Attacker devices try to decrypt every
 * ciphertext their servers can reach: their own inboxes, the to-device messages the servers relay,
 * and every room message in the servers' replicas.
 */
import { decodeBase64, encodeBase64 } from "../core/base64.ts";
import { makeCrossSigningKey, makeDeviceKeys } from "../core/cross-signing.ts";
import { signingKeyFromSeed } from "../core/ed25519.ts";
import type { JsonObject } from "../core/canonical-json.ts";
import { DAG_FIELD, headsOf, readDagNode, signDagNode } from "../core/state-dag.ts";
import type { RoomSigner } from "../core/events.ts";
import {
  buildCreateContent,
  buildJoinRulesContent,
  buildMemberContent,
  buildSpaceChildContent,
  buildThirdPartySuccessorInviteContent,
  signThirdPartyBinding,
} from "../core/events.ts";
import { rrkFromRoomId } from "../core/room-root-key.ts";
import type { Client } from "./client.ts";
import type { AttackAct, DefenceModel, KeyEvents, Transport } from "./defence-model.ts";
import { MegolmTransport } from "./megolm.ts";
import { type Device, type World, makeDevice } from "./world.ts";
import { ApiError, type Homeserver } from "./homeserver.ts";
import type { WorldEvent } from "./room.ts";

interface AttackerDevice {
  owner: string;
  device: Device;
  server: Homeserver;
  /** The model's transport, as a device of its server would run it: the adversary reads as the model's devices do. */
  transport: Transport;
}

const forkPlanKey = (server: Homeserver, roomId: string) => `${server.name} ${roomId}`;

export class Adversary {
  readonly devices: AttackerDevice[] = [];
  /** The model's listener for key changes, if it runs its own key distribution. */
  private readonly keyEvents: KeyEvents | undefined;
  /** Acts not yet handed to the model (`settle`), in order. */
  private readonly acts: AttackAct[] = [];

  constructor(
    private readonly world: World,
    private readonly model?: DefenceModel,
  ) {
    this.keyEvents = model?.keyEvents?.(world);
  }

  /** Hand the acts of the last step to the model, for its analogue of each (`DefenceModel.attack`). */
  async settle(): Promise<void> {
    for (const act of this.acts.splice(0)) await this.model?.attack?.(act, this.world);
  }

  private act(act: AttackAct): void {
    if (this.model?.attack) this.acts.push(act);
  }

  private newDevice(owner: string, server: Homeserver, label: string): Device {
    const device = makeDevice(this.world, owner, `adversary ${label}`);
    const transport =
      this.model?.transport?.(null, this.world, server, { user: owner, device }) ??
      new MegolmTransport(this.world, null);
    this.devices.push({ owner, device, server, transport });
    this.world.history.record({
      op: "device",
      t: this.world.clock.now(),
      user: owner,
      device: `${owner}/${device.id}`,
      honest: false,
    });
    return device;
  }

  /** Keys the adversary made for a user: MSK, SSK, RSK, and a device signed by that SSK. */
  private makeIdentity(userId: string, server: Homeserver, label: string) {
    const msk = signingKeyFromSeed(this.world.rng.bytes(`adversary keygen ${label}/msk`, 32));
    const ssk = signingKeyFromSeed(this.world.rng.bytes(`adversary keygen ${label}/ssk`, 32));
    const rsk = signingKeyFromSeed(this.world.rng.bytes(`adversary keygen ${label}/rsk`, 32));
    const signer = { userId, rsk, rskCrossSigningKey: makeCrossSigningKey(userId, "room_signing", rsk, msk) };
    const device = this.newDevice(userId, server, label);
    const keys = {
      master: makeCrossSigningKey(userId, "master", msk),
      self_signing: makeCrossSigningKey(userId, "self_signing", ssk, msk),
      room_signing: signer.rskCrossSigningKey,
      devices: new Map([
        [device.id, makeDeviceKeys(userId, device.id, device.signing, ssk, undefined, device.curve.publicKey)],
      ]),
    };
    return { msk, ssk, signer, keys };
  }

  /**
   * Forge an event signed by keys the adversary holds, with a state-DAG block signed by the same
   * keys on top (an adversary with a member's keys can do everything the member's client can).
   * The block rests on the heads of the server's replica, or on the heads as they were before
   * `before` (an event ID: to make the node look concurrent with it), and may claim an earlier time.
   */
  private forgeSigned(
    server: Homeserver,
    roomId: string,
    sender: string,
    content: JsonObject,
    stateKey: string,
    signer: RoomSigner,
    dag: {
      before?: string;
      backdate?: number;
      eventId?: string;
      ts?: number;
      grind?: { budget: number; below: string };
    } = {},
  ): WorldEvent {
    // A fork planned for this server and room (`planFork`) places the first forged node that has no
    // placement of its own, then is spent.
    const key = forkPlanKey(server, roomId);
    const plan = this.forkPlans.get(key);
    if (plan && dag.before === undefined && dag.ts === undefined && dag.eventId === undefined) {
      this.forkPlans.delete(key);
      dag = { ...dag, ...this.forkPoint(server, roomId, plan.forkAt, plan.claimedOffset, plan.grind) };
    }
    const events = server.rooms.get(roomId)?.events ?? [];
    const cut = dag.before === undefined ? events.length : events.findIndex((e) => e.event_id === dag.before);
    const nodes = events.slice(0, cut < 0 ? events.length : cut).flatMap((e) => {
      const n = readDagNode(e, this.world.ed25519);
      return n.ok ? [n.value] : [];
    });
    const envelope = { type: "m.room.member", state_key: stateKey, sender, content };
    let ts = dag.ts ?? this.world.clock.now() - (dag.backdate ?? 0);
    let node = signDagNode(envelope, headsOf(nodes), ts, signer);
    // ID grinding: the claimed time is signed, so each millisecond earlier is another node ID; try
    // up to `budget` of them for one that sorts before `below` (the no-ts tie-break's last resort).
    for (let i = 1; dag.grind && i < dag.grind.budget && !(node.id < dag.grind.below); i++) {
      node = signDagNode(envelope, headsOf(nodes), --ts, signer);
    }
    return server.forgeEvent(roomId, sender, "m.room.member", node.content, stateKey, dag.eventId);
  }

  /** A join the server forges for its own user `userId` (signed with that user's RSK), resting on `parent`. */
  private forgeJoinThrough(
    server: Homeserver,
    roomId: string,
    userId: string,
    msk: Uint8Array,
    signer: RoomSigner,
    parent: string,
    rrk: Uint8Array,
  ): WorldEvent {
    const content = buildMemberContent({ membership: "join", signer, parentEventId: parent, userKey: msk, rrk });
    const join = this.forgeSigned(server, roomId, userId, content, userId, signer);
    this.recordCause(roomId, join, userId, msk, parent);
    return join;
  }

  private recordCause(roomId: string, e: WorldEvent, user: string, msk: Uint8Array, parent: string | null): void {
    this.world.history.record({
      op: "cause",
      t: this.world.clock.now(),
      room: roomId,
      event: e.event_id,
      user,
      msk: encodeBase64(msk),
      parent,
      honest: false,
    });
  }

  /** A user the adversary makes on `server`, with keys published there. */
  private makeMember(server: Homeserver, userId: string, roomId: string) {
    if (!server.hosts(userId))
      throw new ApiError("M_FORBIDDEN", `${server.name} can only make users it hosts, not ${userId}`);
    const id = this.makeIdentity(userId, server, `${userId} in ${roomId}`);
    this.publish(server, userId, id);
    return id;
  }

  /** Publish, on the adversary's own server, the identity and device of a user it made. */
  private publish(server: Homeserver, userId: string, id: ReturnType<Adversary["makeIdentity"]>): void {
    server.uploadKeys(userId, {
      master: id.keys.master,
      self_signing: id.keys.self_signing,
      room_signing: id.keys.room_signing,
    });
    this.keyEvents?.identity(server, userId, { msk: id.msk, ssk: id.ssk });
    for (const d of id.keys.devices.values()) {
      server.uploadDevice(userId, d);
      this.keyEvents?.device(server, userId, d.device_id, false);
    }
  }

  /**
   * T1: `server` puts `userId` (a user it hosts, with keys and a cross-signed device it made) into
   * the room. `plain`: a join with no MSC3917 fields, as servers can do today. `forged_invite`: an
   * invite "from" `as`, signed with an RSK the server made under an MSK it made, then a signed join.
   */
  insertMember(
    server: Homeserver,
    roomId: string,
    userId: string,
    method: "plain" | "forged_invite",
    as?: string,
  ): WorldEvent {
    const { msk, signer } = this.makeMember(server, userId, roomId);
    this.act({ kind: "insert_member", server, roomId, user: userId, threat: method === "plain" ? "T1" : "T5" });
    const rrk = rrkFromRoomId(roomId);
    if (method === "plain" || !rrk.ok) {
      const e = this.forgeSigned(server, roomId, userId, { membership: "join" }, userId, signer);
      this.recordCause(roomId, e, userId, msk.publicKey, ""); // a plain join rests on nothing
      return e;
    }
    if (!as)
      throw new ApiError("M_INVALID_PARAM", "forged_invite needs `as`: the member the invite pretends to come from");
    const fake = this.makeIdentity(as, server, `fake ${as} in ${roomId}`).signer;
    const create = server.rooms.get(roomId)?.get("m.room.create");
    const invite = this.forgeSigned(
      server,
      roomId,
      as,
      buildMemberContent({
        membership: "invite",
        signer: fake,
        parentEventId: create?.event_id ?? "$unknown",
        userKey: msk.publicKey,
        rrk: rrk.value,
      }),
      userId,
      fake,
    );
    return this.forgeJoinThrough(server, roomId, userId, msk.publicKey, signer, invite.event_id, rrk.value);
  }

  /**
   * T5, another form: `server` forges a public join rule "from" `as`, signed with an RSK it made
   * under an MSK it made, and joins a user of its own through it.
   */
  forgeJoinRule(server: Homeserver, roomId: string, as: string, member: string): WorldEvent {
    const rrk = rrkFromRoomId(roomId);
    const create = server.rooms.get(roomId)?.get("m.room.create");
    if (!rrk.ok || !create) throw new ApiError("M_NOT_FOUND", `${server.name} has no room ${roomId}`);
    const { msk, signer } = this.makeMember(server, member, roomId);
    this.act({ kind: "insert_member", server, roomId, user: member, threat: "T5" });
    const fake = this.makeIdentity(as, server, `fake ${as} in ${roomId}`).signer;
    const rule = server.forgeEvent(
      roomId,
      as,
      "m.room.join_rules",
      buildJoinRulesContent({ joinRule: "public", signer: fake, parentEventId: create.event_id }),
      "",
    );
    const join = this.forgeSigned(
      server,
      roomId,
      member,
      buildMemberContent({
        membership: "join",
        signer,
        parentEventId: rule.event_id,
        userKey: msk.publicKey,
        rrk: rrk.value,
      }),
      member,
      signer,
    );
    this.recordCause(roomId, join, member, msk.publicKey, rule.event_id);
    return join;
  }

  /**
   * T3/T4: a colluding member hands over their keys; the server uses them to sign an invite for a
   * user it makes, and accepts it whatever the room's rules say (the colluder may be banned, or lack
   * the power to invite). The invite is real: the colluder's RSK under their real MSK.
   */
  colludeInvite(
    server: Homeserver,
    colluder: Client,
    roomId: string,
    userId: string,
    options: {
      concurrentWithBan?: boolean;
      backdate?: number;
      forkAt?: number;
      claimedOffset?: number;
      grind?: number;
    } = {},
  ): WorldEvent {
    const cause = colluder.causeIn(roomId);
    const rrk = rrkFromRoomId(roomId);
    if (!cause || !rrk.ok) throw new ApiError("M_FORBIDDEN", `${colluder.userId} was never a member of ${roomId}`);
    const { msk, signer } = this.makeMember(server, userId, roomId);
    this.act({ kind: "insert_member", server, roomId, user: userId, colluder, threat: "T3/T4" });
    // Concurrent with the colluder's ban: resting on the DAG as it was before it, and claiming a time before it.
    const ban = options.concurrentWithBan
      ? [...(server.rooms.get(roomId)?.events ?? [])]
          .reverse()
          .find((e) => e.type === "m.room.member" && e.state_key === colluder.userId && e.content.membership === "ban")
      : undefined;
    let dag: Parameters<Adversary["forgeSigned"]>[6] = ban
      ? { before: ban.event_id, backdate: this.world.clock.now() - ban.origin_server_ts + (options.backdate ?? 0) }
      : { backdate: options.backdate ?? 0 };
    if (options.forkAt !== undefined) {
      dag = this.forkPoint(server, roomId, options.forkAt, options.claimedOffset ?? 0, options.grind ?? 1);
    }
    const invite = this.forgeSigned(
      server,
      roomId,
      colluder.userId,
      buildMemberContent({
        membership: "invite",
        signer: colluder,
        parentEventId: cause,
        userKey: msk.publicKey,
        rrk: rrk.value,
      }),
      userId,
      colluder,
      dag,
    );
    this.world.history.record({
      op: "permit",
      t: this.world.clock.now(),
      room: roomId,
      event: invite.event_id,
      by: colluder.userId,
      by_msk: encodeBase64(colluder.msk.publicKey),
      for_user: userId,
      for_msk: encodeBase64(msk.publicKey),
    });
    return this.forgeJoinThrough(server, roomId, userId, msk.publicKey, signer, invite.event_id, rrk.value);
  }

  /** Forks planned by `planFork`, by server name and room ID, each waiting for its forged node. */
  private readonly forkPlans = new Map<string, { forkAt: number; claimedOffset: number; grind: number }>();

  /** A `forkAt` that leaves no node out: rest on the heads as they are, and claim now plus the offset. */
  static readonly NO_FORK = Number.MAX_SAFE_INTEGER;

  /**
   * Place the next membership event `server` forges in `roomId` (by any of the forging powers
   * below, whatever it is for) at a fork point, as `colludeInvite`'s `forkAt` does: rest on the
   * heads of the first `forkAt` DAG nodes (< 0: all but the last -`forkAt`), claim the time of the
   * first node left out plus `claimedOffset` ms, and try up to `grind` claimed times for an ID that
   * sorts before that node's. Without `forkAt`, it rests on the heads as they are and claims now
   * plus `claimedOffset`. It is spent on that one node; the forged events after it rest on the
   * heads as they then are, the forged node among them.
   */
  planFork(
    server: Homeserver,
    roomId: string,
    plan: { forkAt?: number; claimedOffset?: number; grind?: number },
  ): void {
    this.forkPlans.set(forkPlanKey(server, roomId), {
      forkAt: plan.forkAt ?? Adversary.NO_FORK,
      claimedOffset: plan.claimedOffset ?? 0,
      grind: plan.grind ?? 1,
    });
  }

  /**
   * A fork point in the state DAG the server holds (the footnotes' attacks): rest on the heads of
   * the first `at` nodes in the replica's order (`at` < 0: all but the last -`at`), so the forged
   * node is concurrent with every node after them; claim the time of the first node it leaves out
   * plus `offset` ms (or now plus `offset`, if it leaves out none); and, with `grind` > 1, try up to
   * that many earlier claimed times for a node ID that sorts before that node's.
   */
  private forkPoint(
    server: Homeserver,
    roomId: string,
    at: number,
    offset: number,
    grind: number,
  ): { before?: string; ts: number; grind?: { budget: number; below: string } } {
    const withNodes = (server.rooms.get(roomId)?.events ?? []).flatMap((e) => {
      const n = readDagNode(e, this.world.ed25519);
      return n.ok ? [{ e, n: n.value }] : [];
    });
    const cut = Math.max(0, Math.min(withNodes.length, at < 0 ? withNodes.length + at : at));
    const first = withNodes[cut];
    if (!first) return { ts: this.world.clock.now() + offset };
    const grinding = grind > 1 ? { grind: { budget: grind, below: first.n.id } } : {};
    return { before: first.e.event_id, ts: first.n.ts + offset, ...grinding };
  }

  /**
   * T19: join-rule replay across rooms. `server` serves, in `toRoom`, the latest public or
   * restricted join rule of `fromRoom` (MSC3917 gives a join rule no `room_root_key`: it names a
   * room only through its `parent_event_id`, the sender's cause in `fromRoom`), and under that
   * parent's ID a copy of the sender's own cause in `toRoom`; then it joins a user it makes "through"
   * the rule. Both are served for look-ups only, the rule without its state-DAG block.
   */
  replayJoinRule(server: Homeserver, fromRoom: string, toRoom: string, member: string): WorldEvent {
    const from = server.rooms.get(fromRoom)?.events ?? this.world.network.snapshot(fromRoom, server) ?? [];
    const joinable = (e: WorldEvent) => e.content.join_rule === "public" || e.content.join_rule === "restricted";
    const rule = [...from].reverse().find((e) => e.type === "m.room.join_rules" && joinable(e));
    const room = server.rooms.get(toRoom);
    const rrk = rrkFromRoomId(toRoom);
    if (!rule || !room || !rrk.ok) {
      throw new ApiError("M_NOT_FOUND", `no public or restricted join rule in ${fromRoom}, or no room ${toRoom}`);
    }
    const parent = rule.content.parent_event_id;
    const create = room.get("m.room.create");
    const isSignedJoin = (e: WorldEvent) =>
      e.type === "m.room.member" &&
      e.state_key === rule.sender &&
      e.content.membership === "join" &&
      e.content.user_key !== undefined;
    const signedJoin = [...room.events].reverse().find(isSignedJoin);
    const cause = signedJoin ?? (create?.sender === rule.sender ? create : undefined);
    if (typeof parent !== "string" || !cause) {
      throw new ApiError(
        "M_NOT_FOUND",
        `${rule.sender} has no cause of membership in ${toRoom} to serve as ${String(parent)}`,
      );
    }
    server.serveForLookup(toRoom, { ...cause, event_id: parent });
    const { [DAG_FIELD]: _dag, ...unsigned } = (rule.content.unsigned ?? {}) as JsonObject;
    const { unsigned: _u, ...content } = rule.content;
    const served = Object.keys(unsigned).length ? { ...content, unsigned } : content;
    server.serveForLookup(toRoom, { ...rule, room_id: toRoom, content: served });
    const { msk, signer } = this.makeMember(server, member, toRoom);
    const joinContent = buildMemberContent({
      membership: "join",
      signer,
      parentEventId: rule.event_id,
      userKey: msk.publicKey,
      rrk: rrk.value,
    });
    const join = this.forgeSigned(server, toRoom, member, joinContent, member, signer);
    this.recordCause(toRoom, join, member, msk.publicKey, rule.event_id);
    return join;
  }

  /**
   * T20: third-party token substitution. The token is the `m.room.third_party_invite`'s state key,
   * which no signature covers. A user `member` the server makes binds `address` (an address of its
   * own) at the room's identity server, for an invite it stored elsewhere, so the identity server
   * really signs `{mxid, token, user_key}` for a token of the adversary's; the server copies the
   * room's latest genuine third-party invite, its signed content untouched, under that token, makes
   * the successor invite on the copy and joins the user.
   */
  substituteThirdPartyToken(server: Homeserver, roomId: string, member: string, address: string): WorldEvent {
    const room = server.rooms.get(roomId);
    const tpi = room ? [...room.events].reverse().find((e) => e.type === "m.room.third_party_invite") : undefined;
    const rrk = rrkFromRoomId(roomId);
    if (!tpi || !rrk.ok) throw new ApiError("M_NOT_FOUND", `no third-party invite in ${roomId}`);
    const { msk, signer } = this.makeMember(server, member, roomId);
    const identity = this.world.identity;
    const ownRoom = `!${this.world.rng.id(`adversary's own room for ${address}`, 43)}`;
    const elsewhere = identity.storeInvite(address, ownRoom, member);
    const ownInvite = `$${this.world.rng.id(`adversary's own third-party invite for ${address}`, 43)}`;
    identity.published(elsewhere.token, ownInvite, encodeBase64(msk.publicKey));
    const binding = identity.bind(address, member, msk.publicKey).find((b) => b.invite === elsewhere);
    if (!binding) throw new ApiError("M_NOT_FOUND", `the identity server signed nothing for ${address}`);
    const copy = server.forgeEvent(roomId, tpi.sender, "m.room.third_party_invite", tpi.content, elsewhere.token);
    const successor = buildThirdPartySuccessorInviteContent({
      thirdPartyInviteEventId: copy.event_id,
      displayName: `${address.slice(0, 2)}…`,
      signed: binding.signed,
    });
    const invite = server.forgeEvent(roomId, tpi.sender, "m.room.member", successor, member);
    const joinContent = buildMemberContent({
      membership: "join",
      signer,
      parentEventId: invite.event_id,
      userKey: msk.publicKey,
      rrk: rrk.value,
    });
    const join = this.forgeSigned(server, roomId, member, joinContent, member, signer);
    this.recordCause(roomId, join, member, msk.publicKey, invite.event_id);
    return join;
  }

  /**
   * T21: the creator is not signed. In room v11 the creator is the create event's `sender`, which
   * the RRK's signature does not cover. `server` rewrites it to `member`, a user it makes, whose
   * master key it publishes as the create event's `creator_key` (the real creator's MSK: a master
   * key needs no signature), and forges `member`'s plain join, the creator's join that rests on the
   * create event.
   */
  rewriteCreator(server: Homeserver, roomId: string, member: string): WorldEvent {
    const create = server.rooms.get(roomId)?.get("m.room.create");
    const creatorKey = create?.content.creator_key;
    const claimed = typeof creatorKey === "string" ? decodeBase64(creatorKey, { expectedLength: 32 }) : undefined;
    if (!create || !claimed?.ok) throw new ApiError("M_NOT_FOUND", `no MSC3917 create event in ${roomId}`);
    const made = this.makeMember(server, member, roomId);
    const pub = encodeBase64(claimed.value);
    const master = { user_id: member, usage: ["master"], keys: { [`ed25519:${pub}`]: pub } };
    server.uploadKeys(member, { master, self_signing: made.keys.self_signing, room_signing: made.keys.room_signing });
    server.rewriteSender(roomId, create.event_id, member);
    const join = this.forgeSigned(server, roomId, member, { membership: "join" }, member, made.signer);
    this.recordCause(roomId, join, member, claimed.value, "");
    return join;
  }

  private readonly substitutes = new Map<string, ReturnType<Adversary["makeIdentity"]>>();

  private substitute(server: Homeserver, target: string) {
    let id = this.substitutes.get(target);
    if (!id) {
      id = this.makeIdentity(target, server, `substitute for ${target}`);
      this.substitutes.set(target, id);
    }
    return id;
  }

  /** T6: `server` answers `/keys/query` for `target` with an MSK, SSK and device it made. */
  substituteMsk(server: Homeserver, target: string): void {
    const id = this.substitute(server, target);
    server.substituteKeys(target, id.keys);
    this.keyEvents?.substituted(server, target, { msk: id.msk, ssk: id.ssk }, [...id.keys.devices.keys()][0]!);
  }

  /**
   * `server` forges a join for `target` signed with the substitute keys, resting on the latest
   * invite for `target` in the room (or the join rule): the attacker joins as the victim.
   */
  impersonateJoin(server: Homeserver, target: string, roomId: string): WorldEvent {
    const id = this.substitute(server, target);
    const rrk = rrkFromRoomId(roomId);
    const room = server.rooms.get(roomId);
    if (!room || !rrk.ok) throw new ApiError("M_NOT_FOUND", `${server.name} has no room ${roomId}`);
    const parent =
      [...room.events]
        .reverse()
        .find((e) => e.type === "m.room.member" && e.state_key === target && e.content.membership === "invite") ??
      room.get("m.room.join_rules");
    if (!parent) throw new ApiError("M_NOT_FOUND", `no invite for ${target} to rest a join on`);
    this.act({ kind: "insert_member", server, roomId, user: target, threat: "T7" });
    const join = this.forgeSigned(
      server,
      roomId,
      target,
      buildMemberContent({
        membership: "join",
        signer: id.signer,
        parentEventId: parent.event_id,
        userKey: id.msk.publicKey,
        rrk: rrk.value,
      }),
      target,
      id.signer,
    );
    this.recordCause(roomId, join, target, id.msk.publicKey, parent.event_id);
    return join;
  }

  /** T2: `server` makes `target`'s last join current again after a ban, in what it serves. */
  reinsertBanned(server: Homeserver, roomId: string, target: string): void {
    const room = server.rooms.get(roomId);
    const join = room
      ? [...room.events]
          .reverse()
          .find((e) => e.type === "m.room.member" && e.state_key === target && e.content.membership === "join")
      : undefined;
    if (!join) throw new ApiError("M_NOT_FOUND", `${target} never joined ${roomId}`);
    server.reinstate(roomId, join.event_id);
    this.act({ kind: "undo_ban", server, roomId, target, threat: "T2" });
  }

  /** T7: `server` forges a plain membership change for `target`, as if they sent it (a leave). */
  forgeLeave(server: Homeserver, roomId: string, target: string): WorldEvent {
    this.act({ kind: "forge_leave", server, roomId, target });
    return server.forgeEvent(roomId, target, "m.room.member", { membership: "leave" }, target);
  }

  /**
   * T10: `server` replays `target`'s signed join from one room into another. The content, and so
   * its signature, is untouched; it names the other room's RRK.
   */
  replayJoin(server: Homeserver, fromRoom: string, toRoom: string, target: string): WorldEvent {
    const join = [...(server.rooms.get(fromRoom)?.events ?? [])]
      .reverse()
      .find((e) => e.type === "m.room.member" && e.state_key === target && e.content.membership === "join");
    if (!join) throw new ApiError("M_NOT_FOUND", `${target} has no join in ${fromRoom} to replay`);
    const e = server.forgeEvent(toRoom, target, "m.room.member", join.content, target);
    this.act({ kind: "replay_member", server, roomId: toRoom, target, fromRoom });
    this.world.history.record({
      op: "cause",
      t: this.world.clock.now(),
      room: toRoom,
      event: e.event_id,
      user: target,
      msk: String(join.content.user_key ?? ""),
      parent: String(join.content.parent_event_id ?? ""),
      honest: false,
    });
    return e;
  }

  /**
   * T11: `server` re-issues the signed content of the latest invite for `victim` under another
   * envelope (state key = a user it makes), and joins that user on it.
   */
  replayEnvelope(server: Homeserver, roomId: string, victim: string, member: string): WorldEvent {
    const room = server.rooms.get(roomId);
    const invite = room
      ? [...room.events]
          .reverse()
          .find((e) => e.type === "m.room.member" && e.state_key === victim && e.content.membership === "invite")
      : undefined;
    const rrk = rrkFromRoomId(roomId);
    if (!invite || !rrk.ok) throw new ApiError("M_NOT_FOUND", `no invite for ${victim} in ${roomId}`);
    const { msk, signer } = this.makeMember(server, member, roomId);
    this.act({ kind: "insert_member", server, roomId, user: member, threat: "T11" });
    const replayed = server.forgeEvent(roomId, invite.sender, "m.room.member", invite.content, member);
    const join = this.forgeSigned(
      server,
      roomId,
      member,
      buildMemberContent({
        membership: "join",
        signer,
        parentEventId: replayed.event_id,
        userKey: msk.publicKey,
        rrk: rrk.value,
      }),
      member,
      signer,
    );
    this.recordCause(roomId, join, member, msk.publicKey, replayed.event_id);
    return join;
  }

  /**
   * T12: a fake ID mapping that makes a parent cycle: a join for a user the server makes rests on
   * an "invite" served under an ID the server chose, which rests on that join.
   */
  parentCycle(server: Homeserver, roomId: string, member: string): WorldEvent {
    const rrk = rrkFromRoomId(roomId);
    if (!rrk.ok) throw new ApiError("M_INVALID_PARAM", `${roomId} is not an RRK room`);
    const { msk, signer } = this.makeMember(server, member, roomId);
    this.act({ kind: "insert_member", server, roomId, user: member, threat: "T12" });
    const inviteId = `$${this.world.rng.id(`fake event id in ${roomId}`, 43)}`;
    const join = server.forgeEvent(
      roomId,
      member,
      "m.room.member",
      buildMemberContent({
        membership: "join",
        signer,
        parentEventId: inviteId,
        userKey: msk.publicKey,
        rrk: rrk.value,
      }),
      member,
    );
    server.forgeEvent(
      roomId,
      member,
      "m.room.member",
      buildMemberContent({
        membership: "invite",
        signer,
        parentEventId: join.event_id,
        userKey: msk.publicKey,
        rrk: rrk.value,
      }),
      `${member}/invite`,
      inviteId,
    );
    this.recordCause(roomId, join, member, msk.publicKey, inviteId);
    return join;
  }

  private latestBan(server: Homeserver, roomId: string, target: string): WorldEvent {
    const ban = [...(server.rooms.get(roomId)?.events ?? [])]
      .reverse()
      .find((e) => e.type === "m.room.member" && e.state_key === target && e.content.membership === "ban");
    if (!ban) throw new ApiError("M_NOT_FOUND", `no ban of ${target} in ${roomId}`);
    return ban;
  }

  /** T13: `server` hides the latest ban of `target` from everything it serves. */
  hideBan(server: Homeserver, roomId: string, target: string): void {
    server.hide(roomId, this.latestBan(server, roomId, target).event_id);
    this.act({ kind: "undo_ban", server, roomId, target, threat: "T13" });
  }

  /**
   * T14: a split view. `server` hides the latest ban of `target` from some of its users only;
   * everyone else, on other servers too, sees the ban.
   */
  splitView(server: Homeserver, roomId: string, target: string, hideFrom: readonly string[]): void {
    server.hideFrom(hideFrom, roomId, this.latestBan(server, roomId, target).event_id);
    this.act({ kind: "undo_ban", server, roomId, target, hideFrom, threat: "T14" });
  }

  /**
   * T15: `server` makes a third-party successor invite for a user it makes, on the room's latest
   * m.room.third_party_invite, with the binding signed by an identity-server key of its own.
   */
  forgeThirdPartyInvite(server: Homeserver, roomId: string, member: string): WorldEvent {
    const room = server.rooms.get(roomId);
    const tpi = room ? [...room.events].reverse().find((e) => e.type === "m.room.third_party_invite") : undefined;
    const rrk = rrkFromRoomId(roomId);
    if (!tpi || !rrk.ok) throw new ApiError("M_NOT_FOUND", `no third-party invite in ${roomId}`);
    const { msk, signer } = this.makeMember(server, member, roomId);
    this.act({ kind: "insert_member", server, roomId, user: member, threat: "T15" });
    const isKey = signingKeyFromSeed(this.world.rng.bytes(`adversary identity server key for ${roomId}`, 32));
    const signed = signThirdPartyBinding({
      mxid: member,
      token: tpi.state_key!,
      userKey: msk.publicKey,
      identityServer: "id.example",
      keyId: "ed25519:0",
      key: isKey,
    });
    const invite = server.forgeEvent(
      roomId,
      tpi.sender,
      "m.room.member",
      buildThirdPartySuccessorInviteContent({ thirdPartyInviteEventId: tpi.event_id, displayName: "…", signed }),
      member,
    );
    const join = this.forgeSigned(
      server,
      roomId,
      member,
      buildMemberContent({
        membership: "join",
        signer,
        parentEventId: invite.event_id,
        userKey: msk.publicKey,
        rrk: rrk.value,
      }),
      member,
      signer,
    );
    this.recordCause(roomId, join, member, msk.publicKey, invite.event_id);
    return join;
  }

  /**
   * T16: `server` joins a user it makes through the room's restricted rule, with a forged proof of
   * membership in the allowed room: a fake invite from that room's creator (an RSK the server made)
   * and the allowed room's real create event.
   */
  forgeRestrictedJoin(server: Homeserver, roomId: string, allowedRoom: string, member: string): WorldEvent {
    const rule = server.rooms.get(roomId)?.get("m.room.join_rules");
    const create = (
      server.rooms.get(allowedRoom)?.events ??
      this.world.network.snapshot(allowedRoom, server) ??
      []
    ).find((e) => e.type === "m.room.create");
    const rrk = rrkFromRoomId(roomId);
    const otherRrk = rrkFromRoomId(allowedRoom);
    if (!rule || !create || !rrk.ok || !otherRrk.ok)
      throw new ApiError("M_NOT_FOUND", `no restricted rule in ${roomId}, or no room ${allowedRoom}`);
    const { msk, signer } = this.makeMember(server, member, roomId);
    this.act({ kind: "insert_member", server, roomId, user: member, threat: "T16" });
    const fakeCreator = this.makeIdentity(create.sender, server, `fake ${create.sender} in ${allowedRoom}`).signer;
    const invite = {
      event_id: `$${this.world.rng.id(`fake proof invite in ${allowedRoom}`, 43)}`,
      type: "m.room.member",
      state_key: member,
      sender: create.sender,
      content: buildMemberContent({
        membership: "invite",
        signer: fakeCreator,
        parentEventId: create.event_id,
        userKey: msk.publicKey,
        rrk: otherRrk.value,
      }),
    };
    const otherJoin = {
      event_id: `$${this.world.rng.id(`fake proof join in ${allowedRoom}`, 43)}`,
      type: "m.room.member",
      state_key: member,
      sender: member,
      content: buildMemberContent({
        membership: "join",
        signer,
        parentEventId: invite.event_id,
        userKey: msk.publicKey,
        rrk: otherRrk.value,
      }),
    };
    const proof = [
      otherJoin,
      invite,
      { event_id: create.event_id, type: create.type, state_key: "", sender: create.sender, content: create.content },
    ];
    const join = this.forgeSigned(
      server,
      roomId,
      member,
      buildMemberContent({
        membership: "join",
        signer,
        parentEventId: rule.event_id,
        userKey: msk.publicKey,
        rrk: rrk.value,
        membershipEvents: proof,
      }),
      member,
      signer,
    );
    this.recordCause(roomId, join, member, msk.publicKey, rule.event_id);
    return join;
  }

  /**
   * T18: `server` joins a user it makes whose RSK is the identity point (a torsion key), with the
   * "universal" signature R = identity, S = 0 on the join and on a self-made invite.
   */
  insertTorsionMember(server: Homeserver, roomId: string, member: string): WorldEvent {
    const rrk = rrkFromRoomId(roomId);
    if (!rrk.ok) throw new ApiError("M_INVALID_PARAM", `${roomId} is not an RRK room`);
    const { msk } = this.makeMember(server, member, roomId);
    this.act({ kind: "insert_member", server, roomId, user: member, threat: "T18" });
    const identity = encodeBase64(Uint8Array.of(1, ...new Uint8Array(31)));
    const universal = encodeBase64(Uint8Array.of(1, ...new Uint8Array(63)));
    const torsionRsk = {
      user_id: member,
      usage: ["room_signing"],
      keys: { [`ed25519:${identity}`]: identity },
      signatures: { [member]: { [`ed25519:${encodeBase64(msk.publicKey)}`]: universal } },
    };
    const signedByTorsion = (content: JsonObject): JsonObject => ({
      ...content,
      sender_key: torsionRsk,
      signatures: { [member]: { [`ed25519:${identity}`]: universal } },
    });
    const create = server.rooms.get(roomId)?.get("m.room.create");
    const invite = server.forgeEvent(
      roomId,
      member,
      "m.room.member",
      signedByTorsion({
        membership: "invite",
        parent_event_id: create?.event_id ?? "$unknown",
        user_key: encodeBase64(msk.publicKey),
        room_root_key: encodeBase64(rrk.value),
      }),
      `${member}/self`,
    );
    const join = server.forgeEvent(
      roomId,
      member,
      "m.room.member",
      signedByTorsion({
        membership: "join",
        parent_event_id: invite.event_id,
        user_key: encodeBase64(msk.publicKey),
        room_root_key: encodeBase64(rrk.value),
      }),
      member,
    );
    this.recordCause(roomId, join, member, msk.publicKey, invite.event_id);
    return join;
  }

  /**
   * A room of the server's own: an RRK it made, created by a user it makes (with keys and a device
   * it publishes), open to the public. In that room the server's user is the real creator.
   */
  private ownRoom(server: Homeserver, member: string, label: string): string {
    if (!server.hosts(member))
      throw new ApiError("M_FORBIDDEN", `${server.name} can only make users it hosts, not ${member}`);
    const rrk = signingKeyFromSeed(this.world.rng.bytes(`adversary rrk for ${label}`, 32));
    const id = this.makeIdentity(member, server, `owner of the room for ${label}`);
    this.publish(server, member, id);
    // It signs its room into a state DAG too, as any client of the state-DAG model would.
    const createContent = buildCreateContent({ rrk, creatorMsk: id.msk.publicKey, creator: member });
    const createNode = signDagNode(
      { type: "m.room.create", state_key: "", sender: member, content: createContent },
      [],
      this.world.clock.now(),
      id.signer,
    );
    const roomId = server.createRoom(member, createNode.content);
    const create = server.rooms.get(roomId)!.get("m.room.create")!;
    this.recordCause(roomId, create, member, id.msk.publicKey, null);
    const ruleContent = buildJoinRulesContent({
      joinRule: "public",
      signer: id.signer,
      parentEventId: create.event_id,
    });
    const rule = server.setState(
      member,
      roomId,
      "m.room.join_rules",
      "",
      signDagNode(
        { type: "m.room.join_rules", state_key: "", sender: member, content: ruleContent },
        [createNode.id],
        this.world.clock.now(),
        id.signer,
      ).content,
    );
    this.world.history.record({
      op: "permit",
      t: this.world.clock.now(),
      room: roomId,
      event: rule.event_id,
      by: member,
      by_msk: encodeBase64(id.msk.publicKey),
      for_user: null,
      for_msk: null,
    });
    return roomId;
  }

  /** T9: `server` answers its clients' look-ups of `alias` with a room of its own. */
  substituteRrk(server: Homeserver, alias: string, member: string): string {
    const roomId = this.ownRoom(server, member, alias);
    server.substituteAlias(alias, roomId);
    return roomId;
  }

  /**
   * T17: `server` lists a room of its own in a space, in an `m.space.child` "from" `as`, signed with
   * an RSK it made.
   */
  forgeSpaceChild(server: Homeserver, spaceRoomId: string, as: string, member: string): WorldEvent {
    const roomId = this.ownRoom(server, member, `a child of ${spaceRoomId}`);
    const child = rrkFromRoomId(roomId);
    const fake = this.makeIdentity(as, server, `fake ${as} in ${spaceRoomId}`).signer;
    const create = server.rooms.get(spaceRoomId)?.get("m.room.create");
    if (!child.ok || !create) throw new ApiError("M_NOT_FOUND", `${server.name} has no space ${spaceRoomId}`);
    return server.forgeEvent(
      spaceRoomId,
      as,
      "m.space.child",
      buildSpaceChildContent({
        childRrk: child.value,
        via: [server.name],
        signer: fake,
        parentEventId: create.event_id,
      }),
      roomId,
    );
  }

  /** `server` lists a device it made for `target` in `/keys/query`, signed by nobody but itself. */
  insertDevice(server: Homeserver, target: string): void {
    const device = this.newDevice(target, server, `inserted for ${target}`);
    server.insertDevice(
      target,
      makeDeviceKeys(target, device.id, device.signing, undefined, undefined, device.curve.publicKey),
    );
    this.keyEvents?.inserted(server, target, device.id);
  }

  /** Every attacker device tries everything its server can reach. */
  async read(): Promise<void> {
    for (const { owner, device, server, transport } of this.devices) {
      const mine = server.relayedToDevice
        .filter((r) => r.user === owner && r.device === device.id)
        .map((r) => r.message);
      const inbox = server.hosts(owner) ? server.takeToDevice(owner, device.id) : [];
      const rooms = [...server.rooms.keys()];
      const messagesOf = (r: string) => server.rooms.get(r)?.events.filter((e) => e.type === "m.room.encrypted") ?? [];
      await transport.read({ owner, device, toDevice: [...mine, ...inbox], rooms, messagesOf, honest: false });
    }
  }
}
