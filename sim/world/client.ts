/**
 * A simulated client (DESIGN.md §5): a user with MSK, SSK and RSK, one or more devices, a key
 * store of other users' MSKs (TOFU, pinned when verified out of band), and its own view of each
 * room through its homeserver. What it keeps and checks beyond Matrix, which devices it shares
 * room keys with and how messages are encrypted are the defence model's (`DefenceModel`,
 * sim/world/defence-model.ts), so the same client runs under every model.
 */
import { encodeBase64 } from "../core/base64.ts";
import type { JsonObject } from "../core/canonical-json.ts";
import {
  type CrossSigningKey,
  type DeviceKeys,
  crossSigningPublicKey,
  makeCrossSigningKey,
  makeDeviceKeys,
} from "../core/cross-signing.ts";
import { type SigningKey, signingKeyFromSeed } from "../core/ed25519.ts";
import {
  type RoomSigner,
  buildCreateContent,
  buildJoinRulesContent,
  buildMemberContent,
  buildSpaceChildContent,
  buildThirdPartyInviteContent,
  strippedEvent,
} from "../core/events.ts";
import { verifySpaceChildren } from "../core/verify-space.ts";
import { parseRoomLink } from "../core/links.ts";
import { roomIdFromRrk, rrkFromContent, rrkFromRoomId } from "../core/room-root-key.ts";
import type {
  ClientDefence,
  DefenceModel,
  KeyEvents,
  ModelClient,
  RoomObservation,
  Transport,
} from "./defence-model.ts";
import { ApiError, type Homeserver, type KeysQueryResult } from "./homeserver.ts";
import { MegolmTransport } from "./megolm.ts";
import type { WorldEvent } from "./room.ts";
import { type Device, type World, makeDevice } from "./world.ts";

export type { Device, World } from "./world.ts";
export type { Recipient, RoomObservation } from "./defence-model.ts";

interface RoomMembership {
  rrk: Uint8Array;
  /** This client's cause-of-membership event (create or join). */
  cause?: string;
  /** What that cause rests on (the create event itself, for the creator), and a restricted join's proof. */
  causeParent?: string;
  proof?: JsonObject[];
}

export class Client implements RoomSigner, ModelClient {
  msk!: SigningKey;
  ssk!: SigningKey;
  rsk!: SigningKey;
  mskCrossSigningKey!: CrossSigningKey;
  sskCrossSigningKey!: CrossSigningKey;
  rskCrossSigningKey!: CrossSigningKey;
  readonly devices: Device[] = [];
  readonly keyStore = new Map<string, { msk: Uint8Array; verified: boolean }>();
  readonly rooms = new Map<string, RoomMembership>();
  private generation = 0;
  /** The defence model's state and checks for this client, and its message transport. */
  private readonly defence: ClientDefence;
  private readonly transport: Transport;
  /** Whether this client checks the RRKs it learns, from links and space children (MSC3917 clients do). */
  private readonly checksRoomKeys: boolean;
  /** The model's listener for key changes, if it runs its own key distribution. */
  private readonly keyEvents: KeyEvents | undefined;

  constructor(
    readonly userId: string,
    readonly server: Homeserver,
    readonly world: World,
    model: DefenceModel,
  ) {
    this.checksRoomKeys = model.checksRoomKeys;
    this.keyEvents = model.keyEvents?.(world);
    this.newIdentity();
    this.addDevice();
    this.defence = model.client(this);
    this.transport = model.transport?.(this, world, server) ?? new MegolmTransport(world, this);
  }

  get signer(): RoomSigner {
    return this;
  }

