/**
 * `mls`: RFC 9420 groups (ts-mls) as a defence model, over the engine in `engine.ts`.
 *
 * - One `MlsDevice` per Matrix device, with that device's Ed25519 key as its leaf key; one group
 *   per room, its Delivery Service (`delivery-service.ts`) standing for the homeservers.
 * - The Authentication Service: a leaf key must be the device key that the SSK of the MSK the
 *   client holds for its user signs (verified, or first seen), as `/keys/query` lists it.
 * - Membership changes are Commits. Policy: a member adds a user (claiming KeyPackages of the
 *   devices the server lists, as one-time keys) only when that user's join rests on a permission
 *   this client gave itself (its invite, its join rule, its third-party invite); a restricted
 *   join only if the joiner is in this client's group for an allowed room. Adding at the join, not
 *   the invite, keeps invitees from reading before they join. A public room's joiner joins by an
 *   external Commit on the GroupInfo a member publishes. Kicks and bans remove every device of
 *   the user; a leave is a proposal that another member's next Commit carries; power levels and
 *   the join rule are a GroupContext extension changed by Commit and checked on every Commit.
 * - Messages are MLS application messages in the room timeline; a device that `receive`s one
 *   records a decryption. Engine alarms become the client's alarms.
 * - A malicious server's acts (`attack`) are what a DS can do: forge external proposals, external
 *   joins on a published GroupInfo, relay or replay anything; a colluding member commits.
 */
import { decodeBase64, encodeBase64 } from "../../core/base64.ts";
import type { JsonObject } from "../../core/canonical-json.ts";
import { crossSigningPublicKey, trustedDevices } from "../../core/cross-signing.ts";
import type {
  AttackAct,
  ClientDefence,
  DecryptedMessage,
  DefenceModel,
  DeviceInputs,
  ModelClient,
  Recipient,
  RoomObservation,
  RoomView,
  Transport,
  Awaitable,
} from "../../world/defence-model.ts";
import { ApiError, type Homeserver } from "../../world/homeserver.ts";
import type { WorldEvent } from "../../world/room.ts";
import { Rng } from "../../world/rng.ts";
import type { Device, World } from "../../world/world.ts";
import { MLS_APPLICABILITY } from "./applicability.ts";
import { DeliveryService, deviceKey } from "./delivery-service.ts";
import { DEFAULT_POLICY, MlsDevice, forgeExternalAdd } from "./engine.ts";
import type { DeviceIdentity, RoomPolicy } from "./room-policy.ts";

const ALGORITHM = "m.mls.v1.private_message";

/** The model's share of one run. */
class MlsWorld {
  readonly rng: Rng;
  /** Every device's engine per room (one group state each), honest and the adversary's, by `user/device room`. */
  readonly devices = new Map<string, MlsDevice>();
  readonly adversaryDevices = new Set<string>();
  /** The adversary's Matrix devices, by user: it can make MLS devices (KeyPackages) for them. */
  readonly adversary = new Map<string, Device[]>();
  readonly ds = new Map<string, DeliveryService>();
  /** Alarms already recorded, per device. */
  readonly seenAlarms = new WeakMap<MlsDevice, number>();
  /** Honest clients' state, for a colluder's hand-over. */
  readonly clients = new Map<string, MlsClient>();

  constructor(readonly world: World) {
    this.rng = new Rng(`${world.rng.seed}/mls`);
  }

  dsOf(roomId: string): DeliveryService {
    let d = this.ds.get(roomId);
    if (!d) {
      d = new DeliveryService();
      this.ds.set(roomId, d);
    }
    return d;
  }

  /** `user`'s device `d`'s engine for `roomId`, made (and connected to the room's DS) on first use. */
  async device(
    user: string,
    d: Device,
    roomId: string,
    auth: (id: DeviceIdentity, key: Uint8Array) => boolean,
  ): Promise<MlsDevice> {
    const key = `${user}/${d.id} ${roomId}`;
    let dev = this.devices.get(key);
    // A device removed from the group starts afresh (a new leaf) if it is ever added again.
    if (!dev || dev.removed()) {
      dev = await MlsDevice.create(this.rng, { user, device: d.id }, DEFAULT_POLICY, auth, {
        seed: d.signing.seed,
        publicKey: d.signing.publicKey,
      });
      this.devices.set(key, dev);
      this.dsOf(roomId).connect(dev);
    }
    return dev;
  }

