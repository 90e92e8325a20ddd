/**
 * Base64 as the Matrix spec uses it (Matrix spec, appendices §Unpadded Base64).
 *
 * - Keys and signatures: unpadded *standard* base64 (`+`, `/`).
 * - Room IDs (MSC3917 §Rooms as Keys): unpadded *URL-safe* base64 (`-`, `_`).
 *
 * Node's `Buffer.from(x, "base64")` silently skips characters it does not know and accepts
 * truncated input, so every decoder here validates the text first and checks the decoded length.
 */
import { type Result, fail, ok } from "./result.ts";

export type Base64Alphabet = "standard" | "urlsafe";

const STANDARD = /^[A-Za-z0-9+/]*$/;
const URLSAFE = /^[A-Za-z0-9_-]*$/;

/** Unpadded standard base64. */
export function encodeBase64(bytes: Uint8Array): string {
  const padded = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
  const pad = bytes.byteLength % 3 === 0 ? 0 : 3 - (bytes.byteLength % 3);
  return pad === 0 ? padded : padded.slice(0, -pad);
}

/** Unpadded URL-safe base64. */
export function encodeBase64Url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64url");
}

/**
 * Decode strict base64 of the given alphabet. Padding is accepted but optional (the spec says
 * decoders should accept it). `expectedLength`, when given, must match the decoded length.
 *
 * Policy: stray low bits in the last character are accepted, as matrix-org's `unpaddedbase64`
 * accepts them; the spec's own signing-key seed (`…MW+3XA1`) has them. So one byte string can have
 * several texts: code that compares keys must compare the decoded bytes (or re-encode them), never
 * the texts as given. `encodeBase64`/`encodeBase64Url` always write the canonical text.
 */
export function decodeBase64(
  text: string,
  opts: { alphabet?: Base64Alphabet; expectedLength?: number } = {},
): Result<Uint8Array> {
  const alphabet = opts.alphabet ?? "standard";
  if (typeof text !== "string") return fail("base64: expected a string");
  let body = text;
  const pad = body.indexOf("=");
  if (pad !== -1) {
    const padding = body.slice(pad);
    body = body.slice(0, pad);
    if (!/^={1,2}$/.test(padding) || (body.length + padding.length) % 4 !== 0) {
      return fail("base64: bad padding");
    }
  }
  if (!(alphabet === "standard" ? STANDARD : URLSAFE).test(body)) {
    return fail(`base64: character outside the ${alphabet} alphabet`);
  }
  if (body.length % 4 === 1) return fail("base64: impossible length");
  const buf = Buffer.from(body, alphabet === "standard" ? "base64" : "base64url");
  // A copy with its own memory: a small Buffer is a view of a shared 8 KB pool, which one key kept
  // for a room's lifetime would keep alive (hundreds of MB across a large room's keys).
  const bytes = new Uint8Array(buf);
  if (opts.expectedLength !== undefined && bytes.length !== opts.expectedLength) {
    return fail(`base64: decoded ${bytes.length} bytes, expected ${opts.expectedLength}`);
  }
  return ok(bytes);
}
