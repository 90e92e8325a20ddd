/**
 * An in-memory homeserver (DESIGN.md §5). Its methods mirror the client-server API; federation
 * carries its rooms' events to the other servers through the `Network`, in order.
 *
 * An honest server enforces the room v11 rules on what its users send and on what it receives.
 * What a malicious server may do beyond that is declared, as capabilities, when it is made
 * (`maliciousHomeserver`), never patched in: each adversarial method refuses unless its
 * capability was declared.
 */
import { createHash } from "node:crypto";
import { encodeBase64Url } from "../core/base64.ts";
import { canonicalJsonBytes, type JsonObject } from "../core/canonical-json.ts";
import type { CrossSigningKey, DeviceKeys } from "../core/cross-signing.ts";
import { readMsc3917Fields } from "../core/msc3917-fields.ts";
import { roomIdFromRrk, rrkFromContent } from "../core/room-root-key.ts";
import { readDagNode } from "../core/state-dag.ts";
import type { Clock } from "./clock.ts";
import type { History } from "./history.ts";
import { type AuthContext, RoomReplica, authorize, defaultPowerLevels, stateKeyOf, type WorldEvent } from "./room.ts";
import type { ToDeviceCiphertext } from "./sealed.ts";

export class ApiError extends Error {
  constructor(
    readonly errcode: string,
    message: string,
  ) {
    super(message);
  }
}

export interface UserKeys {
  master?: CrossSigningKey;
  self_signing?: CrossSigningKey;
  room_signing?: CrossSigningKey;
  devices: Map<string, DeviceKeys>;
}

export interface KeysQueryResult {
  master_keys: Record<string, CrossSigningKey>;
  self_signing_keys: Record<string, CrossSigningKey>;
  device_keys: Record<string, Record<string, DeviceKeys>>;
}

export interface ToDeviceMessage {
  sender: string;
  type: string;
  content: ToDeviceCiphertext & { room_id: string; session_id: string };
}

/** What a malicious homeserver can do (DESIGN.md §9). Each is off unless declared. */
export interface Capabilities {
  /** Add events of its choosing to a room: members, invites, joins, with keys it makes. */
  forge?: boolean;
  /** List devices it made for users it hosts or not, in `/keys/query`; substitute master keys. */
  lieAboutKeys?: boolean;
  /** Withhold events: from everyone it serves, or from some of its users only (a split view). */
  withhold?: boolean;
}

export interface WorldContext {
  clock: Clock;
  history: History;
  network: NetworkLike;
}

/** The part of the network a server uses. */
export interface NetworkLike {
  federate(from: Homeserver, event: WorldEvent): void;
  snapshot(roomId: string, asking: Homeserver): WorldEvent[] | undefined;
  sendToDevice(userId: string, deviceId: string, message: ToDeviceMessage): void;
  isJoined(roomId: string, userId: string): boolean;
  withdraw(from: Homeserver, eventId: string): number;
  /** Flushes made so far: the clock withholding orders count their duration in. */
  readonly flushes: number;
}

/** Which events a withholding order takes. */
export const WITHHELD_KINDS = ["any", "state", "member", "ban", "power", "message"] as const;
export type WithheldKind = (typeof WITHHELD_KINDS)[number];

/**
 * A `withhold` order (the adversary's withholding search space): which events (of a room, by an
 * optional sender, of a kind), from whom (some of this server's users, or all of them but the
 * sender), from when (the latest such event already here, or the next to come, so an event can be
 * withheld before it first federates), for how long (flushes, or for good), and whether it takes
 * every later event (silencing a user) or one.
 */
export interface WithholdOrder {
  room: string;
  sender?: string;
  kind: WithheldKind;
  from: readonly string[] | "all";
  when: "latest" | "next";
  /** Flushes until the events are served and federated after all; absent: withheld for good. */
  flushes?: number;
  every?: boolean;
}

/** Does the order keep events from users of other servers (so from federation)? `all` does. */
const keepsFromOtherServers = (order: WithholdOrder, server: Homeserver): boolean =>
  order.from === "all" || order.from.some((u) => !server.hosts(u));

