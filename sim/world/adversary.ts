/**
 * The adversary's side of the world (DESIGN.md §9): what it made (users, devices and their private
 * keys) and what it reads. Its powers over servers are the capabilities declared on each
 * `maliciousHomeserver`; this module only uses them. Attacker devices try to decrypt every
 * ciphertext their servers can reach: their own inboxes, the to-device messages the servers relay,
 * and every room message in the servers' replicas.
 */
import { encodeBase64 } from "../core/base64.ts";
import { makeCrossSigningKey, makeDeviceKeys } from "../core/cross-signing.ts";
import { signingKeyFromSeed } from "../core/ed25519.ts";
import { buildMemberContent } from "../core/events.ts";
import { rrkFromRoomId } from "../core/room-root-key.ts";
import { type Client, type Device, type World, makeDevice, readAsDevice } from "./client.ts";
import { ApiError, type Homeserver } from "./homeserver.ts";
import type { WorldEvent } from "./room.ts";

interface AttackerDevice {
  owner: string;
  device: Device;
  server: Homeserver;
}

export class Adversary {
  readonly devices: AttackerDevice[] = [];

  constructor(private readonly world: World) {}

  private newDevice(owner: string, server: Homeserver, label: string): Device {
    const device = makeDevice(this.world, owner, `adversary ${label}`);
    this.devices.push({ owner, device, server });
    this.world.history.record({ op: "device", t: this.world.clock.now(), user: owner, device: `${owner}/${device.id}`, honest: false });
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
      devices: new Map([[device.id, makeDeviceKeys(userId, device.id, device.signing, ssk, undefined, device.curve.publicKey)]]),
    };
    return { msk, signer, keys };
  }

  private recordCause(roomId: string, e: WorldEvent, user: string, msk: Uint8Array, parent: string | null): void {
    this.world.history.record({ op: "cause", t: this.world.clock.now(), room: roomId, event: e.event_id, user, msk: encodeBase64(msk), parent, honest: false });
  }

  /** A user the adversary makes on `server`, with keys published there. */
  private makeMember(server: Homeserver, userId: string, roomId: string) {
    if (!server.hosts(userId)) throw new ApiError("M_FORBIDDEN", `${server.name} can only make users it hosts, not ${userId}`);
    const id = this.makeIdentity(userId, server, `${userId} in ${roomId}`);
    server.uploadKeys(userId, { master: id.keys.master, self_signing: id.keys.self_signing, room_signing: id.keys.room_signing });
    for (const d of id.keys.devices.values()) server.uploadDevice(userId, d);
    return id;
  }

  /**
   * T1: `server` puts `userId` (a user it hosts, with keys and a cross-signed device it made) into
   * the room. `plain`: a join with no MSC3917 fields, as servers can do today. `forged_invite`: an
   * invite "from" `as`, signed with an RSK the server made under an MSK it made, then a signed join.
   */
  insertMember(server: Homeserver, roomId: string, userId: string, method: "plain" | "forged_invite", as?: string): WorldEvent {
    const { msk, signer } = this.makeMember(server, userId, roomId);
    const rrk = rrkFromRoomId(roomId);
    if (method === "plain" || !rrk.ok) {
      const e = server.forgeEvent(roomId, userId, "m.room.member", { membership: "join" }, userId);
      this.recordCause(roomId, e, userId, msk.publicKey, null);
      return e;
    }
    if (!as) throw new ApiError("M_INVALID_PARAM", "forged_invite needs `as`: the member the invite pretends to come from");
    const fake = this.makeIdentity(as, server, `fake ${as} in ${roomId}`).signer;
    const create = server.rooms.get(roomId)?.get("m.room.create");
    const invite = server.forgeEvent(roomId, as, "m.room.member", buildMemberContent({ membership: "invite", signer: fake, parentEventId: create?.event_id ?? "$unknown", userKey: msk.publicKey, rrk: rrk.value }), userId);
    const join = server.forgeEvent(roomId, userId, "m.room.member", buildMemberContent({ membership: "join", signer, parentEventId: invite.event_id, userKey: msk.publicKey, rrk: rrk.value }), userId);
    this.recordCause(roomId, join, userId, msk.publicKey, invite.event_id);
    return join;
  }

  /**
   * T3/T4: a colluding member hands over their keys; the server uses them to sign an invite for a
   * user it makes, and accepts it whatever the room's rules say (the colluder may be banned, or lack
   * the power to invite). The invite is real: the colluder's RSK under their real MSK.
   */
  colludeInvite(server: Homeserver, colluder: Client, roomId: string, userId: string): WorldEvent {
    const cause = colluder.causeIn(roomId);
    const rrk = rrkFromRoomId(roomId);
    if (!cause || !rrk.ok) throw new ApiError("M_FORBIDDEN", `${colluder.userId} was never a member of ${roomId}`);
    const { msk, signer } = this.makeMember(server, userId, roomId);
    const invite = server.forgeEvent(roomId, colluder.userId, "m.room.member", buildMemberContent({ membership: "invite", signer: colluder, parentEventId: cause, userKey: msk.publicKey, rrk: rrk.value }), userId);
    this.world.history.record({ op: "permit", t: this.world.clock.now(), room: roomId, event: invite.event_id, by: colluder.userId, by_msk: encodeBase64(colluder.msk.publicKey), for_user: userId, for_msk: encodeBase64(msk.publicKey) });
    const join = server.forgeEvent(roomId, userId, "m.room.member", buildMemberContent({ membership: "join", signer, parentEventId: invite.event_id, userKey: msk.publicKey, rrk: rrk.value }), userId);
    this.recordCause(roomId, join, userId, msk.publicKey, invite.event_id);
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
    server.substituteKeys(target, this.substitute(server, target).keys);
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
    const parent = [...room.events].reverse().find((e) => e.type === "m.room.member" && e.state_key === target && e.content.membership === "invite") ?? room.get("m.room.join_rules");
    if (!parent) throw new ApiError("M_NOT_FOUND", `no invite for ${target} to rest a join on`);
    const join = server.forgeEvent(roomId, target, "m.room.member", buildMemberContent({ membership: "join", signer: id.signer, parentEventId: parent.event_id, userKey: id.msk.publicKey, rrk: rrk.value }), target);
    this.recordCause(roomId, join, target, id.msk.publicKey, parent.event_id);
    return join;
  }

  /** T2: `server` makes `target`'s last join current again after a ban, in what it serves. */
  reinsertBanned(server: Homeserver, roomId: string, target: string): void {
    const room = server.rooms.get(roomId);
    const join = room ? [...room.events].reverse().find((e) => e.type === "m.room.member" && e.state_key === target && e.content.membership === "join") : undefined;
    if (!join) throw new ApiError("M_NOT_FOUND", `${target} never joined ${roomId}`);
    server.reinstate(roomId, join.event_id);
  }

  /** `server` lists a device it made for `target` in `/keys/query`, signed by nobody but itself. */
  insertDevice(server: Homeserver, target: string): void {
    const device = this.newDevice(target, server, `inserted for ${target}`);
    server.insertDevice(target, makeDeviceKeys(target, device.id, device.signing, undefined, undefined, device.curve.publicKey));
  }

  /** Every attacker device tries everything its server can reach. */
  read(): void {
    for (const { owner, device, server } of this.devices) {
      const mine = server.relayedToDevice.filter((r) => r.user === owner && r.device === device.id).map((r) => r.message);
      const inbox = server.hosts(owner) ? server.takeToDevice(owner, device.id) : [];
      const rooms = [...server.rooms.keys()];
      readAsDevice(owner, device, [...mine, ...inbox], rooms, this.world, false, (r) => server.rooms.get(r)?.events.filter((e) => e.type === "m.room.encrypted") ?? []);
    }
  }
}
