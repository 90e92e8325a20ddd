/**
 * Cross-signing keys (Matrix spec, client-server API §Cross-signing) and the MSC3917 Room Signing
 * Key (MSC3917 §Membership Event Signature Tree).
 *
 * - The master key (MSK) is a user's identity.
 * - The self-signing key (SSK) signs the user's devices; the MSK signs the SSK.
 * - The user-signing key (USK) signs other users' MSKs; the MSK signs it.
 * - The room signing key (RSK), usage `room_signing`, signs membership events; the MSK signs it.
 *
 * A key is a `CrossSigningKey`: `user_id`, `usage`, `keys` with exactly one `ed25519:<pubkey>`
 * entry, and `signatures`. A signature by a cross-signing key uses the entity `<user id>` and the
 * key ID `ed25519:<unpadded base64 public key>`.
 */
import { decodeBase64, encodeBase64 } from "./base64.ts";
import { isJsonObject } from "./canonical-json.ts";
import { type Ed25519Backend, PUBLIC_KEY_LENGTH, type SigningKey, checkPublicKey, defaultBackend } from "./ed25519.ts";
import { type Result, fail, ok } from "./result.ts";
import { type SignedJsonRejection, type Signatures, signJson, verifySignedJson } from "./signing.ts";

export type CrossSigningUsage = "master" | "self_signing" | "user_signing" | "room_signing";

export type CrossSigningKey = {
  user_id: string;
  usage: string[];
  keys: Record<string, string>;
  signatures?: Signatures;
};

export type DeviceKeys = {
  user_id: string;
  device_id: string;
  algorithms: string[];
  keys: Record<string, string>;
  signatures?: Signatures;
};

export const DEVICE_ALGORITHMS = ["m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"];

/** `ed25519:<unpadded base64 public key>`: how cross-signing keys name themselves. */
export function keyIdOf(publicKey: Uint8Array): string {
  return `ed25519:${encodeBase64(publicKey)}`;
}

/** Build a cross-signing key for `key`, signed by `signer` (the MSK) unless it is the MSK itself. */
export function makeCrossSigningKey(
  userId: string,
  usage: CrossSigningUsage,
  key: SigningKey,
  signer?: SigningKey,
  backend: Ed25519Backend = defaultBackend(),
): CrossSigningKey {
  const pub = encodeBase64(key.publicKey);
  const csk: CrossSigningKey = { user_id: userId, usage: [usage], keys: { [`ed25519:${pub}`]: pub } };
  return signer ? signJson(csk, userId, keyIdOf(signer.publicKey), signer, backend) : csk;
}

/** Why a cross-signing key or device was not accepted. */
export type KeyRejection =
  | "malformed"
  | "wrong_user"
  | "wrong_usage"
  | "bad_public_key"
  | "key_id_mismatch"
  | { signature: SignedJsonRejection };

/**
 * Read the one public key of a `CrossSigningKey` from untrusted input, checking its shape, owner
 * and usage. Never throws.
 */
export function crossSigningPublicKey(
  csk: unknown,
  expect: {
    userId?: string;
    usage?: CrossSigningUsage;
    /** Decodes the key's text to 32 bytes, or null: a caller's cache of `decodeBase64` (the verifier's, per text). */
    decode?: (text: string) => Uint8Array | null;
  } = {},
): Result<Uint8Array, KeyRejection> {
  if (!isJsonObject(csk) || typeof csk.user_id !== "string" || !Array.isArray(csk.usage) || !isJsonObject(csk.keys))
    return fail("malformed");
  if (!csk.usage.every((u) => typeof u === "string")) return fail("malformed");
  if (expect.userId !== undefined && csk.user_id !== expect.userId) return fail("wrong_user");
  if (expect.usage !== undefined && !csk.usage.includes(expect.usage)) return fail("wrong_usage");
  const entries = Object.entries(csk.keys);
  // Policy: exactly one key, as the spec's CrossSigningKey requires. Two keys would leave open
  // which one a signature by "this" key means.
  if (entries.length !== 1) return fail("malformed");
  const [keyId, value] = entries[0]!;
  if (typeof value !== "string") return fail("malformed");
  if (keyId.length !== value.length + 8 || !keyId.startsWith("ed25519:") || !keyId.endsWith(value))
    return fail("key_id_mismatch");
  let key: Uint8Array | null;
  if (expect.decode) key = expect.decode(value);
  else {
    const decoded = decodeBase64(value, { expectedLength: PUBLIC_KEY_LENGTH });
    key = decoded.ok ? decoded.value : null;
  }
  if (key === null || checkPublicKey(key) !== null) return fail("bad_public_key"); // checkPublicKey: 32 bytes too
  return ok(key);
}