  /** Make MSK, SSK and RSK (again, on a reset) and publish them; re-sign existing devices. */
  private newIdentity(): void {
    const g = this.generation++;
    const label = `${this.userId}${g ? ` reset ${g}` : ""}`;
    this.msk = signingKeyFromSeed(this.world.rng.bytes(`keygen ${label}/msk`, 32));
    this.ssk = signingKeyFromSeed(this.world.rng.bytes(`keygen ${label}/ssk`, 32));
    this.rsk = signingKeyFromSeed(this.world.rng.bytes(`keygen ${label}/rsk`, 32));
    this.mskCrossSigningKey = makeCrossSigningKey(this.userId, "master", this.msk);
    this.sskCrossSigningKey = makeCrossSigningKey(this.userId, "self_signing", this.ssk, this.msk);
    this.rskCrossSigningKey = makeCrossSigningKey(this.userId, "room_signing", this.rsk, this.msk);
    this.server.uploadKeys(this.userId, {
      master: this.mskCrossSigningKey,
      self_signing: this.sskCrossSigningKey,
      room_signing: this.rskCrossSigningKey,
    });
    this.keyEvents?.identity(this.server, this.userId, { msk: this.msk, ssk: this.ssk });
    for (const d of this.devices) this.server.uploadDevice(this.userId, this.deviceKeys(d));
  }

  private deviceKeys(d: Device): DeviceKeys {
    return makeDeviceKeys(this.userId, d.id, d.signing, this.ssk, undefined, d.curve.publicKey);
  }

  addDevice(): Device {
    const d = makeDevice(this.world, this.userId, `#${this.devices.length}`);
    this.devices.push(d);
    this.server.uploadDevice(this.userId, this.deviceKeys(d));
    this.keyEvents?.device(this.server, this.userId, d.id, true);
    this.world.history.record({
      op: "device",
      t: this.world.clock.now(),
      user: this.userId,
      device: `${this.userId}/${d.id}`,
      honest: true,
    });
    return d;
  }

  /** The proposal's "Potential issues": a new MSK; memberships under the old one no longer verify. */
  resetMsk(): void {
    this.newIdentity();
  }

  knownMsk(user: string): { msk: Uint8Array; verified: boolean } | undefined {
    return this.keyStore.get(user);
  }

  /** The MSKs this client verified out of band. */
  verifiedPins(): Map<string, Uint8Array> {
    return new Map([...this.keyStore].filter(([, k]) => k.verified).map(([u, k]) => [u, k.msk]));
  }

  /** Out-of-band verification: pin the MSK the other user really has. */
  verify(other: Client): void {
    this.keyStore.set(other.userId, { msk: other.msk.publicKey, verified: true });
    this.keyEvents?.verified(this.userId, other.userId, other.msk.publicKey);
  }

  /**
   * `/keys/query` through this client's server, with the key store updated: a first sighting is
   * trusted (TOFU); a changed MSK replaces a TOFU entry, never a verified one.
   */
  private queryKeys(userIds: string[]): KeysQueryResult {
    const result = this.server.queryKeys(userIds, (u) => this.world.network.serverOf(u));
    for (const [user, csk] of Object.entries(result.master_keys)) {
      const msk = crossSigningPublicKey(csk, { userId: user, usage: "master" });
      if (!msk.ok) continue;
      const known = this.keyStore.get(user);
      if (!known || (!known.verified && Buffer.compare(known.msk, msk.value) !== 0))
        this.keyStore.set(user, { msk: msk.value, verified: false });
    }
    return result;
  }

  private mskOf(user: string): Uint8Array {
    if (!this.keyStore.has(user)) this.queryKeys([user]);
    const known = this.keyStore.get(user);
    if (!known) throw new ApiError("M_NOT_FOUND", `no master key known for ${user}`);
    return known.msk;
  }

  /** This client's cause-of-membership event in a room, if it ever had one (kept after a kick or ban). */
  causeIn(roomId: string): string | undefined {
    return this.rooms.get(roomId)?.cause ?? this.pastCauses.get(roomId);
  }

  private readonly pastCauses = new Map<string, string>();

  private membership(roomId: string): RoomMembership {
    const m = this.rooms.get(roomId);
    if (!m?.cause) throw new ApiError("M_FORBIDDEN", `${this.userId} is not in ${roomId}`);
    return m;
  }