function matches(order: WithholdOrder, e: WorldEvent): boolean {
  if (e.room_id !== order.room || (order.sender !== undefined && e.sender !== order.sender)) return false;
  switch (order.kind) {
    case "any":
      return true;
    case "state":
      return e.state_key !== undefined;
    case "member":
      return e.type === "m.room.member";
    case "ban":
      return e.type === "m.room.member" && e.content.membership === "ban";
    case "power":
      return e.type === "m.room.power_levels";
    case "message":
      return e.type === "m.room.encrypted";
  }
}

export class Homeserver {
  readonly rooms = new Map<string, RoomReplica>();
  readonly keys = new Map<string, UserKeys>();
  private readonly inboxes = new Map<string, ToDeviceMessage[]>();
  private sequence = 0;

  constructor(
    readonly name: string,
    protected readonly world: WorldContext,
    readonly capabilities: Readonly<Capabilities> = {},
  ) {}

  get honest(): boolean {
    return Object.values(this.capabilities).every((v) => !v);
  }

  hosts(userId: string): boolean {
    return userId.endsWith(`:${this.name}`);
  }

  private authContext(): AuthContext {
    return { isJoined: (roomId, userId) => this.world.network.isJoined(roomId, userId) };
  }

  private room(roomId: string): RoomReplica {
    let room = this.rooms.get(roomId);
    if (!room) {
      const events = this.world.network.snapshot(roomId, this);
      if (!events) throw new ApiError("M_NOT_FOUND", `unknown room ${roomId}`);
      room = new RoomReplica(roomId);
      for (const e of events) room.append(e);
      this.rooms.set(roomId, room);
    }
    return room;
  }

  /** Make an event with a content-addressed ID, as room versions 4+ do. */
  protected makeEvent(
    roomId: string,
    sender: string,
    type: string,
    content: JsonObject,
    stateKey?: string,
  ): WorldEvent {
    const e = {
      room_id: roomId,
      type,
      sender,
      content,
      origin_server_ts: this.world.clock.tick(1),
      ...(stateKey !== undefined ? { state_key: stateKey } : {}),
    };
    const hash = createHash("sha256")
      .update(canonicalJsonBytes({ ...e, origin: this.name, n: this.sequence++ }))
      .digest();
    return { event_id: `$${encodeBase64Url(hash)}`, ...e };
  }

  /** Authorize (if honest), append and federate an event a local user sends. */
  private submit(e: WorldEvent): WorldEvent {
    const room = e.type === "m.room.create" ? this.newRoom(e.room_id) : this.room(e.room_id);
    const why = authorize(room, e, this.authContext());
    if (why) throw new ApiError("M_FORBIDDEN", why);
    room.append(e);
    if (!this.applyOrders(e, true)) this.world.network.federate(this, e);
    return e;
  }

  private newRoom(roomId: string): RoomReplica {
    if (this.rooms.has(roomId) || this.world.network.snapshot(roomId, this))
      throw new ApiError("M_ROOM_IN_USE", `room ${roomId} exists`);
    const room = new RoomReplica(roomId);
    this.rooms.set(roomId, room);
    return room;
  }

  /** Federation: an event from another server. An honest server checks it against its replica. */
  receive(e: WorldEvent): void {
    const room = this.rooms.get(e.room_id);
    if (!room) return;
    if (this.honest && authorize(room, e, this.authContext())) return;
    room.append(e);
    this.applyOrders(e, false);
  }

  /** A server that learns of a room through an invite to one of its users takes a replica. */
  adopt(roomId: string, events: WorldEvent[]): void {
    if (this.rooms.has(roomId)) return;
    const room = new RoomReplica(roomId);
    for (const e of events) room.append(e);
    this.rooms.set(roomId, room);
  }

  // -------------------------------------------------------------------------------------------
  // Client-server API

  private requireLocal(userId: string): void {
    if (!this.hosts(userId)) throw new ApiError("M_FORBIDDEN", `${userId} is not a user of ${this.name}`);
  }

