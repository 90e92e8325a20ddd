/**
 * The Element models (DESIGN.md §6; issue 16): adapters that run the world's clients and the
 * adversary's devices on the engine in this folder, so that every simulated device of these
 * models is a real matrix-sdk-crypto `OlmMachine` (`ElementDevice`), and who gets a room key is
 * what the library decides.
 * - `element-all-devices`: the client hands the machine the members its server reports, and the
 *   machine shares with every device listed for them (`CollectStrategy.allDevices`).
 * - `element-identity-based`: the same members; the machine shares only with devices their
 *   owner's identity signed (`identityBasedStrategy`, MSC4153's "exclude insecure devices").
 * - `msc3917-on-element`: the client hands the machine only the members MSC3917's verifier
 *   verifies, and of those only the ones whose master key, as the library has it, is the one the
 *   verifier verified; the machine shares identity-based. This is how a real client would adopt
 *   MSC3917.
 *
 * The world and the library. Each run's world gets one `KeyDirectory`, one `KeyServer` per world
 * homeserver (lying only if that server has `lieAboutKeys`) and one `ElementDevice` per world
 * device, named by the world's user and device IDs. The world tells the model of its key changes
 * (`KeyEvents`): an identity published or reset (the world's seeded MSK and SSK are imported, so
 * the MSC3917 verifier and the library agree on the MSK; the world has no user-signing key, so one
 * is drawn from a labelled draw of a PRNG seeded from the world's seed, leaving the world's own
 * draws as under every other model), a device added, a device a server inserted (`forge`), an
 * identity a server substituted (`forge` with the adversary's seeds), an out-of-band verification
 * (`verifyUser`). Messages are encrypted with `encryptRoomEvent` and sent through the world's
 * homeserver; every device, honest or the adversary's, tries `decryptRoomEvent` on what it can
 * reach, and each success is recorded as `op: "decrypt"`, which is all the oracle reads.
 *
 * Determinism: the library's own keys, session IDs and ciphertexts are random; nothing they decide
 * reaches the history except through the world's names (user and device IDs, message IDs), and
 * sessions are recorded by a counted label, never by the library's session ID.
 */
import { TrustRequirement } from "@matrix-org/matrix-sdk-crypto-wasm";
import { decodeBase64, encodeBase64 } from "../../core/base64.ts";
import type { JsonObject } from "../../core/canonical-json.ts";
import type { Ed25519Backend } from "../../core/ed25519.ts";
import { verifyMembership } from "../../core/verify-membership.ts";
import type {
  Awaitable,
  DecryptedMessage,
  DefenceModel,
  DeviceInputs,
  IdentityKeys,
  KeyEvents,
  ModelClient,
  Recipient,
  RoomObservation,
  Transport,
} from "../../world/defence-model.ts";
import { plainDefence } from "../../world/defence-model.ts";
import type { Homeserver } from "../../world/homeserver.ts";
import { Rng } from "../../world/rng.ts";
import type { World } from "../../world/world.ts";
import { joinedUsers } from "../shared.ts";
import { type CrossSigningSeeds, ElementDevice, type SharingStrategy } from "./device.ts";
import { KeyDirectory, type KeyServer } from "./key-server.ts";

/** How one Element model configures the library and picks the members it hands it. */
interface ElementConfig {
  id: string;
  description: string;
  strategy: SharingStrategy;
  trust: TrustRequirement;
  msc3917: boolean;
}

/** A recipient entry that names a member, not a device: the library picks the devices. */
const ANY_DEVICE = "*";

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function sameKey(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  const x = decodeBase64(a, { expectedLength: 32 });
  const y = decodeBase64(b, { expectedLength: 32 });
  // Policy: keys are compared as bytes, never as the text given (README, base64).
  return x.ok && y.ok && Buffer.compare(x.value, y.value) === 0;
}

/** The library side of one world: key servers, a machine per device, and the work the world's key changes queue. */
class ElementWorld implements KeyEvents {
  private readonly directory = new KeyDirectory();
  private readonly keyServers = new Map<string, KeyServer>();
  /** Every machine, honest or the adversary's, by the world's `user/device` label. */
  readonly devices = new Map<string, ElementDevice>();
  /** Each user's registered (not forged) machines, in the order they were made. */
  private readonly own = new Map<string, ElementDevice[]>();
  /** Each user's current identity, as private seeds the library imports. */
  private readonly seeds = new Map<string, CrossSigningSeeds>();
  private readonly substitutedFor = new Set<string>();
  private readonly rng: Rng;
  private queue: Promise<void> = Promise.resolve();
  /** Per sender device and room: the library's last session ID, its counted label, and who was given it. */
  readonly sessions = new Map<string, { libraryId: string; label: string; sharedWith: Set<string> }>();
  private sessionCount = 0;