  /** Put a state event this client sent into the history, with the node ID its model's signed structure gives it, if any. */
  private async sent<T extends WorldEvent>(e: T): Promise<T> {
    recordState(this.world, e, await this.defence.eventNode(e));
    return e;
  }

  private recordCause(roomId: string, e: WorldEvent, parent: string | null): void {
    this.world.history.record({
      op: "cause",
      t: this.world.clock.now(),
      room: roomId,
      event: e.event_id,
      user: this.userId,
      msk: encodeBase64(this.msk.publicKey),
      parent,
      honest: true,
    });
  }

  private recordPermit(roomId: string, e: WorldEvent, forUser: string | null, forMsk: Uint8Array | null): void {
    this.world.history.record({
      op: "permit",
      t: this.world.clock.now(),
      room: roomId,
      event: e.event_id,
      by: this.userId,
      by_msk: encodeBase64(this.msk.publicKey),
      for_user: forUser,
      for_msk: forMsk ? encodeBase64(forMsk) : null,
    });
  }

  async createRoom(): Promise<string> {
    const rrk = signingKeyFromSeed(this.world.rng.bytes(`rrk of a room by ${this.userId}`, 32));
    const content = await this.defence.stateContent(
      null,
      "m.room.create",
      "",
      buildCreateContent({ rrk, creatorMsk: this.msk.publicKey, creator: this.userId }),
    );
    const roomId = this.server.createRoom(this.userId, content);
    await this.defence.created(roomId);
    const initial = this.server.roomView(this.userId, roomId).state;
    const create = await this.sent(initial.find((e) => e.type === "m.room.create")!);
    // The server makes the creator's join, the power levels and the join rule on `/createRoom`:
    // the creator's acts too, for the oracle to judge (in the order the server made them).
    for (const e of initial) if (e !== create) recordState(this.world, e, null);
    this.rooms.set(roomId, { rrk: rrk.publicKey, cause: create.event_id, causeParent: create.event_id });
    this.recordCause(roomId, create, null);
    return roomId;
  }

  async invite(roomId: string, target: string): Promise<WorldEvent> {
    const m = this.membership(roomId);
    const targetMsk = this.mskOf(target);
    const content = buildMemberContent({
      membership: "invite",
      signer: this,
      parentEventId: m.cause!,
      userKey: targetMsk,
      rrk: m.rrk,
    });
    const e = await this.sent(
      this.server.invite(
        this.userId,
        roomId,
        target,
        await this.defence.stateContent(roomId, "m.room.member", target, content),
      ),
    );
    this.recordPermit(roomId, e, target, targetMsk);
    return e;
  }

  /**
   * Join: through a pending invite if there is one (the inviter's signed invite also tells us the
   * RRK), else through the room's public or restricted join rule.
   */
  async join(roomId: string): Promise<WorldEvent> {
    const view = this.server.makeJoin(this.userId, roomId);
    const mine = view.state.find((e) => e.type === "m.room.member" && e.state_key === this.userId);
    const current = this.rooms.get(roomId);
    let parent: WorldEvent | undefined;
    let unsigned: JsonObject[] | undefined;
    if (mine?.content.membership === "join" && current?.causeParent) {
      // Already joined (a profile change): MSC3917 does not say what this join rests on. The
      // verifier reads the join in the current state as the cause, so it must rest on what the
      // first one did, or the member would become unverifiable (found by the completeness property).
      parent = [...view.state, ...view.events].find((e) => e.event_id === current.causeParent);
      unsigned = current.proof;
    } else if (mine?.content.membership === "invite") parent = mine;
    else {
      parent = view.state.find((e) => e.type === "m.room.join_rules");
      if (parent?.content.join_rule === "restricted") unsigned = this.restrictedProof(parent);
    }
    if (!parent) throw new ApiError("M_FORBIDDEN", `${this.userId} has no invite to ${roomId} and no join rule to use`);
    // The RRK: a user-signed invite carries it; otherwise the room ID is the RRK.
    const fromInvite = parent.content.room_root_key
      ? rrkFromContent(parent.content.room_root_key)
      : rrkFromRoomId(roomId);
    if (!fromInvite.ok) throw new ApiError("M_INVALID_PARAM", fromInvite.error);
    const content = buildMemberContent({
      membership: "join",
      signer: this,
      parentEventId: parent.event_id,
      userKey: this.msk.publicKey,
      rrk: fromInvite.value,
      ...(unsigned ? { membershipEvents: unsigned } : {}),
    });
    await this.defence.observeRoom(roomId, view);
    const join = await this.sent(
      this.server.join(
        this.userId,
        roomId,
        await this.defence.stateContent(roomId, "m.room.member", this.userId, content),
      ),
    );
    this.rooms.set(roomId, {
      rrk: fromInvite.value,
      cause: join.event_id,
      causeParent: parent.event_id,
      ...(unsigned ? { proof: unsigned } : {}),
    });
    this.recordCause(roomId, join, parent.event_id);
    return join;
  }

