/**
 * The Room Root Key (MSC3917 §Rooms as Keys). The RRK *is* the room ID:
 * `!` followed by the unpadded URL-safe base64 of the Ed25519 public key. Inside event content the
 * RRK is written in unpadded standard base64 (`room_root_key`).
 */
import { decodeBase64, encodeBase64, encodeBase64Url } from "./base64.ts";
import {
  type Ed25519Backend,
  PUBLIC_KEY_LENGTH,
  type SigningKey,
  checkPublicKey,
  defaultBackend,
  signingKeyFromSeed,
} from "./ed25519.ts";
import { type Result, fail } from "./result.ts";

/** The key ID the RRK signs the create event with: `ed25519:rrk` (MSC3917). */
export const RRK_KEY_ID = "ed25519:rrk";

/** A room's root key pair, made from a 32-byte seed (drawn from the seeded PRNG in the simulation). */
export function generateRoomRootKey(seed: Uint8Array, backend: Ed25519Backend = defaultBackend()): SigningKey {
  return signingKeyFromSeed(seed, backend);
}

export function roomIdFromRrk(rrk: Uint8Array): string {
  if (rrk.length !== PUBLIC_KEY_LENGTH) throw new TypeError(`roomIdFromRrk: an RRK is ${PUBLIC_KEY_LENGTH} bytes`);
  return `!${encodeBase64Url(rrk)}`;
}

/** The RRK as it appears in event content (`room_root_key`): unpadded standard base64. */
export function rrkToContent(rrk: Uint8Array): string {
  return encodeBase64(rrk);
}

/**
 * Policy: an RRK must be a key that can verify something: canonical, on the curve, not of small
 * order. A small-order RRK would make a forged create signature trivial, so a room ID built on
 * one is rejected, not merely unverifiable.
 */
function validRrk(bytes: Result<Uint8Array>): Result<Uint8Array> {
  if (!bytes.ok) return bytes;
  const why = checkPublicKey(bytes.value);
  return why ? fail(`not a usable Ed25519 key (${why})`) : bytes;
}

/** The RRK of a room ID `!<urlsafe base64>`, or why the ID is not an MSC3917 room ID (a legacy room, say). */
export function rrkFromRoomId(roomId: string): Result<Uint8Array> {
  if (typeof roomId !== "string" || !roomId.startsWith("!")) return fail("room ID must start with '!'");
  const r = validRrk(decodeBase64(roomId.slice(1), { alphabet: "urlsafe", expectedLength: PUBLIC_KEY_LENGTH }));
  return r.ok ? r : fail(`room ID ${JSON.stringify(roomId)} is not an RRK: ${r.error}`);
}

/** Is `roomId` the ID of an MSC3917 room, i.e. an RRK? (The restricted-join branch asks this.) */
export function isRrkRoomId(roomId: string): boolean {
  return rrkFromRoomId(roomId).ok;
}

/**
 * Is `roomId` shaped like an MSC3917 room ID (`!` and 43 base64 characters, no server name),
 * whether or not it decodes to a usable key? A legacy room ID is `!opaque:server`.
 */
export function isRrkShapedRoomId(roomId: string): boolean {
  return typeof roomId === "string" && /^![A-Za-z0-9_+/-]{43}$/.test(roomId);
}

/** The RRK from a `room_root_key` content field (standard base64). */
export function rrkFromContent(text: unknown): Result<Uint8Array> {
  if (typeof text !== "string") return fail("room_root_key must be a string");
  const r = validRrk(decodeBase64(text, { expectedLength: PUBLIC_KEY_LENGTH }));
  return r.ok ? r : fail(`room_root_key is not an RRK: ${r.error}`);
}
