/**
 * The adversary's side of the world (DESIGN.md §9): what it made (users, devices and their private
 * keys) and what it reads. Its powers over servers are the capabilities declared on each
 * `maliciousHomeserver`; this module only uses them. Attacker devices try to decrypt every
 * ciphertext their servers can reach: their own inboxes, the to-device messages the servers relay,
 * and every room message in the servers' replicas.
 */
import { makeCrossSigningKey, makeDeviceKeys } from "../core/cross-signing.ts";
import { signingKeyFromSeed } from "../core/ed25519.ts";
import { buildMemberContent } from "../core/events.ts";
import { rrkFromRoomId } from "../core/room-root-key.ts";
import { type Device, type World, makeDevice, readAsDevice } from "./client.ts";
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

  /**
   * T1: `server` puts `userId` (a user it hosts, with keys and a cross-signed device it made) into
   * the room. `plain`: a join with no MSC3917 fields, as servers can do today. `forged_invite`: an
   * invite "from" `as`, signed with an RSK the server made under an MSK it made, then a signed join.
   */
  insertMember(server: Homeserver, roomId: string, userId: string, method: "plain" | "forged_invite", as?: string): WorldEvent {
    if (!server.hosts(userId)) throw new ApiError("M_FORBIDDEN", `${server.name} can only make users it hosts, not ${userId}`);
    const label = `${userId} in ${roomId}`;
    const msk = signingKeyFromSeed(this.world.rng.bytes(`adversary keygen ${label}/msk`, 32));
    const ssk = signingKeyFromSeed(this.world.rng.bytes(`adversary keygen ${label}/ssk`, 32));
    const rsk = signingKeyFromSeed(this.world.rng.bytes(`adversary keygen ${label}/rsk`, 32));
    const signer = { userId, rsk, rskCrossSigningKey: makeCrossSigningKey(userId, "room_signing", rsk, msk) };
    server.uploadKeys(userId, { master: makeCrossSigningKey(userId, "master", msk), self_signing: makeCrossSigningKey(userId, "self_signing", ssk, msk), room_signing: signer.rskCrossSigningKey });
    const device = this.newDevice(userId, server, label);
    server.uploadDevice(userId, makeDeviceKeys(userId, device.id, device.signing, ssk, undefined, device.curve.publicKey));
    const rrk = rrkFromRoomId(roomId);
    if (method === "plain" || !rrk.ok) return server.forgeEvent(roomId, userId, "m.room.member", { membership: "join" }, userId);
    if (!as) throw new ApiError("M_INVALID_PARAM", "forged_invite needs `as`: the member the invite pretends to come from");
    const fakeMsk = signingKeyFromSeed(this.world.rng.bytes(`adversary keygen fake ${as}/msk`, 32));
    const fakeRsk = signingKeyFromSeed(this.world.rng.bytes(`adversary keygen fake ${as}/rsk`, 32));
    const fake = { userId: as, rsk: fakeRsk, rskCrossSigningKey: makeCrossSigningKey(as, "room_signing", fakeRsk, fakeMsk) };
    const create = server.rooms.get(roomId)?.get("m.room.create");
    const invite = server.forgeEvent(roomId, as, "m.room.member", buildMemberContent({ membership: "invite", signer: fake, parentEventId: create?.event_id ?? "$unknown", userKey: msk.publicKey, rrk: rrk.value }), userId);
    return server.forgeEvent(roomId, userId, "m.room.member", buildMemberContent({ membership: "join", signer, parentEventId: invite.event_id, userKey: msk.publicKey, rrk: rrk.value }), userId);
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
