/**
 * One simulated device that is a real matrix-sdk-crypto `OlmMachine` (Element's crypto). The
 * machine is a state machine without I/O: it hands out requests, and this wrapper carries them to
 * the device's `KeyServer` and reports the responses back (`markRequestAsSent`), until none is left.
 *
 * Determinism. The library draws its own keys, session IDs, transaction IDs and ciphertexts from
 * the operating system, and they differ on every run. Nothing they determine leaves this file:
 * outcomes name devices by the (user ID, device ID) pair the seeded world chose, lists are sorted
 * by those, and the JSON of events and keys is passed through without being ordered by or reported.
 */
import {
  CollectStrategy,
  DecryptionErrorCode,
  DecryptionSettings,
  DeviceId,
  DeviceLists,
  EncryptionSettings,
  KeysClaimRequest,
  KeysQueryRequest,
  KeysUploadRequest,
  OlmMachine,
  ProcessedToDeviceEventType,
  RequestType,
  RoomId,
  SignatureUploadRequest,
  ToDeviceRequest,
  TrustRequirement,
  UserId,
} from "@matrix-org/matrix-sdk-crypto-wasm";
import { decodeBase64 } from "../../core/base64.ts";
import { makeCrossSigningKey } from "../../core/cross-signing.ts";
import { signingKeyFromSeed } from "../../core/ed25519.ts";
import { type Json, type KeyServer, type Requester, type ToDeviceEvent } from "./key-server.ts";
import { loadCrypto } from "./wasm.ts";

/**
 * matrix-sdk-crypto's room-key sharing strategies (`CollectStrategy`), as matrix-js-sdk's
 * `RoomEncryptor` picks them from Element Web's device isolation mode:
 * - `all-devices`: `AllDevicesIsolationMode(false)`, Element Web's default today;
 * - `error-on-verified-user-problem`: `AllDevicesIsolationMode(true)`, the default Element plans
 *   (element-meta#2492): as all-devices, but sharing fails if a verified user changed identity
 *   or has a device they did not sign;
 * - `identity-based`: `OnlySignedDevicesIsolationMode`, the "exclude insecure devices" setting
 *   (MSC4153): only devices their owner's identity signed.
 */
export type SharingStrategy = "all-devices" | "error-on-verified-user-problem" | "identity-based";

/** Private cross-signing keys: 32-byte Ed25519 seeds, unpadded standard base64 (the library's export format). */
export interface CrossSigningSeeds {
  master: string;
  selfSigning: string;
  userSigning: string;
}

/**
 * Who got what from one `shareRoomKey`, by `user|device` label, sorted. Only what this call sent:
 * devices that already hold the current session are not sent it again (a device added later gets
 * it at the current message index, so it cannot read earlier messages: `UnknownMessageIndex`).
 */
export interface ShareOutcome {
  /** Devices sent the room key (an Olm-encrypted `m.room_key`) by this call. */
  keyTo: string[];
  /** Devices sent `m.room_key.withheld`, with its code (`m.unverified`, `m.blacklisted`, ...). */
  withheldTo: { device: string; code: string }[];
  /** The library refused to share at all (nothing was sent, nothing can be encrypted), and why. */
  refused?: ShareRefusal;
}

/**
 * Why `shareRoomKey` failed (matrix-sdk-crypto's `SessionRecipientCollectionError`, named from its
 * message): a verified user's identity changed, a verified user has a device they did not sign,
 * the sender has no cross-signing identity (identity-based sharing needs one), or anything else.
 */
export type ShareRefusal =
  | "verified-user-changed-identity"
  | "verified-user-unsigned-device"
  | "sender-not-cross-signed"
  | "other";

function refusalOf(e: unknown): ShareRefusal {
  const m = String(e);
  if (/verified have changed their identity/.test(m)) return "verified-user-changed-identity";
  if (/verified .*unsigned device|unsigned devices/.test(m)) return "verified-user-unsigned-device";
  if (/cross.?signing/i.test(m)) return "sender-not-cross-signed";
  return "other";
}

