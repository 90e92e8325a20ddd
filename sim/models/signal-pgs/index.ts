/**
 * `signal-pgs`: Signal's Private Group System as a defence model, over the engine in `engine.ts`.
 *
 * - Each homeserver runs a group storage service (`PgsServer`): an honest one enforces the room's
 *   power levels, a malicious one (any declared capability) does not. A group lives on every
 *   server of its members; a write a client makes goes to its own server, which checks it, and
 *   then to the other servers holding the group (federation, without delay). Each client reads the
 *   member list from its own server.
 * - A client keeps, per room, the master key's secrets and its own entry. The creator draws the
 *   master key; an inviter adds the invitee as a pending member and seals the master key to the
 *   invitee's devices, as it would a room key; the invitee's join makes it a full member. A public
 *   join rule publishes a group link (the master key), and a joiner adds itself by it.
 * - Recipients: `messageRecipients(viewMembers(…))`, and of each member only the devices signed by
 *   the SSK of the MSK the client holds. Messages go by the default (simulated Megolm) transport.
 * - Alarms: entries that do not decrypt, and duplicates.
 * - A malicious server's acts (`attack`) become what it can do to the list: insert entries it
 *   makes (garbage without the master key; valid ones when a member who holds it colludes), put
 *   back entries it has seen, delete entries, and serve different lists to different users.
 */
import { decodeBase64, encodeBase64 } from "../../core/base64.ts";
import type { JsonObject } from "../../core/canonical-json.ts";
import { crossSigningPublicKey, trustedDevices } from "../../core/cross-signing.ts";
import type {
  AttackAct,
  ClientDefence,
  DefenceModel,
  ModelClient,
  Recipient,
  RoomObservation,
  RoomView,
} from "../../world/defence-model.ts";
import { ApiError, type Homeserver } from "../../world/homeserver.ts";
import type { WorldEvent } from "../../world/room.ts";
import { Rng } from "../../world/rng.ts";
import { openToDevice, sealToDevice, type ToDeviceCiphertext } from "../../world/sealed.ts";
import type { World } from "../../world/world.ts";
import { recipientsOf } from "../shared.ts";
import { SIGNAL_PGS_APPLICABILITY } from "./applicability.ts";
import {
  type AccessControl,
  type EntryHex,
  type GroupRecord,
  type GroupSecrets,
  PgsServer,
  type ServerResult,
  deriveGroupSecrets,
  encryptMemberEntry,
  messageRecipients,
  newMasterKey,
  viewMembers,
} from "./engine.ts";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const unhex = (h: string) => new Uint8Array(Buffer.from(h, "hex"));

/** One homeserver's group storage, and what it has learned by serving it. */
interface PgsHost {
  pgs: PgsServer;
  /** Invited members, not yet joined (Signal's pending members), per group: entry to level. */
  pending: Map<string, Map<EntryHex, number>>;
  /** The entry each Matrix user presented or was named by in a request this server handled. */
  entryOf: Map<string, Map<string, EntryHex>>;
  /** Entries served to some users only (a split view), per user, per group. */
  extra: Map<string, Map<string, Set<EntryHex>>>;
  /** Removals of these entries it does not pass on to other servers (a withheld ban). */
  withheld: Set<EntryHex>;
}

/** The model's share of one run: its own seeded randomness, the servers' group storage, sealed keys and links. */
class PgsWorld {
  readonly rng: Rng;
  readonly hosts = new Map<string, PgsHost>();
  /** Master keys sealed to devices (`user/device`), with the room they are for. */
  readonly sealed = new Map<string, { roomId: string; box: ToDeviceCiphertext }[]>();
  /**
   * Group links: the master key, as a link carries it. A public room's is for anyone; a restricted
   * room's is posted in the rooms its rule allows, for their members only.
   */
  readonly links = new Map<string, { key: Uint8Array; allow: string[] | null }>();
  /** The group ID of each room. */
  readonly groupOf = new Map<string, string>();

  constructor(readonly world: World) {
    this.rng = new Rng(`${world.rng.seed}/signal-pgs`);
  }

  host(server: Homeserver): PgsHost {
    let h = this.hosts.get(server.name);
    if (!h) {
      h = {
        pgs: new PgsServer(server.honest),
        pending: new Map(),
        entryOf: new Map(),
        extra: new Map(),
        withheld: new Set(),
      };
      this.hosts.set(server.name, h);
    }
    return h;
  }