  /** An adversary's device engines for a room: every device it made for `user`. */
  async adversaryDevicesOf(user: string, roomId: string): Promise<MlsDevice[]> {
    const out: MlsDevice[] = [];
    for (const d of this.adversary.get(user) ?? []) {
      this.adversaryDevices.add(`${user}/${d.id} ${roomId}`);
      out.push(await this.device(user, d, roomId, () => true));
    }
    return out;
  }

  /** The engine for `user/deviceId` in `roomId`, honest or the adversary's, if one can exist. */
  async lookup(user: string, deviceId: string, roomId: string): Promise<MlsDevice | undefined> {
    const have = this.devices.get(`${user}/${deviceId} ${roomId}`);
    if (have) return have;
    if ((this.adversary.get(user) ?? []).some((d) => d.id === deviceId)) {
      return (await this.adversaryDevicesOf(user, roomId)).find((d) => d.id.device === deviceId);
    }
    const c = this.clients.get(user);
    const d = c?.me.devices.find((x) => x.id === deviceId);
    return c && d ? await this.device(user, d, roomId, c.authenticate) : undefined;
  }
}

const worlds = new WeakMap<World, MlsWorld>();
function mlsWorld(world: World): MlsWorld {
  let w = worlds.get(world);
  if (!w) {
    w = new MlsWorld(world);
    worlds.set(world, w);
  }
  return w;
}

function policyFrom(pl: JsonObject | undefined, joinRule: string | undefined): RoomPolicy {
  const n = (v: unknown, d: number) => (typeof v === "number" ? v : d);
  const events = (pl?.events ?? {}) as Record<string, unknown>;
  return {
    users: { ...((pl?.users ?? {}) as Record<string, number>) },
    usersDefault: n(pl?.users_default, 0),
    invite: n(pl?.invite, 0),
    kick: n(pl?.kick, 50),
    powerLevels: n(events["m.room.power_levels"], n(pl?.state_default, 50)),
    // Policy: a restricted room admits by the members' check of the allowed rooms, not by external joins.
    joinRule: joinRule === "public" ? "public" : "invite",
  };
}

/** Record the alarms a device raised since last asked, as its client's. */
function recordAlarms(w: MlsWorld, dev: MlsDevice, client: string, roomId: string): void {
  const seen = w.seenAlarms.get(dev) ?? 0;
  // A device removed from the group is told of later epochs it is not in: not a sign of tampering.
  if (dev.removed()) return void w.seenAlarms.set(dev, dev.alarms.length);
  for (const a of dev.alarms.slice(seen)) {
    w.world.history.record({
      op: "alarm",
      t: w.world.clock.now(),
      room: roomId,
      client,
      missing: `mls ${a.cause} at epoch ${a.epoch}: ${a.detail}`,
    });
  }
  w.seenAlarms.set(dev, dev.alarms.length);
}

class MlsClient implements ClientDefence {
  /** The permissions this client gave (invites, join rules, third-party invites): event ID to when. */
  private readonly permits = new Map<string, { roomId: string; at: number }>();
  /** When this client saw each user leave its group, per room (`room user`), and whom it last saw in it. */
  private readonly removedAt = new Map<string, number>();
  private readonly lastMembers = new Map<string, Set<string>>();
  /** Rooms with a restricted rule this client set, and the rooms it allows. */
  private readonly restricted = new Map<string, string[]>();

  constructor(
    readonly me: ModelClient,
    private readonly w: MlsWorld,
  ) {}

  /** The Authentication Service: the leaf key is a device key signed by the SSK of the MSK this client holds. */
  readonly authenticate = (id: DeviceIdentity, key: Uint8Array): boolean => {
    const keys = this.me.server.queryKeys([id.user], (u) => this.me.world.network.serverOf(u));
    const listed = keys.device_keys[id.user]?.[id.device];
    const ed = listed?.keys?.[`ed25519:${id.device}`];
    if (typeof ed !== "string" || encodeBase64(key) !== ed) return false;
    // As the client's key store does: a verified MSK holds; otherwise the one the server lists now (TOFU).
    const known = this.me.knownMsk(id.user);
    let msk = known?.verified ? known.msk : undefined;
    if (!msk) {
      const m = crossSigningPublicKey(keys.master_keys[id.user], { userId: id.user, usage: "master" });
      if (!m.ok) return false;
      msk = m.value;
    }
    return (
      trustedDevices(id.user, msk, keys.self_signing_keys[id.user], [listed], this.me.world.ed25519).trusted.length ===
      1
    );
  };