  constructor(
    readonly world: World,
    readonly config: ElementConfig,
  ) {
    this.rng = new Rng(`${world.rng.seed} element user-signing keys`);
  }

  /** Run after everything queued so far; a failure surfaces at the next `ready()`, loudly. */
  private enqueue(work: () => Promise<void>): void {
    this.queue = this.queue.then(work);
  }

  /** Everything the world's key changes queued is done. */
  ready(): Promise<void> {
    return this.queue;
  }

  private keyServer(server: Homeserver): KeyServer {
    let ks = this.keyServers.get(server.name);
    if (!ks) {
      ks = this.directory.server(server.name, { lieAboutKeys: server.capabilities.lieAboutKeys === true });
      this.keyServers.set(server.name, ks);
    }
    return ks;
  }

  private seedsOf(user: string, keys: IdentityKeys, label: string): CrossSigningSeeds {
    return {
      master: encodeBase64(keys.msk.seed),
      selfSigning: encodeBase64(keys.ssk.seed),
      userSigning: encodeBase64(this.rng.bytes(`element user-signing key ${label} ${user}`, 32)),
    };
  }

  // Policy: the adversary's devices decrypt whatever they can (`Untrusted`): the attacker is not
  // bound by the honest clients' trust requirement.
  private options(honest = true) {
    return { trust: honest ? this.config.trust : TrustRequirement.Untrusted };
  }

  identity(server: Homeserver, user: string, keys: IdentityKeys): void {
    const seeds = this.seedsOf(user, keys, "identity");
    this.seeds.set(user, seeds);
    // A new identity (a reset) re-signs the user's existing devices, as the world's client does.
    this.enqueue(async () => {
      for (const d of this.own.get(user) ?? []) await importOwnKeys(d, seeds);
    });
    void server;
  }

  device(server: Homeserver, user: string, device: string, honest: boolean): void {
    const ks = this.keyServer(server);
    this.enqueue(async () => {
      const d = this.register(`${user}/${device}`, await ElementDevice.create(ks, user, device, this.options(honest)));
      const seeds = this.seeds.get(user);
      if (seeds) await importOwnKeys(d, seeds);
      this.own.set(user, [...(this.own.get(user) ?? []), d]);
    });
  }

  inserted(server: Homeserver, user: string, device: string): void {
    const ks = this.keyServer(server);
    this.enqueue(async () => {
      this.register(`${user}/${device}`, await ElementDevice.forge(ks, user, device, this.options(false)));
    });
  }

  substituted(server: Homeserver, user: string, keys: IdentityKeys, device: string): void {
    const key = `${server.name}\u0000${user}`;
    if (this.substitutedFor.has(key)) return;
    this.substitutedFor.add(key);
    const ks = this.keyServer(server);
    const seeds = this.seedsOf(user, keys, `substitute by ${server.name}`);
    this.enqueue(async () => {
      this.register(
        `${user}/${device}`,
        await ElementDevice.forge(ks, user, device, { substituteIdentity: seeds, ...this.options(false) }),
      );
    });
  }

  verified(user: string, other: string, msk: Uint8Array): void {
    this.enqueue(async () => {
      const d = this.own.get(user)?.[0];
      if (!d) return;
      if (d.hasNews) await d.sync();
      await d.track([other]);
      // Policy: out-of-band verification (an emoji comparison) compares the real MSK with the one
      // the library has; if the server substituted it, the comparison fails and nothing is
      // signed. Otherwise the user's user-signing key signs it (`verifyUser`); a device whose own
      // cross-signing keys the library refused (its server substituted the user's identity: see
      // importOwnKeys) holds no user-signing key, and the library refuses to sign: nothing is signed.
      if (sameKey(await d.masterKeyOf(other), encodeBase64(msk)))
        await d.verifyUser(other).catch((e: Error) => {
          if (!/signing key is missing from the object that signed/.test(e.message ?? "")) throw e;
        });
    });
  }

  /**
   * Policy: no machine sends room key requests, as Element Web has not since matrix-js-sdk 30.3
   * ("Element-R: disable sending room key requests", #3939). With them on, a user's new device
   * asks the user's older ones for the keys of messages sent before it existed and gets them: what
   * the oracle counts as a breach, by an honest device. The adversary's devices are set alike, so
   * only sharing decides who reads (a request-based attack would be a threat of its own).
   */
  private register(key: string, d: ElementDevice): ElementDevice {
    d.machine.roomKeyRequestsEnabled = false;
    this.devices.set(key, d);
    return d;
  }