  /** `server`'s copy of the group, fetched from a server that has it (as `make_join` fetches a room). */
  replica(server: Homeserver, groupId: string): PgsHost {
    const h = this.host(server);
    if (!h.pgs.groups.has(groupId)) {
      for (const other of this.hosts.values()) {
        const g = other.pgs.groups.get(groupId);
        if (!g) continue;
        h.pgs.groups.set(groupId, copyRecord(g));
        h.pending.set(groupId, new Map(other.pending.get(groupId) ?? []));
        break;
      }
    }
    return h;
  }

  /** An honest client's write: checked by its own server, then carried to every server holding the group. */
  write(server: Homeserver, groupId: string, op: (h: PgsHost) => ServerResult, removes?: EntryHex): ServerResult {
    const own = this.replica(server, groupId);
    const r = op(own);
    if (!r.ok) return r;
    // Federation: the other servers holding the group get the write when an event sent now would
    // reach them, and each honest one checks it against its own copy, as Matrix servers do.
    for (const [name, h] of this.hosts) {
      if (name !== server.name && h.pgs.groups.has(groupId))
        this.world.network.federateLater(() => {
          if (removes === undefined || !own.withheld.has(removes)) op(h);
        });
    }
    return r;
  }

  learn(server: Homeserver, groupId: string, user: string, entry: Uint8Array): void {
    this.host(server);
    for (const h of this.hosts.values()) {
      const m = h.entryOf.get(groupId) ?? new Map<string, EntryHex>();
      m.set(user, hex(entry));
      h.entryOf.set(groupId, m);
    }
  }

  /** The member list `user`'s server serves them. */
  listFor(server: Homeserver, groupId: string, user: string): Uint8Array[] {
    const h = this.replica(server, groupId);
    const list = h.pgs.list(groupId);
    const have = new Set(list.map(hex));
    const extra = [...(h.extra.get(user)?.get(groupId) ?? [])].filter((e) => !have.has(e)).map(unhex);
    return [...list, ...extra];
  }
}

function copyRecord(g: GroupRecord): GroupRecord {
  return {
    groupId: g.groupId,
    access: { ...g.access },
    entries: new Map(g.entries),
    banned: new Set(g.banned),
    seen: new Set(g.seen),
  };
}

const worlds = new WeakMap<World, PgsWorld>();
function pgsWorld(world: World): PgsWorld {
  let w = worlds.get(world);
  if (!w) {
    w = new PgsWorld(world);
    worlds.set(world, w);
  }
  return w;
}

/** The client state of every ModelClient, for a colluder's hand-over (`attack`). */
const clients = new WeakMap<ModelClient, PgsClient>();

function levelIn(pl: JsonObject | undefined, user: string): number {
  const users = (pl?.users ?? {}) as Record<string, number>;
  return typeof users[user] === "number" ? users[user]! : typeof pl?.users_default === "number" ? pl.users_default : 0;
}

function accessFrom(pl: JsonObject | undefined, joinByLink: boolean): AccessControl {
  const n = (v: unknown, d: number) => (typeof v === "number" ? v : d);
  const events = (pl?.events ?? {}) as Record<string, unknown>;
  return {
    add: n(pl?.invite, 0),
    remove: n(pl?.kick, 50),
    changeLevels: n(events["m.room.power_levels"], n(pl?.state_default, 50)),
    joinByLink,
  };
}

function tokenOf(e: WorldEvent): string | undefined {
  const tpi = e.content.third_party_invite as JsonObject | undefined;
  const signed = tpi?.signed as JsonObject | undefined;
  return typeof signed?.token === "string" ? signed.token : undefined;
}

const refused = (r: ServerResult, what: string): ApiError | undefined =>
  r.ok || r.refusal === "already_member" || r.refusal === "not_found"
    ? undefined
    : new ApiError("M_FORBIDDEN", `signal-pgs: ${what}: ${r.refusal}`);

class PgsClient implements ClientDefence {
  /** Per room: the group's secrets and this client's own entry. */
  readonly groups = new Map<string, { secrets: GroupSecrets; entry: Uint8Array }>();
  private readonly alarmed = new Set<string>();
  private pendingCreate: GroupSecrets | undefined;
  /** Third-party invites this client made, not yet bound to a user. */
  private readonly thirdParty: { roomId: string; token: string }[] = [];

  constructor(
    private readonly me: ModelClient,
    private readonly w: PgsWorld,
  ) {}

  private plOf(roomId: string): JsonObject | undefined {
    return this.me.server.roomView(this.me.userId, roomId).state.find((e) => e.type === "m.room.power_levels")?.content;
  }

