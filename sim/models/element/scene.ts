/**
 * A scripted scene over the engine: key servers, users' devices (real `OlmMachine`s), one room's
 * encrypted messages, and who could read each. The tests and the benchmark use it; the models'
 * adapters will do the same steps from the world's actions.
 *
 * Every name in it (servers, users, device IDs, event IDs, timestamps) is chosen by the script,
 * and the users' cross-signing keys come from the seeded `Rng`, so its outcome is a function of
 * the script and the seed even though the library draws its device keys and sessions at random.
 */
import { decodeBase64, encodeBase64 } from "../../core/base64.ts";
import { signingKeyFromSeed } from "../../core/ed25519.ts";
import { Rng } from "../../world/rng.ts";
import {
  type CrossSigningSeeds,
  type DecryptOutcome,
  type DeviceOptions,
  ElementDevice,
  type RoomEvent,
  type ShareOutcome,
  type SharingStrategy,
  settle,
} from "./device.ts";
import { type Json, KeyDirectory, type KeyServer } from "./key-server.ts";

/** A device's attempt at one message: read, or the library's failure code (and withheld code). */
export type Reading = "read" | `${Exclude<DecryptOutcome, { ok: true }>["code"]}${"" | `/${string}`}`;

export interface SentMessage {
  eventId: string;
  sender: string;
  share: ShareOutcome;
  /** The encrypted event, absent when the library refused to share. */
  event?: RoomEvent;
}

export class Scene {
  readonly directory = new KeyDirectory();
  private readonly servers = new Map<string, KeyServer>();
  readonly devices = new Map<string, ElementDevice>();
  private readonly seeds = new Map<string, CrossSigningSeeds>();
  readonly messages: SentMessage[] = [];
  private readonly rng: Rng;

  constructor(
    seed: string | number,
    readonly roomId = "!room:scene.example",
  ) {
    this.rng = new Rng(seed);
  }

  server(name: string, lieAboutKeys = false): KeyServer {
    const s = this.directory.server(name, { lieAboutKeys });
    this.servers.set(name, s);
    return s;
  }

  private serverFor(userId: string): KeyServer {
    const s = this.servers.get(userId.slice(userId.indexOf(":") + 1));
    if (!s) throw new Error(`scene: no server for ${userId}`);
    return s;
  }

  /** The user's cross-signing seeds, drawn once from the scene's seed. */
  crossSigningSeeds(user: string): CrossSigningSeeds {
    let s = this.seeds.get(user);
    if (!s) {
      const draw = (which: string) => encodeBase64(this.rng.bytes(`element cross-signing ${which} ${user}`, 32));
      s = { master: draw("master"), selfSigning: draw("self-signing"), userSigning: draw("user-signing") };
      this.seeds.set(user, s);
    }
    return s;
  }

  /** The public master key the scene's seed gives `user` (what the world's MSC3917 events would carry). */
  masterKeyOf(user: string): string {
    const seed = decodeBase64(this.crossSigningSeeds(user).master, { expectedLength: 32 });
    if (!seed.ok) throw new Error(`scene: bad seed for ${user}`);
    return encodeBase64(signingKeyFromSeed(seed.value).publicKey);
  }

  /**
   * A device of `user` on its home server. `crossSigned` (default) gives it the user's seeded
   * cross-signing keys and signs it with them; otherwise it is a device its owner never signed.
   */
  async device(user: string, device: string, opts: { crossSigned?: boolean } & DeviceOptions = {}) {
    const d = await ElementDevice.create(this.serverFor(user), user, device, opts);
    if (opts.crossSigned ?? true) await d.bootstrapCrossSigning(this.crossSigningSeeds(user));
    this.devices.set(d.label, d);
    return d;
  }

  /** The adversary's device, made by the lying `server` and listed for `user` (see `ElementDevice.forge`). */
  async forge(server: string, user: string, device: string, opts: Parameters<typeof ElementDevice.forge>[3] = {}) {
    const s = this.servers.get(server);
    if (!s) throw new Error(`scene: no server ${server}`);
    const d = await ElementDevice.forge(s, user, device, opts);
    this.devices.set(d.label, d);
    return d;
  }

  get(label: string): ElementDevice {
    const d = this.devices.get(label);
    if (!d) throw new Error(`scene: no device ${label}`);
    return d;
  }

