/**
 * The shape of a defence model (DESIGN.md §6), as the world's clients use it. The models
 * themselves live in `sim/models/<id>/`; `Client` and `Homeserver` call these hooks and hold no
 * model-specific code. A model owns, per client:
 * - the state the client keeps beyond Matrix's (a signed state DAG, a group state, …): `ClientDefence`;
 * - what the client checks when events and messages arrive (`observeRoom`, `onMessage`), and
 *   what raises an alarm, recorded with its cause (`op: "alarm"` in the history);
 * - which devices get a room key (`recipients`);
 * - optionally, the message transport (`transport`): how a room message is encrypted for the
 *   devices it chose and how a device tries to decrypt, the default being simulated Megolm
 *   (`sim/world/megolm.ts`). A transport records what each device decrypted in the history the
 *   same way (`op: "decrypt"`), since the oracle measures only that.
 * Every hook may return a promise (`Awaitable`): a model built on an async library (an OlmMachine,
 * ts-mls) awaits; the client awaits each hook, and the runner each step.
 */
import type { JsonObject } from "../core/canonical-json.ts";
import type { SigningKey } from "../core/ed25519.ts";
import type { RoomSigner } from "../core/events.ts";
import type { Device, World } from "./world.ts";
import type { Homeserver, KeysQueryResult, ToDeviceMessage } from "./homeserver.ts";
import type { WorldEvent } from "./room.ts";

/** A hook's result, or a promise of it: a model built on an async library (an OlmMachine, ts-mls) awaits. */
export type Awaitable<T> = T | Promise<T>;

/** A device a room key may go to. */
export interface Recipient {
  user: string;
  device: string;
  curve25519: string;
}

/** A room as one client sees it through its homeserver. */
export interface RoomView {
  state: WorldEvent[];
  events: WorldEvent[];
}

/** What a client knows when it decides who gets a room key. */
export interface RoomObservation {
  self: string;
  roomId: string;
  /** The RRK the client believes in (from its own create, or the invite it accepted). */
  rrk: Uint8Array;
  view: RoomView;
  /** The MSKs in the client's key store. */
  pins: ReadonlyMap<string, Uint8Array>;
  keys: KeysQueryResult;
}

/** The client a model's hooks act for: who it is, how it signs, and the world it is in. */
export interface ModelClient {
  readonly userId: string;
  readonly server: Homeserver;
  readonly world: World;
  /** Signs with the user's current RSK (the client itself). */
  readonly signer: RoomSigner;
  readonly devices: readonly Device[];
  /** The MSK this client holds for `user`, and whether it verified it out of band, if any. */
  knownMsk(user: string): { msk: Uint8Array; verified: boolean } | undefined;
}

/** A decrypted room message as a transport hands it to the model: its payload and who the event says sent it. */
export interface DecryptedMessage {
  roomId: string;
  eventId: string;
  sender: string;
  payload: JsonObject;
}

/** Where a device's ciphertexts come from: its to-device messages, and the room messages it can reach. */
export interface DeviceInputs {
  owner: string;
  device: Device;
  toDevice: readonly ToDeviceMessage[];
  rooms: readonly string[];
  messagesOf: (roomId: string) => WorldEvent[];
  /** Whether the device is an honest client's (recorded on each decryption). */
  honest: boolean;
}

/** One sender's or reader's side of the message transport. */
export interface Transport {
  /**
   * Encrypt `payload` (which carries the message ID as `id`) as a room message that exactly
   * `recipients` (and the sender's own device) can read, handing out keys as needed, and send it
   * through the sender's homeserver; record `send` (and `share_key`) in the history.
   */
  send(roomId: string, messageId: string, payload: JsonObject, recipients: readonly Recipient[]): Promise<void>;
  /** Try everything one device can reach; record each decryption; hand each decrypted message to `onMessage`. */
  read(inputs: DeviceInputs, onMessage?: (m: DecryptedMessage) => Awaitable<void>): Promise<void>;
}

/** A model's state and checks for one client. */
export interface ClientDefence {
  /**
   * The content the client sends for a state event it authors (a state-DAG client signs a DAG
   * node into it). `roomId` is null for the create event, whose room does not exist yet.
   */
  stateContent(roomId: string | null, type: string, stateKey: string, content: JsonObject): Awaitable<JsonObject>;
  /** The ID of the node the model's signed structure gives an event this client sent, if any (for the history). */
  eventNode(e: WorldEvent): Awaitable<string | null>;
  /** The room the last `stateContent(null, …)` was for has been created with this ID. */
  created(roomId: string): Awaitable<void>;
  /** The client saw the room (joining, syncing, deciding recipients): learn and check; raise alarms. */
  observeRoom(roomId: string, view: RoomView): Awaitable<void>;
  /** Fields the model puts inside an encrypted message, where the server cannot change them. */
  messageFields(roomId: string): Awaitable<JsonObject>;
  /** A device of this client decrypted a room message. */
  onMessage(message: DecryptedMessage): Awaitable<void>;
  /** Which devices get the room key. */
  recipients(obs: RoomObservation): Awaitable<Recipient[]>;
}

