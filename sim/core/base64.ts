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

/** Each ASCII character's 6-bit value in the alphabet, or -1. */
const decodeTable = (alphabet: string): Int8Array => {
  const table = new Int8Array(128).fill(-1);
  for (let i = 0; i < 64; i++) table[alphabet.charCodeAt(i)] = i;
  return table;
};
const LETTERS_AND_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const STANDARD = decodeTable(`${LETTERS_AND_DIGITS}+/`);
const URLSAFE = decodeTable(`${LETTERS_AND_DIGITS}-_`);

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
  let end = text.indexOf("=");
  if (end === -1) end = text.length;
  else {
    const padding = text.length - end;
    if (padding > 2 || (text.length & 3) !== 0 || (padding === 2 && text.charCodeAt(end + 1) !== 0x3d))
      return fail("base64: bad padding");
  }
  // One pass, table-driven: it checks the alphabet and decodes into the result's own memory (no
  // regular expression, no Buffer from node's shared pool to copy out of).
  const table = alphabet === "standard" ? STANDARD : URLSAFE;
  const bytes = new Uint8Array((end * 3) >> 2);
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? table[c]! : -1;
    if (v < 0) return fail(`base64: character outside the ${alphabet} alphabet`);
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[o++] = acc >> bits;
    }
  }
  if ((end & 3) === 1) return fail("base64: impossible length");
  if (opts.expectedLength !== undefined && bytes.length !== opts.expectedLength) {
    return fail(`base64: decoded ${bytes.length} bytes, expected ${opts.expectedLength}`);
  }
  return ok(bytes);
}