  /** Every device syncs until nothing is new. */
  settle(): Promise<void> {
    return settle([...this.devices.values()]);
  }

  /** Every device tracks `members` (a client tracks the members of its encrypted rooms). */
  async track(members: readonly string[]): Promise<void> {
    for (const label of [...this.devices.keys()].sort()) await this.get(label).track(members);
  }

  /**
   * `from` sends a message, sharing the key with `members` under `strategy`. The room, event ID
   * and timestamp default to the scene's own; a world that has its own (the homeserver's event
   * ID, the clock's time) passes them in `at`.
   */
  async send(
    from: string,
    members: readonly string[],
    strategy: SharingStrategy,
    body: string,
    at: { roomId?: string; eventId?: string; ts?: number } = {},
  ): Promise<SentMessage> {
    await this.settle();
    const sender = this.get(from);
    const n = this.messages.length + 1;
    const roomId = at.roomId ?? this.roomId;
    const { share, content } = await sender.encrypt(roomId, members, strategy, { msgtype: "m.text", body });
    const eventId = at.eventId ?? `$scene-message-${n}`;
    const m: SentMessage = { eventId, sender: sender.user, share };
    if (content) {
      const meta = { event_id: eventId, sender: sender.user, origin_server_ts: at.ts ?? n };
      m.event = { ...meta, type: "m.room.encrypted", room_id: roomId, content };
    }
    this.messages.push(m);
    await this.settle();
    return m;
  }

  /** Every device tries every message: device label → event ID → reading, all in label order. */
  async readings(): Promise<Record<string, Record<string, Reading>>> {
    await this.settle();
    const out: Record<string, Record<string, Reading>> = {};
    for (const label of [...this.devices.keys()].sort()) {
      const row: Record<string, Reading> = {};
      for (const m of this.messages) {
        if (!m.event) continue;
        const r = await this.get(label).decrypt(m.event);
        row[m.eventId] = r.ok ? "read" : r.withheld ? `${r.code}/${r.withheld}` : r.code;
      }
      out[label] = row;
    }
    return out;
  }

  close(): void {
    for (const d of this.devices.values()) d.close();
  }
}

/**
 * One small scripted flow, for the determinism test and the benchmark. Alice (two devices, the
 * second signed with her imported keys), Bob and Carol on three servers; Carol's server lies.
 * 1. Alice sends to all three.
 * 2. Carol's server lists a device it made for Carol; Alice sends again.
 * 3. Bob is removed; Alice sends to Alice and Carol only.
 * Returns what each device could read, and whom each share reached, by label.
 */
export async function smallFlow(seed: string | number, strategy: SharingStrategy) {
  const scene = new Scene(seed);
  try {
    scene.server("a.example");
    scene.server("b.example");
    scene.server("c.example", true);
    const [alice, bob, carol] = ["@alice:a.example", "@bob:b.example", "@carol:c.example"];
    await scene.device(alice, "ALICEPHONE");
    await scene.device(alice, "ALICELAPTOP");
    await scene.device(bob, "BOBPHONE");
    await scene.device(carol, "CAROLPHONE");
    await scene.track([alice, bob, carol]);
    await scene.send(`${alice}|ALICEPHONE`, [alice, bob, carol], strategy, "one");
    await scene.forge("c.example", carol, "INSERTED");
    await scene.send(`${alice}|ALICEPHONE`, [alice, bob, carol], strategy, "two");
    await scene.send(`${alice}|ALICEPHONE`, [alice, carol], strategy, "three");
    return { shares: scene.messages.map((m) => m.share), readings: await scene.readings() };
  } finally {
    scene.close();
  }
}

/**
 * Alice, Bob and Carol (one cross-signed device each) on three servers, plus evil.example with no
 * users; all track each other. Servers in `lying` have `lieAboutKeys`.
 */
export async function threeUsers(lying: readonly string[] = []): Promise<Scene> {
  const scene = new Scene("element engine tests");
  for (const s of ["a.example", "b.example", "c.example", "evil.example"]) scene.server(s, lying.includes(s));
  await scene.device("@alice:a.example", "ALICE1");
  await scene.device("@bob:b.example", "BOB1");
  await scene.device("@carol:c.example", "CAROL1");
  await scene.track(["@alice:a.example", "@bob:b.example", "@carol:c.example"]);
  return scene;
}