/** What a machine believes about another user's cross-signing identity. */
export interface IdentityView {
  /** The master key it has (unpadded base64). */
  master: string;
  /** Verified by this user (signed with their user-signing key). */
  verified: boolean;
  /** Changed since first seen, and not yet accepted (the library's TOFU pin). */
  needsApproval: boolean;
  /** Was verified, and has since been replaced. */
  violation: boolean;
}

export type DecryptOutcome =
  | { ok: true; sender: string; content: unknown }
  | { ok: false; code: keyof typeof DecryptionErrorCode | "Error"; withheld?: string };

/** A room message as a homeserver serves it, the shape `decryptRoomEvent` needs. */
export interface RoomEvent {
  event_id: string;
  sender: string;
  origin_server_ts: number;
  type: "m.room.encrypted";
  room_id: string;
  content: unknown;
}

/** What one `/sync` brought: counted, and withheld notices named by sender and code. */
export interface SyncOutcome {
  decrypted: number;
  undecryptable: number;
  withheld: { sender: string; code: string }[];
}

export interface DeviceOptions {
  /**
   * The sender trust a received message needs (`DecryptionSettings`). Element's default is
   * `Untrusted`; its "exclude insecure devices" mode (MSC4153) uses `CrossSignedOrLegacy`.
   */
  trust?: TrustRequirement;
}

/** A bound on request rounds per pump: a machine that keeps asking is a bug here, never a hang. */
const MAX_ROUNDS = 50;

function label(user: string, device: string): string {
  return `${user}|${device}`;
}