/**
 * The public key of a cross-signing key of `usage` for `userId`, if it is well formed and carries
 * a valid signature by `mskPublicKey`. This is the RSK→MSK and SSK→MSK check.
 */
export function verifySubkey(
  csk: unknown,
  userId: string,
  usage: CrossSigningUsage,
  mskPublicKey: Uint8Array,
  backend: Ed25519Backend = defaultBackend(),
): Result<Uint8Array, KeyRejection> {
  const pub = crossSigningPublicKey(csk, { userId, usage });
  if (!pub.ok) return pub;
  const sig = verifySignedJson(csk, userId, keyIdOf(mskPublicKey), mskPublicKey, backend);
  return sig.ok ? pub : fail({ signature: sig.error });
}

/**
 * Device keys for `deviceId`, self-signed by the device key and signed by the user's SSK (unless
 * `ssk` is undefined). `curve25519` is the device's encryption key, unpadded base64, if it has one.
 */
export function makeDeviceKeys(
  userId: string,
  deviceId: string,
  deviceKey: SigningKey,
  ssk: SigningKey | undefined,
  backend: Ed25519Backend = defaultBackend(),
  curve25519?: string,
): DeviceKeys {
  const device: DeviceKeys = {
    user_id: userId,
    device_id: deviceId,
    algorithms: [...DEVICE_ALGORITHMS],
    keys: {
      [`ed25519:${deviceId}`]: encodeBase64(deviceKey.publicKey),
      ...(curve25519 ? { [`curve25519:${deviceId}`]: curve25519 } : {}),
    },
  };
  const selfSigned = signJson(device, userId, `ed25519:${deviceId}`, deviceKey, backend);
  return ssk ? signJson(selfSigned, userId, keyIdOf(ssk.publicKey), ssk, backend) : selfSigned;
}

/**
 * Is `device` trusted under the master key `mskPublicKey`? True only if the SSK is signed by that
 * MSK, the device is signed by that SSK, and the device signs itself. This is the check that stops
 * a server from inserting devices (MSC3917: "Devices that claim to belong to a user, but are not
 * signed by a Self-Signing Key signed by that particular MSK, must not be treated as belonging in
 * the room"). Never throws.
 */
export function isDeviceTrusted(
  device: unknown,
  ssk: unknown,
  userId: string,
  mskPublicKey: Uint8Array,
  backend: Ed25519Backend = defaultBackend(),
): Result<true, KeyRejection> {
  const sskPub = verifySubkey(ssk, userId, "self_signing", mskPublicKey, backend);
  if (!sskPub.ok) return sskPub;
  if (!isJsonObject(device) || typeof device.device_id !== "string" || !isJsonObject(device.keys))
    return fail("malformed");
  if (device.user_id !== userId) return fail("wrong_user");
  const devKeyText = device.keys[`ed25519:${device.device_id}`];
  if (typeof devKeyText !== "string") return fail("malformed");
  const devKey = decodeBase64(devKeyText, { expectedLength: PUBLIC_KEY_LENGTH });
  if (!devKey.ok) return fail("bad_public_key");
  const bySsk = verifySignedJson(device, userId, keyIdOf(sskPub.value), sskPub.value, backend);
  if (!bySsk.ok) return fail({ signature: bySsk.error });
  const bySelf = verifySignedJson(device, userId, `ed25519:${device.device_id}`, devKey.value, backend);
  if (!bySelf.ok) return fail({ signature: bySelf.error });
  return ok(true);
}

/**
 * Of the device list a server returns for `userId` (`/keys/query`), keep only the devices signed
 * by the SSK that the verified MSK signs. Everything else is reported with why it was dropped.
 * Never throws.
 */
export function trustedDevices(
  userId: string,
  mskPublicKey: Uint8Array,
  ssk: unknown,
  devices: readonly unknown[],
  backend: Ed25519Backend = defaultBackend(),
): { trusted: DeviceKeys[]; rejected: { device_id: string; reason: KeyRejection }[] } {
  const trusted: DeviceKeys[] = [];
  const rejected: { device_id: string; reason: KeyRejection }[] = [];
  for (const device of devices) {
    const verdict = isDeviceTrusted(device, ssk, userId, mskPublicKey, backend);
    if (verdict.ok) trusted.push(device as DeviceKeys);
    else
      rejected.push({
        device_id: isJsonObject(device) && typeof device.device_id === "string" ? device.device_id : "(unknown)",
        reason: verdict.error,
      });
  }
  return { trusted, rejected };
}
