/**
 * The key-distribution half of a homeserver, as matrix-sdk-crypto's `OlmMachine` talks to it
 * (Matrix spec, client-server API §End-to-End Encryption): `/keys/upload`, `/keys/query`,
 * `/keys/claim`, `/keys/device_signing/upload`, `/keys/signatures/upload`, `/sendToDevice` and the
 * to-device and `device_lists` sections of `/sync`.
 *
 * Servers federate through one `KeyDirectory`: a server answers for the users it hosts, and asks
 * the user's own server for the others. A server may lie only if it was made with the
 * `lieAboutKeys` capability (as `maliciousHomeserver` in sim/world/homeserver.ts): it can list
 * devices it made (`forged` uploads, i.e. an attacker's own `OlmMachine` registered under a
 * victim's user ID), and substitute a user's cross-signing identity with one it made. Each lie
 * applies to what that server serves: to its own clients, and, for users it hosts, to everyone.
 *
 * Everything here is ordered by user and device IDs, which come from the seeded world, never by
 * keys or other values the library draws at random.
 */
import type { Capabilities } from "../../world/homeserver.ts";

export type Json = Record<string, unknown>;

/** A device as one server stores it: its signed keys, and what others may claim. */
interface DeviceRecord {
  keys?: Json;
  /** One-time keys by key ID (`signed_curve25519:AAAAAQ`). */
  oneTimeKeys: Map<string, unknown>;
  fallback?: { keyId: string; key: unknown; used: boolean };
}

/** A user's cross-signing keys as uploaded (`/keys/device_signing/upload`). */
interface Identity {
  master?: Json;
  selfSigning?: Json;
  userSigning?: Json;
}

interface UserRecord {
  devices: Map<string, DeviceRecord>;
  identity: Identity;
}

/** Who is making a request: a device of `user`, registered honestly or forged by its home server. */
export interface Requester {
  user: string;
  device: string;
  /** A device the home server made itself and lists for `user` (needs `lieAboutKeys`). */
  forged: boolean;
}

/** A to-device message as `/sync` hands it to the recipient. */
export interface ToDeviceEvent {
  type: string;
  sender: string;
  content: unknown;
}

const OTK_ALGORITHM = "signed_curve25519";