  /** The machine of a world device (undefined for an adversary device the library never saw listed). */
  machineOf(user: string, device: string): ElementDevice | undefined {
    return this.devices.get(`${user}/${device}`);
  }

  /** A counted label for the library's session `libraryId` of `sender` in `roomId`; a new one starts a new shared-with set. */
  session(sender: string, roomId: string, libraryId: string) {
    const key = `${sender}\u0000${roomId}`;
    let s = this.sessions.get(key);
    if (!s || s.libraryId !== libraryId) {
      s = { libraryId, label: `element session ${++this.sessionCount}`, sharedWith: new Set() };
      this.sessions.set(key, s);
    }
    return s;
  }
}

/** One transport per client (or, with no owner, per adversary device): the library encrypts and decrypts. */
class ElementTransport implements Transport {
  /** Users each reading machine was told to track. */
  private readonly tracking = new WeakMap<ElementDevice, Set<string>>();

  constructor(
    private readonly ew: ElementWorld,
    private readonly owner: ModelClient | null,
  ) {}

  async send(roomId: string, messageId: string, payload: JsonObject, recipients: readonly Recipient[]): Promise<void> {
    const me = this.owner;
    if (!me) throw new Error("this transport only reads");
    await this.ew.ready();
    const device = me.devices[0]!;
    const sender = this.ew.machineOf(me.userId, device.id);
    if (!sender) throw new Error(`element: no machine for ${me.userId}/${device.id}`);
    if (recipients.some((r) => r.device !== ANY_DEVICE))
      throw new Error("element: the model hands the library members, not devices");
    const members = [...new Set([me.userId, ...recipients.map((r) => r.user)])].sort(byCodePoint);
    if (sender.hasNews) await sender.sync(); // hear of key changes first
    const { share, content } = await sender.encrypt(roomId, members, this.ew.config.strategy, payload);
    const { history, clock } = this.ew.world;
    if (!content) {
      // Policy: when the library refuses to share (a verified user's identity changed), the message
      // cannot be encrypted and is not sent: recorded as sent to no device, so the oracle counts
      // every legitimate member it did not reach.
      history.record({
        op: "send",
        t: clock.now(),
        room: roomId,
        sender: me.userId,
        message: messageId,
        session: "none",
        recipients: [],
      });
      return;
    }
    const session = this.ew.session(me.userId, roomId, String(content.session_id));
    for (const label of share.keyTo) {
      const to = label.replace("|", "/");
      session.sharedWith.add(to);
      history.record({ op: "share_key", t: clock.now(), room: roomId, from: me.userId, to, session: session.label });
    }
    const e = me.server.sendMessage(me.userId, roomId, content as JsonObject);
    device.read.add(e.event_id);
    const sharedWith = [...session.sharedWith].sort(byCodePoint);
    history.record({
      op: "send",
      t: clock.now(),
      room: roomId,
      sender: me.userId,
      message: messageId,
      session: session.label,
      recipients: sharedWith,
    });
  }

  async read(inputs: DeviceInputs, onMessage?: (m: DecryptedMessage) => Awaitable<void>): Promise<void> {
    await this.ew.ready();
    const { owner, device } = inputs;
    const machine = this.ew.machineOf(owner, device.id);
    if (!machine) return; // an adversary device no server lists: nobody can share with it
    const unread = inputs.rooms.flatMap((roomId) =>
      inputs
        .messagesOf(roomId)
        .filter((e) => e.type === "m.room.encrypted" && !device.read.has(e.event_id))
        .map((e) => ({ roomId, e })),
    );
    if (unread.length === 0) return;
    // A client tracks the members of its rooms; a message's sender is one (the trust requirement
    // needs the sender's device keys).
    let tracked = this.tracking.get(machine);
    if (!tracked) this.tracking.set(machine, (tracked = new Set()));
    const senders = [...new Set(unread.map(({ e }) => e.sender))].filter((u) => !tracked.has(u)).sort(byCodePoint);
    for (const u of senders) tracked.add(u);
    if (senders.length > 0) await machine.track(senders);
    if (machine.hasNews) await machine.sync();
    {
      for (const { roomId, e } of unread) {
        const event = {
          event_id: e.event_id,
          sender: e.sender,
          origin_server_ts: e.origin_server_ts,
          type: "m.room.encrypted" as const,
          room_id: roomId,
          content: e.content,
        };
        const r = await machine.decrypt(event);
        if (!r.ok) continue;
        device.read.add(e.event_id);
        const payload = r.content as JsonObject & { id?: unknown };
        if (typeof payload?.id !== "string") continue;
        await onMessage?.({ roomId, eventId: e.event_id, sender: e.sender, payload });
        const { history, clock } = this.ew.world;
        history.record({
          op: "decrypt",
          t: clock.now(),
          room: roomId,
          device: `${owner}/${device.id}`,
          message: payload.id,
          honest: inputs.honest,
        });
      }
    }
  }
}