  async mine(roomId: string): Promise<MlsDevice[]> {
    const out: MlsDevice[] = [];
    for (const d of this.me.devices) out.push(await this.w.device(this.me.userId, d, roomId, this.authenticate));
    return out;
  }

  /** This client's device that is in the room's group (its first one), if any. */
  async member(roomId: string): Promise<MlsDevice | undefined> {
    for (const d of await this.mine(roomId)) if (d.state && !d.removed()) return d;
    return undefined;
  }

  private alarms(roomId: string, devs: readonly MlsDevice[]): void {
    for (const d of devs) recordAlarms(this.w, d, this.me.userId, roomId);
  }

  /** Submit a Commit; a refused one is abandoned (the engine keeps the state it had). */
  private async submit(
    roomId: string,
    dev: MlsDevice,
    change: Parameters<MlsDevice["commit"]>[0],
    welcomeTo: MlsDevice[] = [],
  ) {
    let made: Awaited<ReturnType<MlsDevice["commit"]>>;
    try {
      made = await dev.commit(change);
    } catch (e) {
      return { accepted: false as const, reason: e instanceof Error ? e.message : String(e) };
    }
    const welcome = made.welcome ? { bytes: made.welcome, to: welcomeTo } : undefined;
    const r = await this.w.dsOf(roomId).submit(dev, made.commit, welcome);
    return r.accepted ? { accepted: true as const } : { accepted: false as const, reason: r.reason };
  }

  stateContent(_roomId: string | null, _type: string, _stateKey: string, content: JsonObject): JsonObject {
    return content;
  }

  async created(roomId: string): Promise<void> {
    const [first, ...rest] = await this.mine(roomId);
    const pl = this.me.server
      .roomView(this.me.userId, roomId)
      .state.find((e) => e.type === "m.room.power_levels")?.content;
    await first!.createGroup(roomId, policyFrom(pl, "invite"));
    if (rest.length > 0)
      await this.submit(roomId, first!, { add: await Promise.all(rest.map((d) => d.newKeyPackage())) }, rest);
  }

  async eventNode(e: WorldEvent): Promise<null> {
    const roomId = e.room_id;
    if (e.type === "m.room.create") return null;
    if (e.type === "m.room.member") {
      const target = e.state_key!;
      const membership = e.content.membership;
      if (membership === "invite") this.permit(e);
      else if (membership === "join" && target === this.me.userId) await this.joined(roomId);
      else if (membership === "leave" || membership === "ban") {
        const dev = await this.member(roomId);
        if (!dev) return null;
        if (target === this.me.userId) {
          // RFC 9420 §12.2: a member cannot commit its own removal; it proposes, and another member commits.
          for (const d of await this.mine(roomId)) {
            if (!d.state || d.removed()) continue;
            try {
              await this.w.dsOf(roomId).submit(d, await d.proposeLeave());
            } catch {
              // Not in the group: nothing to leave.
            }
          }
        } else {
          const remove = dev
            .members()
            .filter((m) => m.user === target)
            .map((m) => ({ user: m.user, device: m.device }));
          if (remove.length > 0) {
            const r = await this.submit(roomId, dev, { remove });
            if (!r.accepted)
              throw new ApiError("M_FORBIDDEN", `mls: the removal of ${target} was refused: ${r.reason}`);
          }
        }
      }
    } else if (e.type === "m.room.power_levels" || e.type === "m.room.join_rules") {
      const dev = await this.member(roomId);
      const current = dev?.roomPolicy();
      if (!dev || !current) return null;
      const view = this.me.server.roomView(this.me.userId, roomId).state;
      const pl =
        e.type === "m.room.power_levels" ? e.content : view.find((x) => x.type === "m.room.power_levels")?.content;
      const rule = e.type === "m.room.join_rules" ? e.content.join_rule : current.joinRule;
      if (e.type === "m.room.join_rules") {
        this.permit(e);
        const allow = Array.isArray(e.content.allow)
          ? e.content.allow.flatMap((a) =>
              a && typeof a === "object" && !Array.isArray(a) && typeof a.room_id === "string" ? [a.room_id] : [],
            )
          : [];
        if (rule === "restricted") this.restricted.set(e.event_id, allow);
      }
      const r = await this.submit(roomId, dev, { policy: policyFrom(pl, typeof rule === "string" ? rule : undefined) });
      if (!r.accepted) throw new ApiError("M_FORBIDDEN", `mls: the policy change was refused: ${r.reason}`);
    } else if (e.type === "m.room.third_party_invite") this.permit(e);
    return null;
  }