function sorted(keys: Iterable<string>): string[] {
  return [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function serverName(userId: string): string {
  return userId.slice(userId.indexOf(":") + 1);
}

function asObject(x: unknown, what: string): Json {
  if (typeof x !== "object" || x === null || Array.isArray(x)) throw new Error(`key server: ${what} is not an object`);
  return x as Json;
}

/** Merge the `signatures` of `from` into those of `into` (what `/keys/signatures/upload` does). */
function mergeSignatures(into: Json, from: Json): Json {
  const out = structuredClone(into);
  const sigs = asObject((out.signatures ??= {}), "signatures");
  for (const [entity, byKey] of Object.entries(asObject(from.signatures ?? {}, "signatures"))) {
    sigs[entity] = { ...asObject(sigs[entity] ?? {}, "signatures"), ...asObject(byKey, "signatures") };
  }
  return out;
}

function publicKeyOf(csk: Json | undefined): string | undefined {
  const keys = csk?.keys;
  if (typeof keys !== "object" || keys === null) return undefined;
  const [id] = Object.keys(keys);
  return id?.startsWith("ed25519:") ? id.slice("ed25519:".length) : undefined;
}

/** The servers, by name, and the stream of key changes every `/sync` reports from. */
export class KeyDirectory {
  private readonly servers = new Map<string, KeyServer>();
  /** Position in the change stream at which each user's keys last changed (as any server shows them). */
  private readonly changedAt = new Map<string, number>();
  private position = 0;

  server(name: string, capabilities: Readonly<Pick<Capabilities, "lieAboutKeys">> = {}): KeyServer {
    if (this.servers.has(name)) throw new Error(`key server ${name} exists`);
    const s = new KeyServer(name, this, capabilities);
    this.servers.set(name, s);
    return s;
  }

  serverOf(userId: string): KeyServer | undefined {
    return this.servers.get(serverName(userId));
  }

  /**
   * A user's keys changed somewhere. Policy: every device hears of every change (a real server
   * tells only users sharing a room); the machine ignores users it does not track, and querying a
   * user whose keys did not change for the asker returns the same answer, so this only costs time.
   */
  markChanged(userId: string): void {
    this.changedAt.set(userId, ++this.position);
  }

  /** Users changed after `since`, sorted, and the position to ask from next time. */
  changesSince(since: number): { users: string[]; next: number } {
    return { users: sorted([...this.changedAt].filter(([, at]) => at > since).map(([u]) => u)), next: this.position };
  }
}

export class KeyServer {
  private readonly users = new Map<string, UserRecord>();
  /** Devices this server made and lists for a user (hosted here or not): `lieAboutKeys`. */
  private readonly forgedDevices = new Map<string, Map<string, DeviceRecord>>();
  /** Cross-signing identities this server made for a user, served in place of the real one. */
  private readonly forgedIdentities = new Map<string, Identity>();
  private readonly inboxes = new Map<string, ToDeviceEvent[]>();
  /** Every to-device message this server relayed or delivered, as it saw it (recipient, type): no contents. */
  readonly relayed: { sender: string; user: string; device: string; type: string }[] = [];

  constructor(
    readonly name: string,
    private readonly directory: KeyDirectory,
    readonly capabilities: Readonly<Pick<Capabilities, "lieAboutKeys">>,
  ) {}

  hosts(userId: string): boolean {
    return serverName(userId) === this.name;
  }

  private requireLie(): void {
    if (!this.capabilities.lieAboutKeys) throw new Error(`${this.name} was not given the lieAboutKeys capability`);
  }

  private userRecord(userId: string): UserRecord {
    let r = this.users.get(userId);
    if (!r) this.users.set(userId, (r = { devices: new Map(), identity: {} }));
    return r;
  }

  /** The record a requester's own uploads go to. An honest registration needs a user hosted here. */
  private ownRecord(who: Requester): DeviceRecord {
    let devices: Map<string, DeviceRecord>;
    if (who.forged) {
      this.requireLie();
      devices = this.forgedDevices.get(who.user) ?? new Map();
      this.forgedDevices.set(who.user, devices);
    } else {
      if (!this.hosts(who.user)) throw new Error(`${who.user} is not a user of ${this.name}`);
      devices = this.userRecord(who.user).devices;
    }
    let d = devices.get(who.device);
    if (!d) devices.set(who.device, (d = { oneTimeKeys: new Map() }));
    return d;
  }

  /**
   * `lieAboutKeys`: from now on this server serves, for `userId`, the cross-signing identity that
   * a forged device of that user uploads (see `ElementDevice.forge`) and the forged devices, and
   * hides the user's real identity and devices (as `substituteKeys` in sim/world/homeserver.ts
   * replaces the whole answer). For a user it hosts, everyone sees the lie, the user included.
   */
  substituteIdentity(userId: string): void {
    this.requireLie();
    if (!this.forgedIdentities.has(userId)) this.forgedIdentities.set(userId, {});
    this.directory.markChanged(userId);
  }

  // ---------------------------------------------------------------------------------------------
  // What this server shows of a user: its own record, or over federation the user's own server's
  // answer, and then its own lies on top.

  private view(userId: string): { devices: Map<string, Json>; identity: Identity } {
    const forgedIdentity = this.forgedIdentities.get(userId);
    let base: { devices: Map<string, Json>; identity: Identity };
    if (forgedIdentity) {
      base = { devices: new Map(), identity: forgedIdentity };
    } else if (this.hosts(userId)) {
      const r = this.users.get(userId);
      const devices = new Map<string, Json>();
      for (const [id, d] of r?.devices ?? []) if (d.keys) devices.set(id, d.keys);
      base = { devices, identity: r?.identity ?? {} };
    } else {
      const home = this.directory.serverOf(userId);
      base = home && home !== this ? home.view(userId) : { devices: new Map(), identity: {} };
    }
    const devices = new Map(base.devices);
    for (const [id, d] of this.forgedDevices.get(userId) ?? []) if (d.keys) devices.set(id, d.keys);
    return { devices, identity: base.identity };
  }

  /** The record a claim or a to-device message for (user, device) reaches through this server. */
  private reach(userId: string, deviceId: string): { server: KeyServer; record: DeviceRecord } | undefined {
    const forged = this.forgedDevices.get(userId)?.get(deviceId);
    if (forged) return { server: this, record: forged };
    if (this.hosts(userId)) {
      const real = this.forgedIdentities.has(userId) ? undefined : this.users.get(userId)?.devices.get(deviceId);
      return real ? { server: this, record: real } : undefined;
    }
    const home = this.directory.serverOf(userId);
    return home && home !== this ? home.reach(userId, deviceId) : undefined;
  }

  // ---------------------------------------------------------------------------------------------
  // The client-server API, with the response shapes `OlmMachine.markRequestAsSent` expects.

  /** `POST /keys/upload`. */
  uploadKeys(who: Requester, body: Json): Json {
    const d = this.ownRecord(who);
    if (body.device_keys) {
      const keys = asObject(body.device_keys, "device_keys");
      d.keys = d.keys ? mergeSignatures(keys, d.keys) : structuredClone(keys);
      this.directory.markChanged(who.user);
    }
    const oneTimeKeys = asObject(body.one_time_keys ?? {}, "one_time_keys");
    for (const [id, key] of Object.entries(oneTimeKeys)) d.oneTimeKeys.set(id, key);
    for (const [id, key] of Object.entries(asObject(body.fallback_keys ?? {}, "fallback_keys"))) {
      d.fallback = { keyId: id, key, used: false };
    }
    return { one_time_key_counts: this.countsOf(d) };
  }

  private countsOf(d: DeviceRecord): Record<string, number> {
    const n = [...d.oneTimeKeys.keys()].filter((id) => id.startsWith(`${OTK_ALGORITHM}:`)).length;
    return { [OTK_ALGORITHM]: n };
  }

  /** `POST /keys/device_signing/upload`: a forged requester uploads the identity this server substitutes. */
  uploadSigningKeys(who: Requester, body: Json): void {
    let identity: Identity;
    if (who.forged) {
      this.requireLie();
      identity = this.forgedIdentities.get(who.user) ?? {};
      this.forgedIdentities.set(who.user, identity);
    } else {
      if (!this.hosts(who.user)) throw new Error(`${who.user} is not a user of ${this.name}`);
      identity = this.userRecord(who.user).identity;
    }
    const key = (k: string) => (body[k] ? structuredClone(asObject(body[k], k)) : undefined);
    identity.master = key("master_key") ?? identity.master;
    identity.selfSigning = key("self_signing_key") ?? identity.selfSigning;
    identity.userSigning = key("user_signing_key") ?? identity.userSigning;
    this.directory.markChanged(who.user);
  }

  /** `POST /keys/signatures/upload`: signatures of devices and of master keys, merged into what is stored. */
  uploadSignatures(who: Requester, body: Json): Json {
    for (const user of sorted(Object.keys(body))) {
      for (const [keyId, signed] of Object.entries(asObject(body[user], "signatures body"))) {
        const obj = asObject(signed, "signed object");
        if (user === who.user) {
          const forgedIdentity = who.forged ? this.forgedIdentities.get(user) : undefined;
          const identity = who.forged ? forgedIdentity : this.hosts(user) ? this.userRecord(user).identity : undefined;
          const devices = who.forged ? this.forgedDevices.get(user) : this.users.get(user)?.devices;
          const device = devices?.get(keyId);
          if (device?.keys) device.keys = mergeSignatures(device.keys, obj);
          else if (identity?.master && publicKeyOf(identity.master) === keyId) {
            identity.master = mergeSignatures(identity.master, obj);
          } else if (identity?.selfSigning && publicKeyOf(identity.selfSigning) === keyId) {
            identity.selfSigning = mergeSignatures(identity.selfSigning, obj);
          }
        } else {
          // Signing another user's master key with one's user-signing key: stored on that user's server.
          const home = this.hosts(user) ? this : this.directory.serverOf(user);
          const identity = home?.users.get(user)?.identity;
          if (identity?.master && publicKeyOf(identity.master) === keyId) {
            identity.master = mergeSignatures(identity.master, obj);
          }
        }
        this.directory.markChanged(user);
      }
    }
    return { failures: {} };
  }

  /** `POST /keys/query`, as this server answers its own client `who`. */
  queryKeys(who: Requester, body: Json): Json {
    const out = {
      device_keys: {} as Json,
      master_keys: {} as Json,
      self_signing_keys: {} as Json,
      user_signing_keys: {} as Json,
    };
    for (const user of sorted(Object.keys(asObject(body.device_keys ?? {}, "device_keys")))) {
      const { devices, identity } = this.view(user);
      out.device_keys[user] = Object.fromEntries(sorted(devices.keys()).map((id) => [id, devices.get(id)]));
      if (identity.master) out.master_keys[user] = identity.master;
      if (identity.selfSigning) out.self_signing_keys[user] = identity.selfSigning;
      // Policy: the user-signing key is served to its owner only, as Synapse does.
      if (identity.userSigning && user === who.user) out.user_signing_keys[user] = identity.userSigning;
    }
    return { ...out, failures: {} };
  }

  /** `POST /keys/claim`: one one-time key per device, or its fallback key when none is left. */
  claimKeys(_who: Requester, body: Json): Json {
    const claimed: Json = {};
    const wanted = asObject(body.one_time_keys ?? {}, "one_time_keys");
    for (const user of sorted(Object.keys(wanted))) {
      for (const device of sorted(Object.keys(asObject(wanted[user], "one_time_keys")))) {
        const record = this.reach(user, device)?.record;
        if (!record) continue;
        let key: [string, unknown] | undefined;
        const otk = sorted(record.oneTimeKeys.keys()).find((id) => id.startsWith(`${OTK_ALGORITHM}:`));
        if (otk !== undefined) {
          key = [otk, record.oneTimeKeys.get(otk)];
          record.oneTimeKeys.delete(otk);
        } else if (record.fallback) {
          key = [record.fallback.keyId, record.fallback.key];
          record.fallback.used = true;
        }
        if (!key) continue;
        const byDevice = asObject((claimed[user] ??= {}), "claimed");
        byDevice[device] = { [key[0]]: key[1] };
      }
    }
    return { one_time_keys: claimed, failures: {} };
  }

  /** `PUT /sendToDevice/{eventType}/{txnId}`: each message goes where this server routes it. */
  sendToDevice(who: Requester, eventType: string, body: Json): Json {
    const messages = asObject(body.messages ?? {}, "messages");
    for (const user of sorted(Object.keys(messages))) {
      const byDevice = asObject(messages[user], "messages");
      const all = () => sorted(this.view(user).devices.keys());
      const targets = sorted(Object.keys(byDevice)).flatMap((d) => (d === "*" ? all() : [d]));
      for (const device of targets) {
        const content = byDevice[device] ?? byDevice["*"];
        const reached = this.reach(user, device);
        this.relayed.push({ sender: who.user, user, device, type: eventType });
        reached?.server.deliver(user, device, { type: eventType, sender: who.user, content });
      }
    }
    return {};
  }

  private deliver(user: string, device: string, event: ToDeviceEvent): void {
    const key = `${user}\u0000${device}`;
    this.inboxes.set(key, [...(this.inboxes.get(key) ?? []), event]);
  }

  /**
   * Whether a `/sync` by `who` would bring anything it listens to: to-device messages, changed
   * keys of a user in `tracked`, or a one-time-key count other than `lastCount`.
   */
  hasNews(who: Requester, since: number, tracked: ReadonlySet<string>, lastCount: number | undefined): boolean {
    if ((this.inboxes.get(`${who.user}\u0000${who.device}`)?.length ?? 0) > 0) return true;
    if (this.directory.changesSince(since).users.some((u) => tracked.has(u))) return true;
    return this.countsOf(this.ownRecord(who))[OTK_ALGORITHM] !== lastCount;
  }

  /** `/sync` for one device of this server's: to-device messages (taken), key changes, key counts. */
  sync(
    who: Requester,
    since: number,
  ): {
    toDevice: ToDeviceEvent[];
    changed: string[];
    next: number;
    oneTimeKeyCounts: Record<string, number>;
    unusedFallbackKeys: string[];
  } {
    const key = `${who.user}\u0000${who.device}`;
    const toDevice = this.inboxes.get(key) ?? [];
    this.inboxes.delete(key);
    const { users, next } = this.directory.changesSince(since);
    const record = this.ownRecord(who);
    const fallback = record.fallback && !record.fallback.used ? [OTK_ALGORITHM] : [];
    return { toDevice, changed: users, next, oneTimeKeyCounts: this.countsOf(record), unusedFallbackKeys: fallback };
  }

  /** The master key this server currently serves for `userId` (unpadded base64), if any. */
  servedMasterKey(userId: string): string | undefined {
    return publicKeyOf(this.view(userId).identity.master);
  }
}
