/**
 * Signing JSON (Matrix spec, appendices §Signing JSON).
 *
 * To sign: remove `signatures` and `unsigned`, sign the canonical JSON bytes, add the signature as
 * `signatures[entity]["ed25519:<key id>"]` (unpadded standard base64) next to any signatures that
 * were already there, and put `unsigned` back.
 */
import { decodeBase64, encodeBase64 } from "./base64.ts";
import { CanonicalJsonError, canonicalJsonBytes, canonicalJsonView, isJsonObject } from "./canonical-json.ts";
import {
  type Ed25519Backend,
  type Ed25519Rejection,
  SIGNATURE_LENGTH,
  type SigningKey,
  defaultBackend,
  signEd25519,
  verifyEd25519,
} from "./ed25519.ts";
import { type Result, fail, ok } from "./result.ts";

export type Signatures = Record<string, Record<string, string>>;

/** Why a signed object did not verify. */
export type SignedJsonRejection =
  | "not_an_object"
  | "bad_key_id"
  | "signature_missing"
  | "signature_malformed"
  | "not_canonical_json"
  | Ed25519Rejection;

const KEY_ID = /^ed25519:[^\s]+$/;

/** Parse `ed25519:<id>`; only Ed25519 is used by Matrix signing. */
export function isEd25519KeyId(keyId: string): boolean {
  return typeof keyId === "string" && KEY_ID.test(keyId);
}

/** The bytes a signature covers: the canonical JSON of `obj` without `signatures` and `unsigned`. */
export function signedBytes(obj: object): Uint8Array {
  return canonicalJsonBytes(obj, NOT_SIGNED);
}

/** `signedBytes`, as a read-only view (`canonicalJsonView`): for a message that is only checked. */
export function signedView(obj: object): Uint8Array {
  return canonicalJsonView(obj, NOT_SIGNED);
}

const NOT_SIGNED: ReadonlySet<string> = new Set(["signatures", "unsigned"]);

/**
 * Return a copy of `obj` with a signature by `key` added under `signatures[entity][keyId]`.
 * Existing signatures are kept. Throws on a malformed key ID or on values canonical JSON forbids.
 */
export function signJson<T extends object>(
  obj: T,
  entity: string,
  keyId: string,
  key: SigningKey,
  backend: Ed25519Backend = defaultBackend(),
): T & { signatures: Signatures } {
  if (!isEd25519KeyId(keyId))
    throw new TypeError(`signJson: key id must look like "ed25519:<id>", got ${JSON.stringify(keyId)}`);
  const signature = encodeBase64(signEd25519(key, signedBytes(obj), backend));
  const existing = (obj as { signatures?: unknown }).signatures;
  const previous = isJsonObject(existing) ? (existing as Signatures) : {};
  const signatures: Signatures = { ...previous, [entity]: { ...(previous[entity] ?? {}), [keyId]: signature } };
  return { ...obj, signatures };
}

function own(o: Record<string, unknown>, k: string): unknown {
  return Object.hasOwn(o, k) ? o[k] : undefined;
}

/** The signature `signatures[entity][keyId]` on `obj`, if there is one and it is a string. */
export function signatureOf(obj: unknown, entity: string, keyId: string): string | undefined {
  if (!isJsonObject(obj)) return undefined;
  const signatures = own(obj, "signatures");
  if (!isJsonObject(signatures)) return undefined;
  const byEntity = own(signatures, entity);
  if (!isJsonObject(byEntity)) return undefined;
  const sig = own(byEntity, keyId);
  return typeof sig === "string" ? sig : undefined;
}

/**
 * Check the signature `signatures[entity][keyId]` on `obj` against `publicKey`.
 * Never throws: any input gets a result.
 */
export function verifySignedJson(
  obj: unknown,
  entity: string,
  keyId: string,
  publicKey: Uint8Array,
  backend: Ed25519Backend = defaultBackend(),
): Result<true, SignedJsonRejection> {
  if (!isJsonObject(obj)) return fail("not_an_object");
  if (!isEd25519KeyId(keyId)) return fail("bad_key_id");
  const text = signatureOf(obj, entity, keyId);
  if (text === undefined) return fail("signature_missing");
  const sig = decodeBase64(text, { expectedLength: SIGNATURE_LENGTH });
  if (!sig.ok) return fail("signature_malformed");
  let message: Uint8Array;
  try {
    message = signedView(obj);
  } catch (e) {
    if (e instanceof CanonicalJsonError) return fail("not_canonical_json");
    throw e;
  }
  const verdict = verifyEd25519(sig.value, message, publicKey, backend);
  return verdict.ok ? VERIFIED : fail(verdict.reason);
}

const VERIFIED: Result<true, SignedJsonRejection> = Object.freeze(ok(true as const));