/** The members the verifier verifies, with the MSK each was verified with. */
function verifiedMembers(obs: RoomObservation, backend: Ed25519Backend): Map<string, string> {
  const result = verifyMembership(
    { roomRootKey: obs.rrk, state: obs.view.state, events: obs.view.events },
    { pinned: obs.pins, chains: "length", backend },
  );
  const out = new Map<string, string>();
  for (const [user, verdict] of Object.entries(result.members))
    if (verdict.status === "verified") out.set(user, verdict.msk);
  return out;
}

const asRecipients = (users: readonly string[]): Recipient[] =>
  [...users].sort(byCodePoint).map((user) => ({ user, device: ANY_DEVICE, curve25519: "" }));

function elementModel(config: ElementConfig): DefenceModel {
  const worlds = new WeakMap<World, ElementWorld>();
  const of = (world: World): ElementWorld => {
    let ew = worlds.get(world);
    if (!ew) worlds.set(world, (ew = new ElementWorld(world, config)));
    return ew;
  };
  return {
    id: config.id,
    description: config.description,
    checksRoomKeys: config.msc3917,
    keyEvents: of,
    transport: (owner, world) => new ElementTransport(of(world), owner),
    client(owner) {
      const ew = of(owner.world);
      if (!config.msc3917) return plainDefence((obs) => asRecipients(joinedUsers(obs)));
      return plainDefence(async (obs) => {
        const verified = verifiedMembers(obs, owner.world.ed25519);
        await ew.ready();
        const machine = ew.machineOf(owner.userId, owner.devices[0]!.id);
        if (!machine) return [];
        const others = [...verified.keys()].filter((u) => u !== owner.userId);
        if (machine.hasNews) await machine.sync();
        await machine.track(others);
        // Policy: a verified member whose master key, as the library has it, is not the MSK the
        // verifier verified (the server serves another identity, or the library has not yet seen
        // a reset) is left out of the member list, silently: no alarm, since an honest reset the
        // library has not caught up with looks the same. Their devices get no key.
        const mismatched = new Set(
          (await machine.masterKeyMismatches(new Map(others.map((u) => [u, verified.get(u)!])))).map((m) => m.user),
        );
        return asRecipients(others.filter((u) => !mismatched.has(u)));
      });
    },
  };
}

// Policy: the library's identity flags (`needsApproval`, a verification violation) are not alarms
// in these models: they fire on honest MSK resets as on substitutions (element.test.ts), so as
// alarms they could not tell an attack from a reset. What the library does with them (refusing to
// share with a verified user whose identity changed, under identity-based sharing) is measured.
//
// Policy: the decryption trust requirement is Element's default, `Untrusted`, under all-devices;
// `CrossSignedOrLegacy` (MSC4153's "exclude insecure devices") under identity-based sharing. It
// governs what honest devices accept from others, so it never changes a breach, which is about
// what an attacker device reads.
export const elementAllDevices = elementModel({
  id: "element-all-devices",
  description:
    "matrix-sdk-crypto (real), all-devices sharing: every device the server lists for every member it reports",
  strategy: "all-devices",
  trust: TrustRequirement.Untrusted,
  msc3917: false,
});

export const elementIdentityBased = elementModel({
  id: "element-identity-based",
  description: "matrix-sdk-crypto (real), identity-based sharing: only devices their owner's identity signed",
  strategy: "identity-based",
  trust: TrustRequirement.CrossSignedOrLegacy,
  msc3917: false,
});

export const msc3917OnElement = elementModel({
  id: "msc3917-on-element",
  description:
    "matrix-sdk-crypto (real), identity-based, given only members the MSC3917 verifier verifies with the library's MSK",
  strategy: "identity-based",
  trust: TrustRequirement.CrossSignedOrLegacy,
  msc3917: true,
});

/**
 * Policy: a device imports its user's own cross-signing keys only if they match the identity the
 * server shows for the user; when a server substituted that identity (T6, T7), the library
 * refuses, and the device stays without cross-signing, as a real client does until its user acts
 * (Element then asks them to verify). The run goes on; any other error still ends it.
 */
async function importOwnKeys(d: ElementDevice, seeds: CrossSigningSeeds): Promise<void> {
  try {
    await d.bootstrapCrossSigning(seeds);
  } catch (e) {
    if (!/doesn't match the public key that was uploaded/.test((e as Error).message ?? "")) throw e;
  }
}