  /**
   * Join by a `matrix:` or `matrix.to` link (MSC3917 §Rooms as Keys): the alias is resolved by the
   * homeserver; the link's `room_root_key`, which came by whatever channel the link did, must be
   * that room's ID, or the server has substituted the room.
   */
  async joinByLink(uri: string): Promise<WorldEvent> {
    const link = parseRoomLink(uri);
    if (!link.ok) throw new ApiError("M_INVALID_PARAM", `bad link: ${link.error}`);
    const roomId = link.value.target.startsWith("#")
      ? this.server.resolveAlias(link.value.target, (name) => this.world.network.servers.get(name))
      : link.value.target;
    if (this.checksRoomKeys && link.value.rrk && roomIdFromRrk(link.value.rrk) !== roomId) {
      throw new ApiError(
        "M_FORBIDDEN",
        `${link.value.target} resolved to ${roomId}, not the room of the link's room_root_key`,
      );
    }
    return await this.join(roomId);
  }

  /** List `childRoomId` in the space `spaceRoomId`: an `m.space.child` signed with this user's RSK. */
  async addSpaceChild(spaceRoomId: string, childRoomId: string): Promise<WorldEvent> {
    const m = this.membership(spaceRoomId);
    const child = rrkFromRoomId(childRoomId);
    if (!child.ok) throw new ApiError("M_INVALID_PARAM", child.error);
    const content = buildSpaceChildContent({
      childRrk: child.value,
      via: [this.server.name],
      signer: this,
      parentEventId: m.cause!,
    });
    return await this.sent(
      this.server.setState(
        this.userId,
        spaceRoomId,
        "m.space.child",
        childRoomId,
        await this.defence.stateContent(spaceRoomId, "m.space.child", childRoomId, content),
      ),
    );
  }

  /**
   * Join the space's most recently listed child room. An MSC3917 client first verifies the
   * `m.space.child` event: signed by a verified member of the space, with the child's RRK.
   */
  async joinSpaceChild(spaceRoomId: string): Promise<WorldEvent> {
    const m = this.membership(spaceRoomId);
    const view = this.server.roomView(this.userId, spaceRoomId);
    const children = view.state.filter((e) => e.type === "m.space.child" && Object.keys(e.content).length > 0);
    const latest = children.sort((a, b) => a.origin_server_ts - b.origin_server_ts).at(-1);
    if (!latest) throw new ApiError("M_NOT_FOUND", `${spaceRoomId} lists no rooms`);
    if (this.checksRoomKeys) {
      const verdict = verifySpaceChildren(
        { roomRootKey: m.rrk, state: view.state, events: view.events },
        { pinned: this.verifiedPins(), backend: this.world.ed25519 },
      )[latest.state_key!];
      if (verdict?.status !== "verified")
        throw new ApiError(
          "M_FORBIDDEN",
          `the space's listing of ${latest.state_key} does not verify (${verdict && "reason" in verdict ? verdict.reason : "no verdict"})`,
        );
    }
    return await this.join(latest.state_key!);
  }