  uploadKeys(
    userId: string,
    keys: { master: CrossSigningKey; self_signing: CrossSigningKey; room_signing: CrossSigningKey },
  ): void {
    this.requireLocal(userId);
    const entry = this.keys.get(userId) ?? { devices: new Map() };
    Object.assign(entry, keys);
    this.keys.set(userId, entry);
  }

  uploadDevice(userId: string, device: DeviceKeys): void {
    this.requireLocal(userId);
    const entry = this.keys.get(userId) ?? { devices: new Map() };
    entry.devices.set(device.device_id, device);
    this.keys.set(userId, entry);
  }

  /** `/keys/query`. Keys of users on other servers are fetched from those servers over federation. */
  queryKeys(userIds: readonly string[], servers: (userId: string) => Homeserver | undefined): KeysQueryResult {
    const out: KeysQueryResult = { master_keys: {}, self_signing_keys: {}, device_keys: {} };
    for (const userId of userIds) {
      if (!this.hosts(userId) && !this.substitutedKeys.has(userId)) {
        // Over federation: the user's own server answers (and may lie); this server may add its own lies.
        const remote = servers(userId);
        const answer = remote && remote !== this ? remote.queryKeys([userId], servers) : undefined;
        if (answer?.master_keys[userId]) out.master_keys[userId] = answer.master_keys[userId];
        if (answer?.self_signing_keys[userId]) out.self_signing_keys[userId] = answer.self_signing_keys[userId];
        const devices = [
          ...Object.values(answer?.device_keys[userId] ?? {}),
          ...(this.insertedDevices.get(userId) ?? []),
        ];
        if (devices.length) out.device_keys[userId] = Object.fromEntries(devices.map((d) => [d.device_id, d]));
        continue;
      }
      const keys = this.substitutedKeys.get(userId) ?? this.keys.get(userId);
      if (keys?.master) out.master_keys[userId] = keys.master;
      if (keys?.self_signing) out.self_signing_keys[userId] = keys.self_signing;
      const devices = [...(keys?.devices.values() ?? []), ...(this.insertedDevices.get(userId) ?? [])];
      if (devices.length) out.device_keys[userId] = Object.fromEntries(devices.map((d) => [d.device_id, d]));
    }
    return out;
  }

  /** `/createRoom`: the client submits the signed `creation_content`; the RRK in it is the room ID. */
  createRoom(userId: string, creationContent: JsonObject): string {
    this.requireLocal(userId);
    const fields = readMsc3917Fields(creationContent);
    const rrk = fields.ok ? rrkFromContent(fields.value.values.room_root_key) : undefined;
    if (!rrk?.ok) throw new ApiError("M_INVALID_PARAM", "creation_content has no usable room_root_key");
    const roomId = roomIdFromRrk(rrk.value);
    this.submit(this.makeEvent(roomId, userId, "m.room.create", creationContent, ""));
    this.submit(this.makeEvent(roomId, userId, "m.room.member", { membership: "join" }, userId));
    this.submit(this.makeEvent(roomId, userId, "m.room.power_levels", defaultPowerLevels(userId), ""));
    this.submit(this.makeEvent(roomId, userId, "m.room.join_rules", { join_rule: "invite" }, ""));
    return roomId;
  }

  /** `/invite`, with the client's signed `m.room.member` content. */
  invite(userId: string, roomId: string, target: string, content: JsonObject): WorldEvent {
    this.requireLocal(userId);
    return this.submit(this.makeEvent(roomId, userId, "m.room.member", { ...content, membership: "invite" }, target));
  }

  /** `/join`, with the client's signed content. */
  join(userId: string, roomId: string, content: JsonObject): WorldEvent {
    this.requireLocal(userId);
    return this.submit(this.makeEvent(roomId, userId, "m.room.member", { ...content, membership: "join" }, userId));
  }