  stateContent(roomId: string | null, type: string, stateKey: string, content: JsonObject): JsonObject {
    if (roomId === null) {
      this.pendingCreate = deriveGroupSecrets(newMasterKey(this.w.rng, `master key of a room by ${this.me.userId}`));
      return content;
    }
    // Policy: a join needs the master key (sealed to one of this user's devices by an inviter, or a
    // public room's link); without it there is no group to join, whatever the homeserver says.
    if (
      type === "m.room.member" &&
      stateKey === this.me.userId &&
      content.membership === "join" &&
      !this.groups.has(roomId)
    ) {
      const key = this.masterKeyFor(roomId);
      if (!key) throw new ApiError("M_FORBIDDEN", `signal-pgs: ${this.me.userId} holds no master key for ${roomId}`);
      const secrets = deriveGroupSecrets(key);
      this.groups.set(roomId, { secrets, entry: encryptMemberEntry(secrets, this.me.userId) });
    }
    return content;
  }

  /** The master key from a sealed box to one of this user's devices, or from the room's public link. */
  private masterKeyFor(roomId: string): Uint8Array | undefined {
    for (const d of this.me.devices) {
      for (const { roomId: r, box } of this.w.sealed.get(`${this.me.userId}/${d.id}`) ?? []) {
        if (r !== roomId) continue;
        const opened = openToDevice(d.curve, box);
        const key = opened === null ? undefined : decodeBase64(opened, { expectedLength: 32 });
        if (key?.ok) return key.value;
      }
    }
    const link = this.w.links.get(roomId);
    if (!link) return undefined;
    return link.allow === null ||
      link.allow.some((r) => this.groups.has(r) && this.me.server.roomsOf(this.me.userId).includes(r))
      ? link.key
      : undefined;
  }

  created(roomId: string): void {
    const secrets = this.pendingCreate!;
    this.pendingCreate = undefined;
    const entry = encryptMemberEntry(secrets, this.me.userId);
    this.groups.set(roomId, { secrets, entry });
    this.w.groupOf.set(roomId, secrets.groupId);
    const h = this.w.host(this.me.server);
    h.pgs.createGroup(secrets.groupId, entry, 100, accessFrom(undefined, false));
    this.w.learn(this.me.server, secrets.groupId, this.me.userId, entry);
  }

  /** The Matrix event the server accepted, restated as this client's requests to its group server. */
  eventNode(e: WorldEvent): null {
    const g = this.groups.get(e.room_id);
    if (!g || e.type === "m.room.create") return null;
    const { secrets, entry } = g;
    const id = secrets.groupId;
    const server = this.me.server;
    let problem: ApiError | undefined;
    if (e.type === "m.room.member") {
      const target = e.state_key!;
      const theirs = encryptMemberEntry(secrets, target);
      this.w.learn(server, id, target, theirs);
      const membership = e.content.membership;
      if (membership === "invite") {
        problem = this.addPending(e.room_id, g, target);
      } else if (membership === "join" && target === this.me.userId) {
        problem = refused(
          this.w.write(server, id, (h) => {
            const level = h.pending.get(id)?.get(hex(entry));
            if (level !== undefined) {
              h.pending.get(id)!.delete(hex(entry));
              if (h.pgs.levelOf(id, entry) === undefined) h.pgs.insert(id, entry, level);
              return { ok: true };
            }
            return h.pgs.add(id, entry, entry, 0); // by the group link (the server checks joinByLink)
          }),
          `join of ${target}`,
        );
      } else if (membership === "leave" || membership === "ban") {
        problem = refused(
          this.w.write(
            server,
            id,
            (h) => {
              h.pending.get(id)?.delete(hex(theirs));
              const record = h.pgs.groups.get(id);
              // An unban (a leave for a banned user) lifts the ban; the member is not in the list.
              if (membership === "leave" && record?.banned.has(hex(theirs)) && !record.entries.has(hex(theirs))) {
                if (h.pgs.enforce && (h.pgs.levelOf(id, entry) ?? -1) < record.access.remove)
                  return { ok: false, refusal: "insufficient_level" };
                record.banned.delete(hex(theirs));
                return { ok: true };
              }
              return h.pgs.remove(id, entry, theirs, membership === "ban");
            },
            hex(theirs),
          ),
          `${membership} of ${target}`,
        );
        if (target === this.me.userId && membership === "leave") {
          // Policy: as in Signal, the master key stays with whoever held it; only the entry goes.
        }
      }
    } else if (e.type === "m.room.power_levels") {
      const record = this.w.replica(server, id).pgs.groups.get(id);
      const rule = record?.access.joinByLink ?? false;
      problem = refused(
        this.w.write(server, id, (h) => h.pgs.setAccess(id, entry, accessFrom(e.content, rule))),
        "power levels",
      );
      for (const [user] of Object.entries((e.content.users ?? {}) as Record<string, number>)) {
        const theirs = encryptMemberEntry(secrets, user);
        if (this.w.replica(server, id).pgs.levelOf(id, theirs) === undefined) continue;
        const level = levelIn(e.content, user);
        if (this.w.replica(server, id).pgs.levelOf(id, theirs) === level) continue;
        problem ??= refused(
          this.w.write(server, id, (h) => h.pgs.setLevel(id, entry, theirs, level)),
          `level of ${user}`,
        );
      }
    } else if (e.type === "m.room.join_rules") {
      const rule = e.content.join_rule;
      const link = rule === "public" || rule === "restricted";
      problem = refused(
        this.w.write(server, id, (h) => h.pgs.setAccess(id, entry, accessFrom(this.plOf(e.room_id), link))),
        "join rule",
      );
      const allow = Array.isArray(e.content.allow)
        ? e.content.allow.flatMap((a) =>
            a && typeof a === "object" && !Array.isArray(a) && typeof a.room_id === "string" ? [a.room_id] : [],
          )
        : [];
      if (!problem && link)
        this.w.links.set(e.room_id, { key: secrets.masterKey, allow: rule === "public" ? null : allow });
      if (!problem && !link) this.w.links.delete(e.room_id);
    } else if (e.type === "m.room.third_party_invite") {
      // Signal adds a contact found by phone number once the directory resolves it: here, once the
      // identity server's binding makes the successor invite (observeRoom), the inviter adds them.
      this.thirdParty.push({ roomId: e.room_id, token: e.state_key! });
    }
    if (problem) throw problem;
    return null;
  }