  private permit(e: WorldEvent): void {
    this.permits.set(e.event_id, { roomId: e.room_id, at: this.tick++ });
  }

  /** A counter, not the clock: permits and removals this client saw, in its own order. */
  private tick = 0;

  /** After this client's own join: in a public room, join by an external Commit on a member's GroupInfo. */
  private async joined(roomId: string): Promise<void> {
    if (await this.member(roomId)) return;
    const publisher = [...this.w.devices.entries()].find(
      ([k, d]) =>
        !this.w.adversaryDevices.has(k) &&
        k.endsWith(` ${roomId}`) &&
        d.state &&
        !d.removed() &&
        d.roomPolicy()?.joinRule === "public",
    )?.[1];
    if (!publisher) return; // an invite-only room: the inviter adds this client's devices when it sees the join
    const [first, ...rest] = await this.mine(roomId);
    const r = await this.w.dsOf(roomId).submit(first!, await first!.joinExternal(await publisher.groupInfo()));
    if (!r.accepted) throw new ApiError("M_FORBIDDEN", `mls: the external join was refused: ${r.reason}`);
    if (rest.length > 0)
      await this.submit(roomId, first!, { add: await Promise.all(rest.map((d) => d.newKeyPackage())) }, rest);
  }

  /** The KeyPackages of a user's devices, claimed through the homeserver (where a lying server acts). */
  private async claim(user: string, roomId: string): Promise<{ kps: Uint8Array[]; devs: MlsDevice[] }> {
    const keys = this.me.server.queryKeys([user], (u) => this.me.world.network.serverOf(u));
    const kps: Uint8Array[] = [];
    const devs: MlsDevice[] = [];
    for (const id of Object.keys(keys.device_keys[user] ?? {})) {
      const dev = await this.w.lookup(user, id, roomId);
      const listed = keys.device_keys[user]![id]!;
      const ed = listed.keys?.[`ed25519:${id}`];
      if (!dev || typeof ed !== "string" || encodeBase64(dev.signaturePublicKey) !== ed) continue;
      // Policy: only KeyPackages the Authentication Service accepts go into a Commit.
      if (!this.authenticate(dev.id, dev.signaturePublicKey)) continue;
      kps.push(await dev.newKeyPackage());
      devs.push(dev);
    }
    return { kps, devs };
  }

  /** Whether `user`'s join rests on a permission this client gave, and (restricted) passes its check. */
  private mayAdd(view: RoomView, join: WorldEvent): boolean {
    const byId = new Map([...view.state, ...view.events].map((e) => [e.event_id, e]));
    let parent = typeof join.content.parent_event_id === "string" ? join.content.parent_event_id : undefined;
    // A third-party successor invite rests on the m.room.third_party_invite it names.
    const p = parent ? byId.get(parent) : undefined;
    if (
      p &&
      !this.permits.has(p.event_id) &&
      p.type === "m.room.member" &&
      typeof p.content.parent_event_id === "string" &&
      p.content.third_party_invite
    ) {
      parent = p.content.parent_event_id;
    }
    const permit = parent ? this.permits.get(parent) : undefined;
    if (!permit || permit.roomId !== join.room_id) return false;
    // Policy: a user this client saw removed from the group is added again only on a permission it gave since.
    if (permit.at < (this.removedAt.get(`${join.room_id} ${join.state_key}`) ?? -1)) return false;
    const allowed = this.restricted.get(parent!);
    if (!allowed) return true;
    // Policy: for a restricted rule, the joiner must be in this client's own group for an allowed room
    // where it has one; where it is in none of them it cannot check, and relies on the server's check.
    const mine = allowed.flatMap((r) =>
      this.me.devices.flatMap((d) => {
        const dev = this.w.devices.get(`${this.me.userId}/${d.id} ${r}`);
        return dev?.state !== undefined && !dev.removed() ? [dev] : [];
      }),
    );
    return mine.length === 0 || mine.some((dev) => dev.members().some((m) => m.user === join.state_key));
  }