  /**
   * The identity server tells the inviter's server that the invited third-party ID is now bound
   * (`/3pid/onbind`): the server makes the successor invite, which no user signs. Its
   * `parent_event_id` is the `m.room.third_party_invite`, and it carries the identity server's
   * signed `{mxid, token, user_key}`.
   */
  thirdPartyOnBind(inviter: string, roomId: string, invitee: string, content: JsonObject): WorldEvent {
    this.requireLocal(inviter);
    return this.submit(this.makeEvent(roomId, inviter, "m.room.member", { ...content, membership: "invite" }, invitee));
  }

  /** `/leave`, `/kick`, `/ban`: membership changes that MSC3917 does not sign. */
  setMembership(
    userId: string,
    roomId: string,
    target: string,
    membership: "leave" | "ban",
    content: JsonObject = {},
  ): WorldEvent {
    this.requireLocal(userId);
    return this.submit(this.makeEvent(roomId, userId, "m.room.member", { ...content, membership }, target));
  }

  setState(userId: string, roomId: string, type: string, stateKey: string, content: JsonObject): WorldEvent {
    this.requireLocal(userId);
    return this.submit(this.makeEvent(roomId, userId, type, content, stateKey));
  }

  sendMessage(userId: string, roomId: string, content: JsonObject): WorldEvent {
    this.requireLocal(userId);
    return this.submit(this.makeEvent(roomId, userId, "m.room.encrypted", content));
  }

  /** The room as this server shows it to `userId`: current state, and every other event to look up. */
  roomView(userId: string, roomId: string): { state: WorldEvent[]; events: WorldEvent[] } {
    this.requireLocal(userId);
    const room = this.rooms.get(roomId);
    if (!room) return { state: [], events: [] };
    const hidden = this.hiddenFrom.get(userId);
    let state = [...room.state.values()];
    if (hidden?.size)
      state = state.flatMap((e) => {
        const served = servedInPlaceOf(room, hidden, e);
        return served ? [served] : [];
      });
    const inState = new Set(state);
    const served = this.servedForLookup.get(roomId) ?? [];
    return { state, events: [...room.events.filter((e) => !inState.has(e) && !hidden?.has(e.event_id)), ...served] };
  }

  /** Rooms this server shows `userId` as invited to or joined (split views included). */
  roomsOf(userId: string): string[] {
    this.requireLocal(userId);
    const hidden = this.hiddenFrom.get(userId);
    return [...this.rooms].flatMap(([roomId, room]) => {
      // The user's membership as roomView serves it, without building the view.
      const current = room.get("m.room.member", userId);
      const mine = current && (hidden?.size ? servedInPlaceOf(room, hidden, current) : current);
      return mine?.content.membership === "join" || mine?.content.membership === "invite" ? [roomId] : [];
    });
  }

  /**
   * The first half of a join (`make_join`): a server without the room fetches it over federation
   * from one that has it, then shows the joining user the room.
   */
  makeJoin(userId: string, roomId: string): { state: WorldEvent[]; events: WorldEvent[] } {
    this.requireLocal(userId);
    this.room(roomId);
    return this.roomView(userId, roomId);
  }

  private readonly aliases = new Map<string, string>();
  private readonly substitutedAliases = new Map<string, string>();

  /** `PUT /directory/room/{alias}`: this server's directory, for aliases on this server. */
  setAlias(userId: string, alias: string, roomId: string): void {
    this.requireLocal(userId);
    if (!alias.endsWith(`:${this.name}`))
      throw new ApiError("M_INVALID_PARAM", `${alias} is not an alias on ${this.name}`);
    if (this.room(roomId).membership(userId) !== "join")
      throw new ApiError("M_FORBIDDEN", `${userId} is not in ${roomId}`);
    this.aliases.set(alias, roomId);
  }

  /** `GET /directory/room/{alias}`: asked of the alias's own server, over federation if remote. */
  resolveAlias(alias: string, servers: (name: string) => Homeserver | undefined): string {
    const lied = this.substitutedAliases.get(alias);
    if (lied) return lied;
    const home = alias.slice(alias.indexOf(":") + 1);
    const owner = home === this.name ? this : servers(home);
    const roomId = owner?.aliases.get(alias);
    if (!roomId) throw new ApiError("M_NOT_FOUND", `no room for ${alias}`);
    return roomId;
  }