  /** Add `target` as a pending member (the server checks the inviter's level as for an add), and send them the key. */
  private addPending(
    roomId: string,
    g: { secrets: GroupSecrets; entry: Uint8Array },
    target: string,
  ): ApiError | undefined {
    const id = g.secrets.groupId;
    const theirs = encryptMemberEntry(g.secrets, target);
    this.w.learn(this.me.server, id, target, theirs);
    const level = levelIn(this.plOf(roomId), target);
    const problem = refused(
      this.w.write(this.me.server, id, (h) => {
        const r = h.pgs.add(id, g.entry, theirs, level);
        if (!r.ok) return r;
        h.pgs.delete(id, theirs);
        h.pending.set(id, (h.pending.get(id) ?? new Map()).set(hex(theirs), level));
        return r;
      }),
      `invite of ${target}`,
    );
    if (!problem) this.sealMasterKey(roomId, target, g.secrets.masterKey);
    return problem;
  }

  /** The master key to each of the invitee's devices the inviter trusts, as a room key would go. */
  private sealMasterKey(roomId: string, target: string, masterKey: Uint8Array): void {
    for (const r of this.trustedRecipients(target, undefined)) {
      const id = `${r.user}/${r.device}`;
      const box = sealToDevice(r.curve25519, encodeBase64(masterKey), this.w.rng, `master key of ${roomId} to ${id}`);
      if (box) this.w.sealed.set(id, [...(this.w.sealed.get(id) ?? []), { roomId, box }]);
    }
  }

  /** A user's devices signed by the SSK of the MSK this client holds for them (else first seen now). */
  private trustedRecipients(user: string, obs: RoomObservation | undefined): Recipient[] {
    let keys = obs?.keys;
    if (!keys?.device_keys[user]) keys = this.me.server.queryKeys([user], (u) => this.me.world.network.serverOf(u));
    let msk = obs?.pins.get(user);
    if (!msk) {
      const m = crossSigningPublicKey(keys.master_keys[user], { userId: user, usage: "master" });
      if (!m.ok) return [];
      msk = m.value;
    }
    const { trusted } = trustedDevices(
      user,
      msk,
      keys.self_signing_keys[user],
      Object.values(keys.device_keys[user] ?? {}),
      this.me.world.ed25519,
    );
    return recipientsOf(user, trusted);
  }