function byLabel(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function users(ids: readonly string[]): UserId[] {
  // Fresh objects on every call: the library consumes (frees) the UserIds it is given.
  return ids.map((u) => new UserId(u));
}

/** The public cross-signing keys for `seeds`, signed by the master key as the spec requires. */
function publicIdentity(user: string, seeds: CrossSigningSeeds): Json {
  const key = (b64: string) => {
    const seed = decodeBase64(b64, { expectedLength: 32 });
    if (!seed.ok) throw new Error(`cross-signing seed for ${user} is not 32 bytes of base64`);
    return signingKeyFromSeed(seed.value);
  };
  const master = key(seeds.master);
  return {
    master_key: makeCrossSigningKey(user, "master", master),
    self_signing_key: makeCrossSigningKey(user, "self_signing", key(seeds.selfSigning), master),
    user_signing_key: makeCrossSigningKey(user, "user_signing", key(seeds.userSigning), master),
  };
}

function strategyOf(s: SharingStrategy): CollectStrategy {
  if (s === "identity-based") return CollectStrategy.identityBasedStrategy();
  if (s === "error-on-verified-user-problem") return CollectStrategy.errorOnUnverifiedUserProblem();
  return CollectStrategy.allDevices();
}

export class ElementDevice {
  /** Change-stream position of the last sync. */
  private since = 0;
  /** Users this machine tracks (as given to it), and the one-time-key count its last sync reported. */
  private readonly tracked = new Set<string>();
  private lastCount: number | undefined;
  /** Rooms whose outbound session was shared by the last `shareRoomKey` (encrypting needs one). */
  private readonly shared = new Set<string>();
  private readonly withheldSeen: { sender: string; code: string }[] = [];

  private constructor(
    readonly user: string,
    readonly device: string,
    readonly server: KeyServer,
    readonly machine: OlmMachine,
    readonly forged: boolean,
    private readonly options: DeviceOptions,
  ) {
    // Policy: a device always listens to its own user's key changes (the library tracks its own user).
    this.tracked.add(user);
    machine.registerRoomKeysWithheldCallback(async (infos) => {
      for (const i of infos) this.withheldSeen.push({ sender: i.sender.toString(), code: i.withheldCode });
    });
  }

  /** Every `m.room_key.withheld` this device has received, by sender and code, in arrival order. */
  get withheldNotices(): readonly { sender: string; code: string }[] {
    return [...this.withheldSeen];
  }

  get label(): string {
    return label(this.user, this.device);
  }

  private get requester(): Requester {
    return { user: this.user, device: this.device, forged: this.forged };
  }

  /** A device of `user`, registered honestly on its home server; its keys are uploaded before this returns. */
  static async create(
    server: KeyServer,
    user: string,
    device: string,
    options: DeviceOptions = {},
  ): Promise<ElementDevice> {
    await loadCrypto();
    const machine = await OlmMachine.initialize(new UserId(user), new DeviceId(device));
    const d = new ElementDevice(user, device, server, machine, false, options);
    await d.pump();
    return d;
  }

  /**
   * A device the lying `server` makes and lists for `user` (a real `OlmMachine` the adversary
   * holds). With `substituteIdentity`, the server also makes a new cross-signing identity for the
   * user, signs this device with it, and serves that identity instead of the real one: the
   * identity drawn from `substituteIdentity` seeds if given (the world adversary's own substitute
   * MSK, so that what MSC3917 events carry and what the library sees agree), else a random one.
   */
  static async forge(
    server: KeyServer,
    user: string,
    device: string,
    opts: { substituteIdentity?: boolean | CrossSigningSeeds } & DeviceOptions = {},
  ): Promise<ElementDevice> {
    await loadCrypto();
    const machine = await OlmMachine.initialize(new UserId(user), new DeviceId(device));
    const d = new ElementDevice(user, device, server, machine, true, opts);
    await d.pump();
    if (opts.substituteIdentity) {
      server.substituteIdentity(user);
      await d.bootstrapCrossSigning(opts.substituteIdentity === true ? undefined : opts.substituteIdentity);
    }
    return d;
  }

  /** Carry the machine's outgoing requests to the server and report the answers, until it has none. */
  async pump(): Promise<void> {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const requests = await this.machine.outgoingRequests();
      if (requests.length === 0) return;
      for (const r of requests) await this.send(r);
    }
    throw new Error(`${this.label}: still sending requests after ${MAX_ROUNDS} rounds`);
  }

  private async send(r: Awaited<ReturnType<OlmMachine["outgoingRequests"]>>[number]): Promise<void> {
    const who = this.requester;
    let response: Json;
    let type: RequestType;
    if (r instanceof KeysUploadRequest) {
      [response, type] = [this.server.uploadKeys(who, JSON.parse(r.body)), RequestType.KeysUpload];
    } else if (r instanceof KeysQueryRequest) {
      [response, type] = [this.server.queryKeys(who, JSON.parse(r.body)), RequestType.KeysQuery];
    } else if (r instanceof KeysClaimRequest) {
      [response, type] = [this.server.claimKeys(who, JSON.parse(r.body)), RequestType.KeysClaim];
    } else if (r instanceof ToDeviceRequest) {
      [response, type] = [this.server.sendToDevice(who, r.event_type, JSON.parse(r.body)), RequestType.ToDevice];
    } else if (r instanceof SignatureUploadRequest) {
      [response, type] = [this.server.uploadSignatures(who, JSON.parse(r.body)), RequestType.SignatureUpload];
    } else {
      throw new Error(`${this.label}: the key server does not serve ${r.constructor.name}`);
    }
    // Requests built locally (bootstrap) have no ID and are not marked.
    if (r.id !== undefined) await this.machine.markRequestAsSent(r.id, type, JSON.stringify(response));
  }

  /**
   * Cross-signing for this device's user. With no seeds (the user's first device), the library
   * makes a new identity. With `seeds`, the device imports those private keys first and then
   * re-uploads that same identity and signs itself with it: this is how a later device of the
   * same user becomes cross-signed, and how the world's own seeded MSK can be the library's.
   * Called again with new seeds, it resets the user's identity (the world's `reset_msk`): the new
   * keys replace the old on the server, and only this device is signed by them.
   */
  async bootstrapCrossSigning(seeds?: CrossSigningSeeds): Promise<void> {
    if (seeds) {
      // The library imports private keys only if they match the public identity it has downloaded
      // for its own user, so that identity is on the server first (a later device finds it there;
      // for the first device this uploads the world's seeded keys), and the device queries it.
      this.server.uploadSigningKeys(this.requester, publicIdentity(this.user, seeds));
      await this.machine.markAllTrackedUsersAsDirty();
      await this.track([this.user]);
      const status = await this.machine.importCrossSigningKeys(seeds.master, seeds.selfSigning, seeds.userSigning);
      if (!status.hasMaster || !status.hasSelfSigning || !status.hasUserSigning) {
        throw new Error(`${this.label}: the library refused the imported cross-signing keys`);
      }
    }
    const requests = await this.machine.bootstrapCrossSigning(!seeds);
    if (requests.uploadKeysRequest) await this.send(requests.uploadKeysRequest);
    // Measured: after an import, the library's own upload request carries the subkeys without the
    // master key's signatures, so it would replace the signed identity already published with an
    // unusable one (other machines then see no identity). Only a new identity is uploaded from it.
    if (!seeds) this.server.uploadSigningKeys(this.requester, JSON.parse(requests.uploadSigningKeysRequest.body));
    await this.send(requests.uploadSignaturesRequest);
    await this.pump();
  }

  /**
   * Sign another device of this user with this device's self-signing key (what "verify this new
   * login" does in Element): the other way for a later device to become cross-signed, with no
   * private keys given to it.
   */
  async signOwnDevice(deviceId: string): Promise<void> {
    await this.sync(); // to hear of the new device
    const device = await this.machine.getDevice(new UserId(this.user), new DeviceId(deviceId));
    if (!device) throw new Error(`${this.label}: no device ${deviceId} of its own user`);
    await this.send(await device.verify());
    await this.pump();
  }

  /** The private cross-signing keys this device holds, to give a later device of the same user. */
  async exportCrossSigning(): Promise<CrossSigningSeeds> {
    const e = await this.machine.exportCrossSigningKeys();
    if (!e?.masterKey || !e.self_signing_key || !e.userSigningKey) {
      throw new Error(`${this.label}: no cross-signing keys`);
    }
    return { master: e.masterKey, selfSigning: e.self_signing_key, userSigning: e.userSigningKey };
  }

  /** Start tracking users' devices (a client does so for the members of its encrypted rooms). */
  async track(userIds: readonly string[]): Promise<void> {
    for (const u of userIds) this.tracked.add(u);
    await this.machine.updateTrackedUsers(users(userIds));
    await this.pump();
  }

  /** Whether the next `/sync` would bring anything. */
  get hasNews(): boolean {
    return this.server.hasNews(this.requester, this.since, this.tracked, this.lastCount);
  }

  /** One `/sync`: to-device messages, `device_lists.changed`, key counts; then the requests they cause. */
  async sync(): Promise<SyncOutcome> {
    const s = this.server.sync(this.requester, this.since);
    this.since = s.next;
    this.lastCount = s.oneTimeKeyCounts.signed_curve25519;
    const before = this.withheldSeen.length;
    const processed = await this.machine.receiveSyncChanges(
      JSON.stringify(s.toDevice satisfies ToDeviceEvent[]),
      new DeviceLists(users(s.changed), []),
      new Map(Object.entries(s.oneTimeKeyCounts)),
      new Set(s.unusedFallbackKeys),
    );
    await this.pump();
    let decrypted = 0;
    let undecryptable = 0;
    for (const p of processed) {
      if (p.type === ProcessedToDeviceEventType.Decrypted) decrypted++;
      if (p.type === ProcessedToDeviceEventType.UnableToDecrypt) undecryptable++;
    }
    return { decrypted, undecryptable, withheld: this.withheldSeen.slice(before) };
  }

  /**
   * Share the room's outbound session with `members` (user IDs) as the library decides under
   * `strategy`: query their devices, claim one-time keys for missing Olm sessions, then send the
   * to-device messages `shareRoomKey` returns through the server. The library rotates the session
   * itself when a user it was shared with is no longer in `members`.
   */
  async shareRoomKey(roomId: string, members: readonly string[], strategy: SharingStrategy): Promise<ShareOutcome> {
    const ids = [...new Set(members)].sort(byLabel);
    this.shared.delete(roomId);
    for (const u of ids) this.tracked.add(u);
    await this.machine.updateTrackedUsers(users(ids));
    await this.pump();
    const claim = await this.machine.getMissingSessions(users(ids));
    if (claim) await this.send(claim);
    const settings = new EncryptionSettings();
    settings.sharingStrategy = strategyOf(strategy);
    let requests: ToDeviceRequest[];
    try {
      requests = await this.machine.shareRoomKey(new RoomId(roomId), users(ids), settings);
    } catch (e) {
      return { keyTo: [], withheldTo: [], refused: refusalOf(e) };
    }
    const keyTo: string[] = [];
    const withheldTo: { device: string; code: string }[] = [];
    for (const r of requests) {
      const body = JSON.parse(r.body) as { messages: Record<string, Record<string, { code?: string }>> };
      for (const [u, byDevice] of Object.entries(body.messages)) {
        for (const [d, content] of Object.entries(byDevice)) {
          const device = label(u, d);
          if (r.event_type === "m.room_key.withheld") withheldTo.push({ device, code: String(content.code) });
          else keyTo.push(device);
        }
      }
      await this.send(r);
    }
    this.shared.add(roomId);
    return { keyTo: keyTo.sort(byLabel), withheldTo: withheldTo.sort((a, b) => byLabel(a.device, b.device)) };
  }

  /**
   * Encrypt a room message: share first (as Element does before every send), then encrypt. The
   * library panics, uncatchably, when asked to encrypt without a shared session, so encrypting is
   * only reachable through a share that succeeded.
   */
  async encrypt(
    roomId: string,
    members: readonly string[],
    strategy: SharingStrategy,
    content: Json,
  ): Promise<{ share: ShareOutcome; content?: Json }> {
    const share = await this.shareRoomKey(roomId, members, strategy);
    if (share.refused || !this.shared.has(roomId)) return { share };
    const room = new RoomId(roomId);
    const encrypted = await this.machine.encryptRoomEvent(room, "m.room.message", JSON.stringify(content));
    return { share, content: JSON.parse(encrypted) as Json };
  }

  /** Discard the room's outbound session: the next share makes a new one. */
  async rotate(roomId: string): Promise<void> {
    this.shared.delete(roomId);
    await this.machine.invalidateGroupSession(new RoomId(roomId));
  }

  /** Try to read a room message. Never throws: failures come back with the library's error code. */
  async decrypt(event: RoomEvent): Promise<DecryptOutcome> {
    // Policy: Element's default trust requirement is `Untrusted` (it decrypts, and shows a shield);
    // a model that wants MSC4153's "exclude insecure devices" passes `CrossSignedOrLegacy`.
    const settings = new DecryptionSettings(this.options.trust ?? TrustRequirement.Untrusted);
    try {
      const d = await this.machine.decryptRoomEvent(JSON.stringify(event), new RoomId(event.room_id), settings);
      const parsed = JSON.parse(d.event) as { content?: unknown };
      return { ok: true, sender: d.sender.toString(), content: parsed.content };
    } catch (e) {
      const err = e as { code?: unknown; withheldCode?: unknown };
      if (typeof err.code === "number" && DecryptionErrorCode[err.code] !== undefined) {
        const code = DecryptionErrorCode[err.code] as keyof typeof DecryptionErrorCode;
        return { ok: false, code, ...(typeof err.withheldCode === "string" ? { withheld: err.withheldCode } : {}) };
      }
      return { ok: false, code: "Error" };
    }
  }

  /**
   * Verify `userId` out of band (as after an emoji comparison): sign the master key this machine
   * has for them with this user's user-signing key. Needs this device to hold that private key.
   */
  async verifyUser(userId: string): Promise<void> {
    const identity = await this.machine.getIdentity(new UserId(userId));
    if (!identity) throw new Error(`${this.label}: no identity known for ${userId}`);
    await this.send(await identity.verify());
    // The library learns the signature as other clients do: the user's keys changed; query again.
    await this.sync();
  }

  /**
   * What this machine thinks of `userId`'s identity: the master key it has, whether it changed
   * since first seen (`needsApproval`, the library's TOFU pin) and whether a verified identity
   * was replaced (`violation`).
   */
  async identityOf(userId: string): Promise<IdentityView | undefined> {
    const identity = await this.machine.getIdentity(new UserId(userId));
    if (!identity) return undefined;
    const master = this.masterPublic(identity.masterKey) ?? "";
    const needsApproval = "identityNeedsUserApproval" in identity ? identity.identityNeedsUserApproval() : false;
    return { master, verified: identity.isVerified(), needsApproval, violation: identity.hasVerificationViolation() };
  }

  /**
   * The users whose master key, as this machine has it, is not the one `expected` names (e.g. the
   * MSK the MSC3917 verifier verified from the membership tree), sorted; a user the machine has
   * no identity for counts as a mismatch. Track the users first, so that their keys are queried.
   */
  async masterKeyMismatches(expected: ReadonlyMap<string, string>): Promise<{ user: string; library?: string }[]> {
    const out: { user: string; library?: string }[] = [];
    for (const user of [...expected.keys()].sort(byLabel)) {
      const library = await this.masterKeyOf(user);
      if (library !== expected.get(user)) out.push(library === undefined ? { user } : { user, library });
    }
    return out;
  }

  /** The master key (unpadded base64) this machine believes `userId` has, after its last query. */
  async masterKeyOf(userId: string): Promise<string | undefined> {
    const identity = await this.machine.getIdentity(new UserId(userId));
    return identity?.masterKey ? this.masterPublic(identity.masterKey) : undefined;
  }

  private masterPublic(masterJson: string): string | undefined {
    const keys = (JSON.parse(masterJson) as { keys?: Record<string, string> }).keys ?? {};
    return Object.values(keys)[0];
  }

  /** Whether this machine sees (user, device) as cross-signed by its owner's identity. */
  async crossSignedByOwner(userId: string, deviceId: string): Promise<boolean | undefined> {
    const d = await this.machine.getDevice(new UserId(userId), new DeviceId(deviceId));
    return d?.isCrossSignedByOwner();
  }

  /** Devices this machine knows for `userId`, by label, sorted. */
  async devicesOf(userId: string): Promise<string[]> {
    const devices = await this.machine.getUserDevices(new UserId(userId));
    return devices
      .devices()
      .map((d) => label(userId, d.deviceId.toString()))
      .sort(byLabel);
  }

  close(): void {
    this.machine.close();
  }
}

/**
 * Sync `devices` (in label order) until none has anything new: each sync may send to-device
 * messages or change keys that the others must see. Bounded, so a bug cannot hang a run.
 */
export async function settle(devices: readonly ElementDevice[], maxRounds = 10): Promise<void> {
  const ordered = [...devices].sort((a, b) => byLabel(a.label, b.label));
  for (let round = 0; round < maxRounds; round++) {
    const waiting = ordered.filter((d) => d.hasNews);
    if (waiting.length === 0) return;
    for (const d of waiting) await d.sync();
  }
  throw new Error(`devices still busy after ${maxRounds} sync rounds`);
}
