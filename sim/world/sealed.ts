/**
 * The encryption the simulation really does, with node:crypto, so that "the attacker read it" is
 * measured by decrypting, never assumed (DESIGN.md §5):
 * - room messages: AES-256-GCM under the sender's outbound session key (Megolm's role);
 * - to-device room-key deliveries: X25519 to the device's curve25519 key, then AES-256-GCM (Olm's
 *   role). Only the device holding the private key can open one.
 * Every key, nonce and ephemeral key comes from the seeded `Rng`.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  type KeyObject,
} from "node:crypto";
import { decodeBase64, encodeBase64 } from "../core/base64.ts";
import type { Rng } from "./rng.ts";

export interface Sealed {
  iv: string;
  ciphertext: string;
  tag: string;
}

export function aesEncrypt(key: Uint8Array, plaintext: string, rng: Rng, label: string): Sealed {
  const iv = rng.bytes(`${label}/iv`, 12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return { iv: encodeBase64(iv), ciphertext: encodeBase64(ciphertext), tag: encodeBase64(cipher.getAuthTag()) };
}

/** The plaintext, or null if `key` does not open it (wrong key, tampered, malformed). */
export function aesDecrypt(key: Uint8Array, sealed: Sealed): string | null {
  try {
    const iv = decodeBase64(sealed.iv, { expectedLength: 12 });
    const ct = decodeBase64(sealed.ciphertext);
    const tag = decodeBase64(sealed.tag, { expectedLength: 16 });
    if (!iv.ok || !ct.ok || !tag.ok) return null;
    const decipher = createDecipheriv("aes-256-gcm", key, iv.value);
    decipher.setAuthTag(tag.value);
    return Buffer.concat([decipher.update(ct.value), decipher.final()]).toString("utf8");
  } catch {
    return null;
  }
}

export interface CurveKey {
  privateKey: KeyObject;
  /** Unpadded base64 of the 32-byte public key, as device keys carry it. */
  publicKey: string;
}

export function curveKeyFromSeed(seed: Uint8Array): CurveKey {
  // Imported as a JWK, which node hands to OpenSSL as the raw 32 bytes: about 12x faster than
  // parsing PKCS#8 DER through OpenSSL 3's decoders (every device and every sealed message makes
  // one). Node reads only `d` of a private OKP key; `x` must be a string, and is not used: the
  // public key is derived from the private one below. sealed.test.ts checks both against PKCS#8.
  const privateKey = createPrivateKey({
    key: { kty: "OKP", crv: "X25519", d: Buffer.from(seed).toString("base64url"), x: "" },
    format: "jwk",
  });
  const jwk = createPublicKey(privateKey).export({ format: "jwk" });
  return { privateKey, publicKey: encodeBase64(Buffer.from(jwk.x!, "base64url")) };
}

function publicKeyObject(publicKey: string): KeyObject | null {
  const bytes = decodeBase64(publicKey, { expectedLength: 32 });
  if (!bytes.ok) return null;
  try {
    return createPublicKey({
      key: { kty: "OKP", crv: "X25519", x: Buffer.from(bytes.value).toString("base64url") },
      format: "jwk",
    });
  } catch {
    return null;
  }
}

function sharedKey(privateKey: KeyObject, publicKey: KeyObject): Uint8Array {
  return new Uint8Array(createHash("sha256").update(diffieHellman({ privateKey, publicKey })).digest());
}

export interface ToDeviceCiphertext extends Sealed {
  ephemeral: string;
}

/** Seal `plaintext` to the curve25519 key `recipient`. Null if that is not a usable key. */
export function sealToDevice(recipient: string, plaintext: string, rng: Rng, label: string): ToDeviceCiphertext | null {
  const their = publicKeyObject(recipient);
  if (!their) return null;
  const eph = curveKeyFromSeed(rng.bytes(`${label}/ephemeral`, 32));
  return { ephemeral: eph.publicKey, ...aesEncrypt(sharedKey(eph.privateKey, their), plaintext, rng, label) };
}

export function openToDevice(mine: CurveKey, sealed: ToDeviceCiphertext): string | null {
  const eph = publicKeyObject(sealed.ephemeral);
  if (!eph) return null;
  try {
    return aesDecrypt(sharedKey(mine.privateKey, eph), sealed);
  } catch {
    return null;
  }
}