  observeRoom(roomId: string, roomView: RoomView): void {
    const g = this.groups.get(roomId);
    if (!g) return;
    for (const [i, t] of [...this.thirdParty.entries()].reverse()) {
      if (t.roomId !== roomId) continue;
      const bound = roomView.state.find(
        (e) => e.type === "m.room.member" && e.content.membership === "invite" && tokenOf(e) === t.token,
      );
      if (!bound) continue;
      this.thirdParty.splice(i, 1);
      this.addPending(roomId, g, bound.state_key!);
    }
    const view = viewMembers(g.secrets, this.w.listFor(this.me.server, g.secrets.groupId, this.me.userId));
    for (const [cause, entries] of [
      ["undecryptable", view.undecryptable],
      ["duplicate", view.duplicates],
    ] as const) {
      for (const e of entries) {
        if (this.alarmed.has(`${roomId} ${e}`)) continue;
        this.alarmed.add(`${roomId} ${e}`);
        this.me.world.history.record({
          op: "alarm",
          t: this.me.world.clock.now(),
          room: roomId,
          client: this.me.userId,
          missing: `signal-pgs ${cause} member entry ${e.slice(0, 16)}…`,
        });
      }
    }
  }

  messageFields(): JsonObject {
    return {};
  }

  onMessage(): void {}

  recipients(obs: RoomObservation): Recipient[] {
    const g = this.groups.get(obs.roomId);
    if (!g) return [];
    const view = viewMembers(g.secrets, this.w.listFor(this.me.server, g.secrets.groupId, this.me.userId));
    const devices = new Map(view.members.map((u) => [u, this.trustedRecipients(u, obs)]));
    const picked = messageRecipients(view, (u) => devices.get(u) ?? []);
    return picked.map((d) => devices.get(d.user)!.find((r) => r.device === d.device)!);
  }
}

/** What a malicious server's act is in PGS: what it does to the list it stores and serves. */
function attack(act: AttackAct, world: World): void {
  const w = pgsWorld(world);
  const groupId = w.groupOf.get(act.roomId);
  if (!groupId) return;
  const h = w.replica(act.server, groupId);
  const known = (user: string) => h.entryOf.get(groupId)?.get(user);
  const record = (detail: JsonObject) =>
    world.history.record({
      op: "adversary",
      t: world.clock.now(),
      capability: "forge",
      detail: { model: "signal-pgs", server: act.server.name, room: act.roomId, ...detail },
    });
  switch (act.kind) {
    case "insert_member": {
      const colluder = act.colluder ? clients.get(act.colluder)?.groups.get(act.roomId) : undefined;
      // With a member's master key (kept after a ban, as Signal keeps it), a valid entry; without
      // one, an entry the server knows for that user, or else one under a key of its own.
      const entry = colluder
        ? encryptMemberEntry(colluder.secrets, act.user)
        : known(act.user) !== undefined
          ? unhex(known(act.user)!)
          : encryptMemberEntry(deriveGroupSecrets(newMasterKey(w.rng, `server's own key for ${act.user}`)), act.user);
      h.pgs.insert(groupId, entry, 0);
      record({ inserted: hex(entry), for: act.user, with_master_key: colluder !== undefined });
      break;
    }
    case "undo_ban": {
      const entry = known(act.target);
      if (entry === undefined) return;
      if (act.hideFrom) {
        for (const u of act.hideFrom) {
          const per = h.extra.get(u) ?? new Map<string, Set<EntryHex>>();
          per.set(groupId, (per.get(groupId) ?? new Set()).add(entry));
          h.extra.set(u, per);
        }
      } else {
        h.pgs.insert(groupId, unhex(entry), 0);
        h.withheld.add(entry);
      }
      record({ reinserted: entry, for: act.target, served_to: act.hideFrom ? [...act.hideFrom] : "all" });
      break;
    }
    case "forge_leave": {
      const entry = known(act.target);
      if (entry !== undefined) h.pgs.delete(groupId, unhex(entry));
      break;
    }
    case "replay_member": {
      const from = w.groupOf.get(act.fromRoom);
      const entry = from ? w.replica(act.server, from).entryOf.get(from)?.get(act.target) : undefined;
      if (entry !== undefined) h.pgs.insert(groupId, unhex(entry), 0);
      break;
    }
  }
}

export const signalPgs: DefenceModel = {
  id: "signal-pgs",
  description:
    "Signal's Private Group System: members are entries under the group master key, access control by the server",
  // A PGS group is reached only with its master key: there are no room keys in links to check.
  checksRoomKeys: false,
  client(owner) {
    const c = new PgsClient(owner, pgsWorld(owner.world));
    clients.set(owner, c);
    return c;
  },
  attack,
  notApplicable: Object.fromEntries(SIGNAL_PGS_APPLICABILITY.flatMap((a) => (a.applies ? [] : [[a.threat, a.reason]]))),
};