  /** The proof for a restricted join: my cause-of-membership in an allowed room, back to its create event. */
  private restrictedProof(rule: WorldEvent): JsonObject[] {
    const allow = (Array.isArray(rule.content.allow) ? rule.content.allow : []) as JsonObject[];
    for (const a of allow) {
      const other = typeof a.room_id === "string" ? this.rooms.get(a.room_id) : undefined;
      if (!other?.cause) continue;
      const view = this.server.roomView(this.userId, a.room_id as string);
      const byId = new Map([...view.state, ...view.events].map((e) => [e.event_id, e]));
      const chain: JsonObject[] = [];
      let id: string | undefined = other.cause;
      while (id !== undefined && chain.length <= byId.size) {
        const e = byId.get(id);
        if (!e) break;
        chain.push(strippedEvent(e));
        id = e.type === "m.room.create" ? undefined : (e.content.parent_event_id as string | undefined);
        // A creator's plain join rests on the create event.
        if (id === undefined && e.type !== "m.room.create")
          id = view.state.find((x) => x.type === "m.room.create")?.event_id;
      }
      return chain;
    }
    throw new ApiError("M_FORBIDDEN", `${this.userId} is in none of the rooms the rule allows`);
  }

  async setMembership(roomId: string, target: string, membership: "leave" | "ban"): Promise<WorldEvent> {
    const e = await this.sent(
      this.server.setMembership(
        this.userId,
        roomId,
        target,
        membership,
        await this.defence.stateContent(roomId, "m.room.member", target, { membership }),
      ),
    );
    if (target === this.userId) {
      const cause = this.rooms.get(roomId)?.cause;
      if (cause) this.pastCauses.set(roomId, cause);
      this.rooms.delete(roomId);
    }
    return e;
  }

  async setJoinRule(
    roomId: string,
    rule: "public" | "restricted" | "invite",
    allowRoomIds: string[] = [],
  ): Promise<WorldEvent> {
    const m = this.membership(roomId);
    const content =
      rule === "invite"
        ? { join_rule: "invite" }
        : buildJoinRulesContent({ joinRule: rule, allowRoomIds, signer: this, parentEventId: m.cause! });
    const e = await this.sent(
      this.server.setState(
        this.userId,
        roomId,
        "m.room.join_rules",
        "",
        await this.defence.stateContent(roomId, "m.room.join_rules", "", content),
      ),
    );
    if (rule !== "invite") this.recordPermit(roomId, e, null, null);
    return e;
  }

  /** Set a user's power level (`target`), or a room-wide one (`setting`, e.g. `invite`). */
  async setPower(roomId: string, target: string | null, setting: string | null, level: number): Promise<WorldEvent> {
    const current = this.server.roomView(this.userId, roomId).state.find((e) => e.type === "m.room.power_levels");
    const content = structuredClone(current?.content ?? {}) as JsonObject;
    if (target !== null) content.users = { ...((content.users as JsonObject) ?? {}), [target]: level };
    if (setting !== null) content[setting] = level;
    const { unsigned: _u, ...plain } = content;
    return await this.sent(
      this.server.setState(
        this.userId,
        roomId,
        "m.room.power_levels",
        "",
        await this.defence.stateContent(roomId, "m.room.power_levels", "", plain),
      ),
    );
  }

  /** Invite a third-party ID: a token from the identity server, then a signed m.room.third_party_invite listing its key. */
  async thirdPartyInvite(roomId: string, address: string): Promise<WorldEvent> {
    const m = this.membership(roomId);
    const pending = this.world.identity.storeInvite(address, roomId, this.userId);
    const content = buildThirdPartyInviteContent({
      displayName: `${address.slice(0, 2)}…`,
      publicKeys: [this.world.identity.key.publicKey],
      keyValidityUrl: `https://${this.world.identity.name}/_matrix/identity/v2/pubkey/isvalid`,
      signer: this,
      parentEventId: m.cause!,
    });
    const e = await this.sent(
      this.server.setState(
        this.userId,
        roomId,
        "m.room.third_party_invite",
        pending.token,
        await this.defence.stateContent(roomId, "m.room.third_party_invite", pending.token, content),
      ),
    );
    this.world.identity.published(pending.token, e.event_id, encodeBase64(this.msk.publicKey));
    this.recordPermit(roomId, e, null, null);
    return e;
  }

