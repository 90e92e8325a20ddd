/**
 * The default message transport: simulated Megolm. A sender keeps one outbound session per room,
 * seals its key to each recipient device's X25519 key as a to-device message, and encrypts each
 * message with AES-256-GCM under the session's ratchet; a device reads the keys in its inbox and
 * then every message it has a key for.
 */
import { createHash } from "node:crypto";
import { decodeBase64, encodeBase64 } from "../core/base64.ts";
import type { JsonObject } from "../core/canonical-json.ts";
import type { Awaitable, DecryptedMessage, DeviceInputs, Recipient, Transport } from "./defence-model.ts";
import type { Homeserver } from "./homeserver.ts";
import { type Sealed, aesDecrypt, aesEncrypt, openToDevice, sealToDevice } from "./sealed.ts";
import type { Device, World } from "./world.ts";

/**
 * Megolm's forward ratchet, simplified: the key for message i+1 is SHA-256 of the key for message
 * i. A device given the session at index i can read messages i, i+1, … and nothing before, which is
 * why a member who joins later cannot read earlier messages.
 */
export function ratchet(key: Uint8Array, steps: number): Uint8Array {
  let k = key;
  for (let i = 0; i < steps; i++) k = new Uint8Array(createHash("sha256").update(k).digest());
  return k;
}

interface Outbound {
  id: string;
  /** The ratchet value for the next message, and that message's index. */
  key: Uint8Array;
  index: number;
  sharedWith: Set<string>;
}

/** The sender a transport sends for: who, through which server, from which device. */
export interface TransportSender {
  readonly userId: string;
  readonly server: Homeserver;
  readonly devices: readonly Device[];
}

export class MegolmTransport implements Transport {
  private readonly outbound = new Map<string, Outbound>();

  constructor(
    private readonly world: World,
    private readonly sender: TransportSender | null,
  ) {}

  /**
   * The outbound session rotates if any device it was shared with is no longer a recipient
   * (membership shrank); new recipients get the key at the current index.
   */
  async send(roomId: string, messageId: string, payload: JsonObject, recipients: readonly Recipient[]): Promise<void> {
    const me = this.sender;
    if (!me) throw new Error("this transport only reads");
    const ids = new Set(recipients.map((r) => `${r.user}/${r.device}`));
    let session = this.outbound.get(roomId);
    if (!session || [...session.sharedWith].some((d) => !ids.has(d))) {
      session = {
        id: this.world.rng.id(`session id ${me.userId} ${roomId}`, 16),
        key: this.world.rng.bytes(`session key ${me.userId} ${roomId}`, 32),
        index: 0,
        sharedWith: new Set(),
      };
      this.outbound.set(roomId, session);
      me.devices[0]!.sessions.set(session.id, { index: 0, key: session.key });
    }
    for (const r of recipients) {
      const id = `${r.user}/${r.device}`;
      if (session.sharedWith.has(id)) continue;
      const shared = JSON.stringify({ index: session.index, key: encodeBase64(session.key) });
      const sealed = sealToDevice(r.curve25519, shared, this.world.rng, `room key to ${id}`);
      if (!sealed) continue;
      me.server.sendToDevice(me.userId, r.user, r.device, {
        sender: me.userId,
        type: "m.room_key",
        content: { ...sealed, room_id: roomId, session_id: session.id },
      });
      session.sharedWith.add(id);
      this.world.history.record({
        op: "share_key",
        t: this.world.clock.now(),
        room: roomId,
        from: me.userId,
        to: id,
        session: session.id,
      });
    }
    const sealed = aesEncrypt(session.key, JSON.stringify(payload), this.world.rng, `message ${messageId}`);
    const e = me.server.sendMessage(me.userId, roomId, {
      algorithm: "m.megolm.v1.aes-sha2",
      session_id: session.id,
      index: session.index,
      ...sealed,
    });
    session.key = ratchet(session.key, 1);
    session.index++;
    me.devices[0]!.read.add(e.event_id);
    this.world.history.record({
      op: "send",
      t: this.world.clock.now(),
      room: roomId,
      sender: me.userId,
      message: messageId,
      session: session.id,
      recipients: [...session.sharedWith].sort(),
    });
  }

  /** Decrypt what a device can reach: shared room keys from its inbox, then every message it can open. */
  async read(inputs: DeviceInputs, onMessage?: (m: DecryptedMessage) => Awaitable<void>): Promise<void> {
    const { owner, device } = inputs;
    for (const m of inputs.toDevice) {
      const opened = openToDevice(device.curve, m.content);
      const shared = opened === null ? undefined : (JSON.parse(opened) as { index: number; key: string });
      const key = shared ? decodeBase64(shared.key, { expectedLength: 32 }) : undefined;
      if (shared && key?.ok) device.sessions.set(m.content.session_id, { index: shared.index, key: key.value });
    }
    for (const roomId of inputs.rooms) {
      for (const e of inputs.messagesOf(roomId)) {
        if (device.read.has(e.event_id)) continue;
        const session = device.sessions.get(e.content.session_id as string);
        const index = e.content.index;
        if (!session || typeof index !== "number" || index < session.index) continue;
        const plain = aesDecrypt(ratchet(session.key, index - session.index), e.content as unknown as Sealed);
        if (plain === null) continue;
        device.read.add(e.event_id);
        const payload = JSON.parse(plain) as JsonObject & { id: string };
        await onMessage?.({ roomId, eventId: e.event_id, sender: e.sender, payload });
        this.world.history.record({
          op: "decrypt",
          t: this.world.clock.now(),
          room: roomId,
          device: `${owner}/${device.id}`,
          message: payload.id,
          honest: inputs.honest,
        });
      }
    }
  }
}