  /** `forge`: answer its own clients' alias look-ups with a room of the server's choosing. */
  substituteAlias(alias: string, roomId: string): void {
    this.require("forge");
    this.substitutedAliases.set(alias, roomId);
    this.world.history.record({
      op: "adversary",
      t: this.world.clock.now(),
      capability: "forge",
      detail: { server: this.name, alias, resolves_to: roomId },
    });
  }

  /** Encrypted messages in the room's timeline, as served to `userId`. */
  messages(userId: string, roomId: string): WorldEvent[] {
    this.requireLocal(userId);
    const hidden = this.hiddenFrom.get(userId);
    return (this.rooms.get(roomId)?.events ?? []).filter(
      (e) => e.type === "m.room.encrypted" && !hidden?.has(e.event_id),
    );
  }

  /** To-device messages this server's users sent, as the server relayed them (it sees the ciphertexts). */
  readonly relayedToDevice: { user: string; device: string; message: ToDeviceMessage }[] = [];

  /** `/sendToDevice`: relayed through this server to the recipient's server. */
  sendToDevice(sender: string, user: string, device: string, message: ToDeviceMessage): void {
    this.requireLocal(sender);
    this.relayedToDevice.push({ user, device, message });
    this.world.network.sendToDevice(user, device, message);
  }

  deliverToDevice(userId: string, deviceId: string, message: ToDeviceMessage): void {
    const key = `${userId}\u0000${deviceId}`;
    this.inboxes.set(key, [...(this.inboxes.get(key) ?? []), message]);
  }