  /** Bind a third-party ID; pending invites to it become successor invites made by the inviters' servers. */
  bindThirdPartyId(address: string): WorldEvent[] {
    return this.world.identity.bind(address, this.userId, this.msk.publicKey).map(({ invite, signed }) => {
      const server = this.world.network.serverOf(invite.inviter)!;
      const content = {
        third_party_invite: { display_name: `${address.slice(0, 2)}…`, signed },
        parent_event_id: invite.thirdPartyInviteEventId!,
      };
      const e = server.thirdPartyOnBind(invite.inviter, invite.roomId, this.userId, content);
      recordState(this.world, e, null);
      // The inviter's signed third-party invite, and the identity server's binding, let this MSK in.
      this.world.history.record({
        op: "permit",
        t: this.world.clock.now(),
        room: invite.roomId,
        event: e.event_id,
        by: invite.inviter,
        by_msk: invite.inviterMsk!,
        for_user: this.userId,
        for_msk: encodeBase64(this.msk.publicKey),
      });
      return e;
    });
  }

  /** What this client sees of a room, for its defence model. */
  async observe(roomId: string): Promise<RoomObservation> {
    const m = this.membership(roomId);
    const view = this.server.roomView(this.userId, roomId);
    const joined = view.state
      .filter((e) => e.type === "m.room.member" && e.content.membership === "join")
      .map((e) => e.state_key!);
    const keys = this.queryKeys(joined);
    const pins = new Map([...this.keyStore].map(([u, k]) => [u, k.msk]));
    pins.set(this.userId, this.msk.publicKey);
    await this.defence.observeRoom(roomId, view);
    return { self: this.userId, roomId, rrk: m.rrk, view, pins, keys };
  }

  /**
   * Send an encrypted message: the model picks the devices (never this client's own first
   * device, which sends), and the transport encrypts for them.
   */
  async send(roomId: string, messageId: string, text: string): Promise<void> {
    const picked = await this.defence.recipients(await this.observe(roomId));
    const recipients = picked.filter((r) => !(r.user === this.userId && r.device === this.devices[0]!.id));
    await this.transport.send(
      roomId,
      messageId,
      { id: messageId, text, ...(await this.defence.messageFields(roomId)) },
      recipients,
    );
  }

  /** Every device syncs: takes its room keys and decrypts what it can; the model then checks each room it is in. */
  async sync(): Promise<void> {
    const rooms = this.server.roomsOf(this.userId);
    for (const d of this.devices) {
      const inputs = {
        owner: this.userId,
        device: d,
        toDevice: this.server.takeToDevice(this.userId, d.id),
        rooms,
        messagesOf: (r: string) => this.server.messages(this.userId, r),
        honest: true,
      };
      await this.transport.read(inputs, (m) => this.defence.onMessage(m));
    }
    for (const roomId of rooms)
      if (this.rooms.get(roomId)?.cause)
        await this.defence.observeRoom(roomId, this.server.roomView(this.userId, roomId));
  }
}

/** Put a state event an honest actor's server accepted into the history, for the oracle to judge. */
function recordState(world: World, e: WorldEvent, node: string | null): void {
  const membership = typeof e.content.membership === "string" ? e.content.membership : null;
  const parent = typeof e.content.parent_event_id === "string" ? e.content.parent_event_id : null;
  const { unsigned: _u, ...content } = e.content;
  world.history.record({
    op: "state",
    t: world.clock.now(),
    room: e.room_id,
    event: e.event_id,
    node,
    type: e.type,
    state_key: e.state_key ?? "",
    sender: e.sender,
    membership,
    parent,
    content,
  });
}