  async observeRoom(roomId: string, view: RoomView): Promise<void> {
    const dev = await this.member(roomId);
    if (!dev) return;
    const inGroup = new Set(dev.members().map((m) => m.user));
    for (const u of this.lastMembers.get(roomId) ?? [])
      if (!inGroup.has(u)) this.removedAt.set(`${roomId} ${u}`, this.tick++);
    this.lastMembers.set(roomId, inGroup);
    // My own new devices: always mine to add.
    const own = (await this.mine(roomId)).filter(
      (d) => !dev.members().some((m) => m.user === d.id.user && m.device === d.id.device),
    );
    if (own.length > 0)
      await this.submit(roomId, dev, { add: await Promise.all(own.map((d) => d.newKeyPackage())) }, own);
    for (const e of view.state) {
      if (e.type !== "m.room.member" || e.content.membership !== "join" || inGroup.has(e.state_key!)) continue;
      if (!this.mayAdd(view, e)) continue;
      const { kps, devs } = await this.claim(e.state_key!, roomId);
      if (kps.length > 0) await this.submit(roomId, dev, { add: kps }, devs);
    }
    // A member left (a stored proposal) or Matrix says so: carry it in a Commit.
    const joined = new Set(
      view.state.filter((e) => e.type === "m.room.member" && e.content.membership === "join").map((e) => e.state_key!),
    );
    const gone = dev.members().filter((m) => !joined.has(m.user) && m.user !== this.me.userId);
    const leavers = gone.filter((m) =>
      view.state.some(
        (e) =>
          e.type === "m.room.member" &&
          e.state_key === m.user &&
          e.content.membership === "leave" &&
          e.sender === m.user,
      ),
    );
    if (leavers.length > 0) await this.submit(roomId, dev, {});
    this.lastMembers.set(roomId, new Set(dev.members().map((m) => m.user)));
    this.alarms(roomId, await this.mine(roomId));
  }

  messageFields(): JsonObject {
    return {};
  }

  onMessage(): void {}

  /** For information (the transport encrypts to the group): the devices in this client's group state. */
  async recipients(obs: RoomObservation): Promise<Recipient[]> {
    const dev = await this.member(obs.roomId);
    return (dev?.members() ?? []).map((m) => ({ user: m.user, device: m.device, curve25519: "" }));
  }
}

class MlsTransport implements Transport {
  constructor(
    private readonly w: MlsWorld,
    private readonly owner: MlsClient | null,
    private readonly server: Homeserver,
  ) {}

  async send(roomId: string, messageId: string, payload: JsonObject, _recipients: readonly Recipient[]): Promise<void> {
    const me = this.owner!;
    const dev = await me.member(roomId);
    if (!dev) {
      // Not in the group (never added, or removed): the message can reach nobody; the oracle counts who missed it.
      this.w.world.history.record({
        op: "send",
        t: this.w.world.clock.now(),
        room: roomId,
        sender: me.me.userId,
        message: messageId,
        session: "mls: not in the group",
        recipients: [],
      });
      return;
    }
    const bytes = await dev.send(JSON.stringify(payload));
    const e = this.server.sendMessage(me.me.userId, roomId, { algorithm: ALGORITHM, ciphertext: encodeBase64(bytes) });
    me.me.devices[0]!.read.add(e.event_id);
    const recipients = dev
      .members()
      .map((m) => `${m.user}/${m.device}`)
      .filter((k) => k !== deviceKey(dev))
      .sort();
    this.w.world.history.record({
      op: "send",
      t: this.w.world.clock.now(),
      room: roomId,
      sender: me.me.userId,
      message: messageId,
      session: `mls epoch ${dev.epoch()}`,
      recipients,
    });
  }

  async read(inputs: DeviceInputs, onMessage?: (m: DecryptedMessage) => Awaitable<void>): Promise<void> {
    for (const roomId of inputs.rooms) {
      const dev = this.w.devices.get(`${inputs.owner}/${inputs.device.id} ${roomId}`);
      if (!dev) continue;
      for (const e of inputs.messagesOf(roomId)) {
        if (e.content.algorithm !== ALGORITHM || inputs.device.read.has(e.event_id)) continue;
        inputs.device.read.add(e.event_id);
        const bytes = decodeBase64(String(e.content.ciphertext ?? ""));
        if (!bytes.ok) continue;
        const got = await dev.receive(bytes.value);
        if (got.kind !== "application") continue;
        const payload = JSON.parse(got.text) as JsonObject & { id: string };
        await onMessage?.({ roomId, eventId: e.event_id, sender: e.sender, payload });
        this.w.world.history.record({
          op: "decrypt",
          t: this.w.world.clock.now(),
          room: roomId,
          device: `${inputs.owner}/${inputs.device.id}`,
          message: payload.id,
          honest: inputs.honest,
        });
      }
      if (inputs.honest) recordAlarms(this.w, dev, inputs.owner, roomId);
    }
  }
}