  /** `/sync`'s to-device section: what is waiting for one device, removed as it is taken. */
  takeToDevice(userId: string, deviceId: string): ToDeviceMessage[] {
    const key = `${userId}\u0000${deviceId}`;
    const out = this.inboxes.get(key) ?? [];
    this.inboxes.delete(key);
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // Adversary capabilities: refused unless declared.

  private readonly insertedDevices = new Map<string, DeviceKeys[]>();

  private require(capability: keyof Capabilities): void {
    if (!this.capabilities[capability])
      throw new ApiError("M_FORBIDDEN", `${this.name} was not given the ${capability} capability`);
  }

  /** `forge`: put an event of the server's making into a room, as if `sender` sent it, and federate it. */
  forgeEvent(
    roomId: string,
    sender: string,
    type: string,
    content: JsonObject,
    stateKey?: string,
    eventId?: string,
  ): WorldEvent {
    this.require("forge");
    const made = this.makeEvent(roomId, sender, type, content, stateKey);
    // A chosen ID is a fake mapping: clients of the membership tree cannot recompute event IDs.
    const e = eventId === undefined ? made : { ...made, event_id: eventId };
    this.room(roomId).append(e);
    this.world.network.federate(this, e);
    const parent = typeof content.parent_event_id === "string" ? content.parent_event_id : null;
    const membership = typeof content.membership === "string" ? content.membership : null;
    // The DAG node the forged event carries, if any: an alarm naming it is the adversary's doing.
    const node = stateKey !== undefined ? readDagNode(e) : undefined;
    const nodeId: JsonObject = node?.ok ? { node: node.value.id } : {};
    this.world.history.record({
      op: "adversary",
      t: this.world.clock.now(),
      capability: "forge",
      detail: {
        server: this.name,
        room: roomId,
        event: e.event_id,
        type,
        sender,
        state_key: stateKey ?? null,
        membership,
        parent,
        ...nodeId,
      },
    });
    return e;
  }

  private readonly substitutedKeys = new Map<string, UserKeys>();

  /**
   * `lieAboutKeys`: answer `/keys/query` for `userId` with keys the server made (MSK, SSK and a
   * device signed by that SSK) in place of the real ones.
   */
  substituteKeys(userId: string, keys: UserKeys): void {
    this.require("lieAboutKeys");
    this.substitutedKeys.set(userId, keys);
    this.world.history.record({
      op: "adversary",
      t: this.world.clock.now(),
      capability: "lieAboutKeys",
      detail: { server: this.name, user: userId, substituted: "master key" },
    });
  }

  private readonly hiddenFrom = new Map<string, Set<string>>();

  /** `withhold` (split view): hide an event from what this server serves to some of its users only. */
  hideFrom(users: readonly string[], roomId: string, eventId: string): void {
    this.require("withhold");
    for (const u of users) this.hiddenFrom.set(u, (this.hiddenFrom.get(u) ?? new Set()).add(eventId));
    this.world.history.record({
      op: "adversary",
      t: this.world.clock.now(),
      capability: "withhold",
      detail: { server: this.name, room: roomId, hidden: eventId, from: [...users] },
    });
  }

  private readonly orders: WithholdOrder[] = [];
  /** Events withheld for a while: whom they are hidden from, whether federation waits, and when they are let go. */
  private readonly held: { roomId: string; event: WorldEvent; users: string[]; federate: boolean; due: number }[] = [];

  /** `withhold`: take a withholding order (see `WithholdOrder`); a `latest` order acts at once. */
  withhold(order: WithholdOrder): void {
    this.require("withhold");
    if (order.when === "next") {
      this.orders.push(order);
      return;
    }
    const e = [...(this.rooms.get(order.room)?.events ?? [])].reverse().find((x) => matches(order, x));
    if (!e)
      throw new ApiError(
        "M_NOT_FOUND",
        `no ${order.kind} event${order.sender ? ` of ${order.sender}` : ""} to withhold in ${order.room}`,
      );
    // An event still queued for federation is taken back; one already delivered stays delivered.
    const queued = keepsFromOtherServers(order, this) && this.world.network.withdraw(this, e.event_id) > 0;
    this.hold(order, e, queued);
  }

  /** Apply the standing orders to an event that just arrived here; true if its federation is held. */
  private applyOrders(e: WorldEvent, local: boolean): boolean {
    let federationHeld = false;
    for (let i = 0; i < this.orders.length; i++) {
      const order = this.orders[i]!;
      if (!matches(order, e)) continue;
      const federation = local && keepsFromOtherServers(order, this);
      this.hold(order, e, federation);
      federationHeld ||= federation;
      if (!order.every) this.orders.splice(i--, 1);
    }
    return federationHeld;
  }

  private hold(order: WithholdOrder, e: WorldEvent, federation: boolean): void {
    const users =
      order.from === "all"
        ? [...this.keys.keys()].filter((u) => this.hosts(u) && u !== e.sender)
        : order.from.filter((u) => this.hosts(u));
    for (const u of users) this.hiddenFrom.set(u, (this.hiddenFrom.get(u) ?? new Set()).add(e.event_id));
    this.world.history.record({
      op: "adversary",
      t: this.world.clock.now(),
      capability: "withhold",
      detail: {
        server: this.name,
        room: e.room_id,
        hidden: e.event_id,
        from: users,
        federation,
        ...(order.flushes !== undefined ? { flushes: order.flushes } : {}),
      },
    });
    if (order.flushes !== undefined)
      this.held.push({
        roomId: e.room_id,
        event: e,
        users,
        federate: federation,
        due: this.world.network.flushes + order.flushes,
      });
  }

  /** Let go of what was withheld for a while and is now due: served to its users again, and federated. */
  release(): void {
    for (let i = 0; i < this.held.length; i++) {
      const h = this.held[i]!;
      if (h.due > this.world.network.flushes) continue;
      this.held.splice(i--, 1);
      for (const u of h.users) this.hiddenFrom.get(u)?.delete(h.event.event_id);
      if (h.federate) this.world.network.federate(this, h.event);
    }
  }

  /** Events withheld for a while, not yet let go (in flight, for quiescence). */
  get withheldForAWhile(): number {
    return this.held.length;
  }

  /** `withhold`: delete an event from what this server serves, and from what it has yet to federate. */
  hide(roomId: string, eventId: string): void {
    this.require("withhold");
    this.room(roomId).remove(eventId);
    this.world.network.withdraw(this, eventId);
    this.world.history.record({
      op: "adversary",
      t: this.world.clock.now(),
      capability: "withhold",
      detail: { server: this.name, room: roomId, hidden: eventId },
    });
  }

  /** `forge`: make an old event current state again in this server's replica (a ban, undone). */
  reinstate(roomId: string, eventId: string): void {
    this.require("forge");
    const room = this.room(roomId);
    const e = room.byId.get(eventId);
    if (!e || e.state_key === undefined) throw new ApiError("M_NOT_FOUND", `no state event ${eventId} in ${roomId}`);
    room.state.set(stateKeyOf(e.type, e.state_key), e);
    this.world.history.record({
      op: "adversary",
      t: this.world.clock.now(),
      capability: "forge",
      detail: { server: this.name, room: roomId, reinstated: eventId },
    });
  }

  private readonly servedForLookup = new Map<string, WorldEvent[]>();

  /**
   * `forge`: answer its own clients' look-ups of an event ID in `roomId` with `e` (an event from
   * another room, or a copy under another ID): served with the room's other events, never current
   * state, and not federated.
   */
  serveForLookup(roomId: string, e: WorldEvent): void {
    this.require("forge");
    this.servedForLookup.set(roomId, [...(this.servedForLookup.get(roomId) ?? []), e]);
    const detail = {
      server: this.name,
      room: roomId,
      served: e.event_id,
      type: e.type,
      sender: e.sender,
      from: e.room_id,
    };
    this.world.history.record({ op: "adversary", t: this.world.clock.now(), capability: "forge", detail });
  }

  /**
   * `forge`: rewrite what no signature covers in an event it serves: the envelope's `sender` (the
   * content, and so its signatures, is untouched). The event keeps its ID, in the replica and in
   * what it has yet to federate.
   */
  rewriteSender(roomId: string, eventId: string, sender: string): WorldEvent {
    this.require("forge");
    const room = this.room(roomId);
    const e = room.byId.get(eventId);
    if (!e) throw new ApiError("M_NOT_FOUND", `no event ${eventId} in ${roomId}`);
    const rewritten = { ...e, sender };
    room.events[room.events.indexOf(e)] = rewritten;
    room.byId.set(eventId, rewritten);
    const key = e.state_key === undefined ? undefined : stateKeyOf(e.type, e.state_key);
    if (key !== undefined && room.state.get(key) === e) room.state.set(key, rewritten);
    const detail = { server: this.name, room: roomId, rewritten: eventId, sender_was: e.sender, sender };
    this.world.history.record({ op: "adversary", t: this.world.clock.now(), capability: "forge", detail });
    return rewritten;
  }

  /** `lieAboutKeys`: list a device the server made for `userId` in `/keys/query`. */
  insertDevice(userId: string, device: DeviceKeys): void {
    this.require("lieAboutKeys");
    this.insertedDevices.set(userId, [...(this.insertedDevices.get(userId) ?? []), device]);
    this.world.history.record({
      op: "adversary",
      t: this.world.clock.now(),
      capability: "lieAboutKeys",
      detail: { server: this.name, user: userId, device: device.device_id },
    });
  }
}

/** A homeserver with the declared adversary capabilities (DESIGN.md §9, STYLE.md on Complement). */
export function maliciousHomeserver(name: string, world: WorldContext, capabilities: Capabilities): Homeserver {
  return new Homeserver(name, world, capabilities);
}

/**
 * A split view (`hide`): the state event a user is served in place of `e`, as if the events hidden
 * from them had never happened: `e`, or the latest earlier event of its type and state key that is
 * not hidden, or nothing.
 */
function servedInPlaceOf(room: RoomReplica, hidden: ReadonlySet<string>, e: WorldEvent): WorldEvent | undefined {
  if (!hidden.has(e.event_id)) return e;
  for (let i = room.events.length - 1; i >= 0; i--) {
    const x = room.events[i]!;
    if (x.type === e.type && x.state_key === e.state_key && !hidden.has(x.event_id)) return x;
  }
  return undefined;
}