/** The private cross-signing keys of an identity the world made (a client's, or one the adversary made). */
export interface IdentityKeys {
  msk: SigningKey;
  ssk: SigningKey;
}

/**
 * The world's key changes, for a model that runs its own key distribution beside the world's (a
 * real library's devices, which draw and upload their own keys): told who published which
 * identity and device, and what a lying server made. Each is told right after the world did it;
 * the calls are synchronous, so a model built on an async library queues the work and awaits it
 * in its async hooks.
 */
export interface KeyEvents {
  /**
   * `user` published a cross-signing identity on `server` (first, or a new one on a reset): its
   * own, or one the adversary made for a user of its own.
   */
  identity(server: Homeserver, user: string, keys: IdentityKeys): void;
  /**
   * `user` registered `device` on `server`, signed with its identity's SSK;
   * `honest` unless the adversary made the user.
   */
  device(server: Homeserver, user: string, device: string, honest: boolean): void;
  /** `server` (lieAboutKeys) lists a device it made for `user`, signed by nobody. */
  inserted(server: Homeserver, user: string, device: string): void;
  /** `server` (lieAboutKeys) serves, for `user`, an identity it made and a device signed by it. */
  substituted(server: Homeserver, user: string, keys: IdentityKeys, device: string): void;
  /** `user` verified `other` out of band; `msk` is the MSK `other` really has. */
  verified(user: string, other: string, msk: Uint8Array): void;
}
/**
 * What a malicious server did, in Matrix terms, for a model whose membership lives outside the
 * room state (a group server's list, an MLS group) to restate in its own: the adversary calls
 * `attack` after each act, and the model does what that act's analogue is in its system, with
 * the same capabilities (its applicability table says which analogue, or why there is none).
 */
export type AttackAct = {
  server: Homeserver;
  roomId: string;
} /** A user the server made joined (`user`); `colluder`: with a real member's keys, who handed them over. */ & (
  | { kind: "insert_member"; user: string; colluder?: ModelClient; threat: string }
  /** The server made `target`'s old membership current again, for everyone it serves or for `hideFrom` only. */
  | { kind: "undo_ban"; target: string; hideFrom?: readonly string[]; threat: string }
  /** The server forged `target`'s leave. */
  | { kind: "forge_leave"; target: string }
  /** The server copied `target`'s membership from `fromRoom`. */
  | { kind: "replay_member"; target: string; fromRoom: string }
);

export interface DefenceModel {
  readonly id: string;
  /** One line, for `--help` and the README. */
  readonly description: string;
  /**
   * Whether the model's clients check the RRKs they learn from links and space children (MSC3917
   * clients do; Matrix today does not, so a baseline client joins whatever an alias or space lists).
   */
  readonly checksRoomKeys: boolean;
  /** The model's state and checks for one client. */
  client(owner: ModelClient): ClientDefence;
  /**
   * The transport its devices use (honest and the adversary's); default: simulated Megolm. For
   * an adversary's device (`owner` null), `device` is the device it reads for, and whose.
   */
  transport?(
    owner: ModelClient | null,
    world: World,
    server: Homeserver,
    device?: { user: string; device: Device },
  ): Transport;
  /**
   * The threats (catalogue IDs) that cannot apply to this model, each with why (from its
   * applicability table): the sweep's results carry the reason, so a report shows "not
   * applicable", never a plain pass, for them.
   */
  readonly notApplicable?: Readonly<Record<string, string>>;
  /** The analogue, in this model, of a malicious server's act (default: none, the room state is the membership). */
  attack?(act: AttackAct, world: World): Awaitable<void>;
  /** Optional: the model hears of the world's key changes (one listener per world). */
  keyEvents?(world: World): KeyEvents;
}

/** A model with nothing beyond Matrix's own state: no extra content, checks or message fields. */
export function plainDefence(recipients: ClientDefence["recipients"]): ClientDefence {
  return {
    stateContent: (_r, _t, _k, content) => content,
    eventNode: () => null,
    created: () => {},
    observeRoom: () => {},
    messageFields: () => ({}),
    onMessage: () => {},
    recipients,
  };
}