/** What a malicious server's act is for MLS: what a Delivery Service (or a colluding member) can do. */
async function attack(act: AttackAct, world: World): Promise<void> {
  const w = mlsWorld(world);
  const ds = w.ds.get(act.roomId);
  if (!ds) return;
  const inRoom = [...w.devices.entries()]
    .filter(([k, d]) => !w.adversaryDevices.has(k) && k.endsWith(` ${act.roomId}`) && d.state && !d.removed())
    .map(([, d]) => d);
  const target = inRoom[0];
  if (!target) return;
  const record = (detail: JsonObject) =>
    world.history.record({
      op: "adversary",
      t: world.clock.now(),
      capability: "forge",
      detail: { model: "mls", server: act.server.name, room: act.roomId, ...detail },
    });
  const everyone = inRoom.map(deviceKey);
  switch (act.kind) {
    case "insert_member": {
      const newcomer = (await w.adversaryDevicesOf(act.user, act.roomId))[0];
      if (!newcomer) return;
      const colluder = act.colluder ? w.clients.get(act.colluder.userId) : undefined;
      if (colluder) {
        // The colluder's client commits the Add itself, with its own (possibly stale or removed) state.
        const dev = (await colluder.mine(act.roomId)).find((d) => d.state !== undefined);
        if (!dev) return record({ colluder: act.colluder!.userId, result: "no group state" });
        try {
          const made = await dev.commit({ add: [await newcomer.newKeyPackage()] });
          const r = await ds.submit(
            dev,
            made.commit,
            made.welcome ? { bytes: made.welcome, to: [newcomer] } : undefined,
          );
          return record({ colluder: act.colluder!.userId, add: act.user, accepted: r.accepted });
        } catch (e) {
          return record({
            colluder: act.colluder!.userId,
            add: act.user,
            refused: e instanceof Error ? e.message : String(e),
          });
        }
      }
      if (target.roomPolicy()?.joinRule === "public") {
        // A public room's GroupInfo is published: anyone who has it may join by an external Commit.
        const r = await ds.submit(newcomer, await newcomer.joinExternal(await target.groupInfo()));
        return record({ external_join: act.user, accepted: r.accepted });
      }
      const epoch = target.epoch()!;
      const forged = await forgeExternalAdd({ groupId: act.roomId, epoch }, newcomer);
      await ds.relay(forged, everyone);
      return record({ external_add: act.user });
    }
    case "forge_leave": {
      const victim = target.members().find((m) => m.user === act.target);
      const forger = (await w.adversaryDevicesOf([...w.adversary.keys()][0] ?? "", act.roomId))[0];
      if (!victim || !forger) return;
      const proposal = await forger.proposeAsExternalSender(
        { groupId: act.roomId, epoch: target.epoch()! },
        { proposalType: "remove", remove: { removed: victim.leaf } },
      );
      await ds.relay(proposal, everyone);
      return record({ forged_remove: act.target });
    }
    case "replay_member": {
      // Anything the DS holds from the other room, replayed here: a different group, so every device ignores it.
      const from = w.ds.get(act.fromRoom);
      for (const bytes of from?.log ?? []) await ds.relay(bytes, everyone);
      return record({ replayed_from: act.fromRoom, messages: from?.log.length ?? 0 });
    }
    case "undo_ban": {
      // The Remove Commit was processed when it was made: the removed devices hold no later epoch's
      // secrets, and there is nothing the DS can give back.
      return record({ undo_ban: act.target, effect: "none: the Remove Commit already moved the epoch" });
    }
  }
}

export const mls: DefenceModel = {
  id: "mls",
  description:
    "RFC 9420 groups (ts-mls): Commits by members, levels in the GroupContext, the homeserver as Delivery Service",
  // A client adds only whom its own permissions let in, and reads only its own group's state.
  checksRoomKeys: false,
  client(owner) {
    const w = mlsWorld(owner.world);
    const c = new MlsClient(owner, w);
    w.clients.set(owner.userId, c);
    return c;
  },
  transport(owner, world, server, device) {
    const w = mlsWorld(world);
    // An adversary's device: it can make MLS devices of its own, which its server offers as KeyPackages.
    if (!owner && device) w.adversary.set(device.user, [...(w.adversary.get(device.user) ?? []), device.device]);
    return new MlsTransport(w, owner ? (w.clients.get(owner.userId) ?? null) : null, server);
  },
  attack,
  notApplicable: Object.fromEntries(MLS_APPLICABILITY.flatMap((a) => (a.applies ? [] : [[a.threat, a.reason]]))),
};
