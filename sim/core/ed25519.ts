/**
 * Ed25519 behind one small interface, with two backends (DESIGN.md §4):
 * - `node`: node:crypto (OpenSSL). The default: about 14x faster than pure JS for verification.
 * - `noble`: @noble/ed25519 point arithmetic. Portable pure JS, and a cross-check of `node`.
 *
 * Policy: verification is strict and libsodium-compatible, which is what matrix-org's signedjson
 * (via PyNaCl) enforces. Clients that disagree about which signatures are valid disagree about who
 * is in a room, so the rules are fixed here, in one place, and run in front of *both* backends:
 * - the public key A must be a canonical encoding (y < p, and no "negative zero" x), must decode to
 *   a curve point, and must not be of small order (the 8-torsion subgroup);
 * - R must be a canonical encoding and must not be of small order;
 * - S must be below the group order L;
 * - the equation is cofactorless, [S]B = R + [k]A, compared on the encoding of R, as libsodium and
 *   OpenSSL do. (noble's own `verify` is cofactored, so the noble backend does not call it.)
 * OpenSSL 3.0 alone accepts the identity point as A, and with R = identity and S = 0 then accepts
 * any message: these checks are what stop that.
 */
import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify, type KeyObject } from "node:crypto";
import * as ed from "@noble/ed25519";
import { sha512 } from "@noble/hashes/sha2.js";
import { encodeBase64Url } from "./base64.ts";
import { BoundedCache } from "./bounded-cache.ts";

ed.hashes.sha512 = sha512;

export const PUBLIC_KEY_LENGTH = 32;
export const SEED_LENGTH = 32;
export const SIGNATURE_LENGTH = 64;

/** Field prime p = 2^255 - 19. */
const P = 2n ** 255n - 19n;
/** Group order L = 2^252 + 27742317777372353535851937790883648493 (RFC 8032 §5.1). */
export const L = 2n ** 252n + 27742317777372353535851937790883648493n;

/** Why a signature was refused. The same code comes from either backend. */
export type Ed25519Rejection =
  | "bad_length"
  | "key_non_canonical"
  | "key_not_on_curve"
  | "key_small_order"
  | "r_non_canonical"
  | "r_small_order"
  | "s_not_reduced"
  | "bad_signature";

export type Ed25519Verdict = { ok: true } | { ok: false; reason: Ed25519Rejection };

export type BackendName = "node" | "noble";

export interface Ed25519Backend {
  readonly name: string;
  /** The public key of the private key whose RFC 8032 seed is `seed`. */
  publicKeyFromSeed(seed: Uint8Array): Uint8Array;
  /** A deterministic RFC 8032 signature. */
  sign(seed: Uint8Array, message: Uint8Array): Uint8Array;
  /** The cofactorless equation only. Call `verifyEd25519`, which applies the policy first. */
  verifyEquation(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}

function littleEndian(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

/**
 * y coordinates of the 8 small-order points: identity (1), order 2 (p-1), order 4 (0, twice),
 * order 8 (y8 and p-y8, twice each). y8 is from libsodium's `ge25519_has_small_order` list; the
 * test suite checks with noble that these are exactly the torsion subgroup.
 */
const Y8 = littleEndian(
  Uint8Array.from(Buffer.from("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", "hex")),
);
const SMALL_ORDER_Y: readonly Uint8Array[] = [0n, 1n, P - 1n, Y8, P - Y8].map((y) =>
  Uint8Array.from(Buffer.from(y.toString(16).padStart(64, "0"), "hex").reverse()),
);
const L_BYTES = Uint8Array.from(Buffer.from(L.toString(16).padStart(64, "0"), "hex").reverse());

/** Is the 255-bit little-endian y of `point` at least p = 2^255 - 19, i.e. a non-canonical encoding? */
function yNotReduced(point: Uint8Array, at = 0): boolean {
  if ((point[at + 31]! & 0x7f) !== 0x7f || point[at]! < 0xed) return false;
  for (let i = 1; i < 31; i++) if (point[at + i] !== 0xff) return false;
  return true;
}

/** Is the point at `point[at..at+32]` one of the small-order encodings (either sign of x)? */
function isSmallOrderY(point: Uint8Array, at = 0): boolean {
  next: for (const y of SMALL_ORDER_Y) {
    for (let i = 0; i < 31; i++) if (point[at + i] !== y[i]) continue next;
    if ((point[at + 31]! & 0x7f) === y[31]) return true;
  }
  return false;
}

/** Is the little-endian scalar S at `s[at..at+32]` at least L? */
function sNotReduced(s: Uint8Array, at = 0): boolean {
  for (let i = 31; i >= 0; i--) if (s[at + i] !== L_BYTES[i]) return s[at + i]! > L_BYTES[i]!;
  return true;
}

/**
 * Checks on R and S: byte comparisons at offsets 0 and 32, no point decompression, no bigints and
 * no subarray views (this runs per signature).
 */
function checkSignatureEncoding(signature: Uint8Array): Ed25519Rejection | null {
  if (yNotReduced(signature, 0)) return "r_non_canonical";
  if (isSmallOrderY(signature, 0)) return "r_small_order";
  if (sNotReduced(signature, 32)) return "s_not_reduced";
  return null;
}

/** y = 1 (the identity) and y = p - 1 (order 2): the only points with x = 0. */
function xIsZero(point: Uint8Array): boolean {
  // Of the 5 small-order y values, only 1 and p - 1 (= 2^255 - 20) have these low bytes.
  return isSmallOrderY(point) && (point[0] === 0x01 || point[0] === 0xec);
}

/**
 * The checks on a public key that need no point decompression: y < p, and not one of the small-order
 * points (compared by y: the 8-torsion points are exactly those with one of the 5 y values, and
 * for y = 1 or p - 1, where x = 0, a set sign bit is the non-canonical "negative zero").
 */
function checkKeyEncoding(publicKey: Uint8Array): Ed25519Rejection | null {
  if (yNotReduced(publicKey)) return "key_non_canonical";
  if (isSmallOrderY(publicKey))
    return xIsZero(publicKey) && publicKey[31]! & 0x80 ? "key_non_canonical" : "key_small_order";
  return null;
}

/** Enough for the distinct keys (MSK and RSK per member) of a 10^5-member room. */
const MAX_CACHED_KEYS = 1 << 18;
/** Memo of the public-key check, which needs a point decompression. */
const keyChecks = new BoundedCache<string, Ed25519Rejection | null>(MAX_CACHED_KEYS);

const keyText = (publicKey: Uint8Array): string =>
  Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength).toString("latin1");

/**
 * `keyText` of a public key, made once per key object: a verifier passes the same object for a key
 * at every check (sim/core/verify-membership.ts decodes each key text once). The text is compared
 * with the object's bytes at every use, and made again if they have changed since.
 */
const publicKeyTexts = new WeakMap<Uint8Array, string>();
function publicKeyText(publicKey: Uint8Array): string {
  const known = publicKeyTexts.get(publicKey);
  // The text is latin1, one character per byte: it is its own copy of the bytes it was made from.
  if (known !== undefined && known.length === publicKey.length) {
    let same = true;
    for (let i = 0; same && i < known.length; i++) same = known.charCodeAt(i) === publicKey[i];
    if (same) return known;
  }
  const text = keyText(publicKey);
  publicKeyTexts.set(publicKey, text);
  return text;
}

/**
 * Forget every remembered key verdict, node:crypto key object, public key and signature: for tests
 * that need a key checked as on its first use, and benchmarks that compare with a process meeting
 * the keys (and messages) for the first time.
 */
export function forgetKeyChecks(): void {
  keyChecks.clear();
  nodePublicKeys.clear();
  nodePrivateKeys.clear();
  nodePublicKeysOfSeeds.clear();
  signatures.clear();
}

const remember = (id: string, verdict: Ed25519Rejection | null): Ed25519Rejection | null => keyChecks.set(id, verdict);

/**
 * Policy: a public key that a built-in backend derived from a seed passes the key check without
 * one: it is [s]B for a clamped scalar s (a multiple of 8, below 8ℓ, so not a multiple of ℓ), a
 * point of order ℓ, never of small order, and both backends encode it canonically. The test suite
 * checks derived keys against the full check. Only keys this process derived are known this way;
 * every key read from a room is checked.
 */
const knownGood = (id: string): void => {
  if (keyChecks.get(id) === undefined) remember(id, null);
};

/** Why `publicKey` can never verify anything under the policy, or null if it is acceptable. */
export function checkPublicKey(publicKey: Uint8Array): Ed25519Rejection | null {
  if (publicKey.length !== PUBLIC_KEY_LENGTH) return "bad_length";
  const id = publicKeyText(publicKey);
  const cached = keyChecks.get(id);
  if (cached !== undefined) return cached;
  return remember(id, checkKeyEncoding(publicKey) ?? checkOnCurve(publicKey));
}

/** The key decodes to a curve point (its encoding passed `checkKeyEncoding`). One decompression. */
function checkOnCurve(publicKey: Uint8Array): Ed25519Rejection | null {
  try {
    ed.Point.fromBytes(publicKey, false);
    return null;
  } catch {
    // y < p, and x = 0 with the sign bit set, were refused by checkKeyEncoding: what is left is no such x.
    return "key_not_on_curve";
  }
}

/**
 * Verify `signature` over `message` under `publicKey`, with the strict policy above. Never throws.
 *
 * Policy: every check of the policy runs, each key's at most once. The on-curve check of a key not
 * seen before is the one that costs (a point decompression, about as much as the verification);
 * with the two built-in backends it is left to the equation, which decodes A strictly and fails
 * when A is not on the curve (OpenSSL's `ge_frombytes_vartime`; noble's `Point.fromBytes(…, false)`),
 * so a signature that verifies proves it. A signature that does not verify gets the full key check,
 * so that its reason is the same as if the key had been checked first. Other backends get the
 * full key check first: only the built-in two, and wrappers registered by `wrapsStrictDecoder`,
 * are known to decode A strictly.
 */
export function verifyEd25519(
  signature: Uint8Array,
  message: Uint8Array,
  publicKey: Uint8Array,
  backend: Ed25519Backend = defaultBackend(),
): Ed25519Verdict {
  if (signature.length !== SIGNATURE_LENGTH || publicKey.length !== PUBLIC_KEY_LENGTH)
    return { ok: false, reason: "bad_length" };
  const id = publicKeyText(publicKey);
  let keyVerdict = keyChecks.get(id);
  if (keyVerdict === undefined) {
    const encoding = checkKeyEncoding(publicKey);
    if (encoding !== null || !strictDecoders.has(backend))
      keyVerdict = remember(id, encoding ?? checkOnCurve(publicKey));
  }
  if (keyVerdict) return { ok: false, reason: keyVerdict };
  const sigReason = checkSignatureEncoding(signature);
  if (sigReason)
    return { ok: false, reason: keyVerdict === undefined ? (checkPublicKey(publicKey) ?? sigReason) : sigReason };
  let valid: boolean;
  try {
    valid = backend.verifyEquation(signature, message, publicKey);
  } catch {
    valid = false; // a backend that throws has not verified anything
  }
  if (valid) {
    if (keyVerdict === undefined) remember(id, null); // the equation decoded A: it is on the curve
    return { ok: true };
  }
  const reason = keyVerdict === undefined ? checkPublicKey(publicKey) : null;
  return { ok: false, reason: reason ?? "bad_signature" };
}

// ---------------------------------------------------------------------------------------------
// node:crypto backend

/** PKCS#8 prefix of an Ed25519 private key (RFC 8410): the seed follows it. */
const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

// Policy: the node backend's memos of private material (key objects, public keys and signatures)
// are keyed by the seed's bytes as a string, for the life of the process or until
// `forgetKeyChecks()`. JavaScript cannot wipe a string, so a client that must drop a key from
// memory cannot rely on this backend to do it; it is made for signing and verifying many times with
// few long-lived keys, which is what clients and the simulation do.
const nodePrivateKeys = new BoundedCache<string, KeyObject>(MAX_CACHED_KEYS);

/**
 * A seed as node's private key object, as a JWK or as PKCS#8 DER (either throws if node refuses
 * it). The JWK is about 10 times faster on Node 20 (the DER goes through OpenSSL's generic key
 * loader); node derives the public key from `d` and ignores `x`, which must only be a string. A
 * test checks that both give the same keys and signatures.
 */
export const importSeedJwk = (seed: Uint8Array): KeyObject =>
  createPrivateKey({ key: { kty: "OKP", crv: "Ed25519", d: encodeBase64Url(seed), x: "" }, format: "jwk" });
export const importSeedDer = (seed: Uint8Array): KeyObject =>
  createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: "der", type: "pkcs8" });

/** The seed's key object, once per seed: as a JWK, or through DER on a Node that checks `x` against `d`. */
function nodePrivateKey(seed: Uint8Array): KeyObject {
  return nodePrivateKeys.getOrSet(keyText(seed), () => {
    try {
      return importSeedJwk(seed);
    } catch {
      return importSeedDer(seed); // loudly wrong, never quietly: DER has no `x` to disagree with
    }
  });
}

const nodePublicKeys = new BoundedCache<string, KeyObject>(MAX_CACHED_KEYS);
/** The public key of each seed, once per seed. */
const nodePublicKeysOfSeeds = new BoundedCache<string, Uint8Array>(MAX_CACHED_KEYS);
/** Signatures made, by seed and message; bounded to 4096 messages of at most 4 KB (16 MB at most). */
const signatures = new BoundedCache<string, Uint8Array>(4096);
const MAX_REMEMBERED_MESSAGE = 4096;

/** node's key object for `publicKey`, once per key. */
function nodePublicKey(publicKey: Uint8Array): KeyObject {
  return nodePublicKeys.getOrSet(publicKeyText(publicKey), () =>
    createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: encodeBase64Url(publicKey) }, format: "jwk" }),
  );
}

export const nodeBackend: Ed25519Backend = {
  name: "node",
  publicKeyFromSeed(seed) {
    assertSeed(seed);
    const id = keyText(seed);
    const publicKey = nodePublicKeysOfSeeds.getOrSet(id, () => {
      const keyObject = createPublicKey(nodePrivateKey(seed));
      const bytes = new Uint8Array(Buffer.from(keyObject.export({ format: "jwk" }).x!, "base64url"));
      // The key object made here is the one a verification under these bytes needs: keep it.
      const text = keyText(bytes);
      if (nodePublicKeys.get(text) === undefined) nodePublicKeys.set(text, keyObject);
      knownGood(text);
      return bytes;
    });
    return Uint8Array.from(publicKey); // a copy: the caller owns it
  },
  sign(seed, message) {
    assertSeed(seed);
    // Ed25519 signatures are deterministic (RFC 8032): the same seed and message give the same
    // bytes, so a signature made again (a simulated run replayed while shrinking, say) is looked up.
    if (message.length > MAX_REMEMBERED_MESSAGE) return new Uint8Array(nodeSign(null, message, nodePrivateKey(seed)));
    const signature = signatures.getOrSet(
      `${keyText(seed)}${keyText(message)}`,
      () => new Uint8Array(nodeSign(null, message, nodePrivateKey(seed))),
    );
    return Uint8Array.from(signature);
  },
  verifyEquation(signature, message, publicKey) {
    return nodeVerify(null, message, nodePublicKey(publicKey), signature);
  },
};

// ---------------------------------------------------------------------------------------------
// @noble/ed25519 backend

export const nobleBackend: Ed25519Backend = {
  name: "noble",
  publicKeyFromSeed(seed) {
    assertSeed(seed);
    const publicKey = ed.getPublicKey(seed);
    knownGood(publicKeyText(publicKey));
    return publicKey;
  },
  sign(seed, message) {
    assertSeed(seed);
    return ed.sign(message, seed);
  },
  verifyEquation(signature, message, publicKey) {
    // Cofactorless, as libsodium: [S]B - [k]A must encode to exactly the bytes of R.
    const A = ed.Point.fromBytes(publicKey, false);
    const r = signature.subarray(0, 32);
    const s = littleEndian(signature.subarray(32, 64));
    const k = ed.etc.mod(littleEndian(sha512(Buffer.concat([r, publicKey, message]))), L);
    const rCheck = ed.Point.BASE.multiply(s, false).subtract(A.multiply(k, false));
    return Buffer.compare(rCheck.toBytes(), r) === 0;
  },
};

function assertSeed(seed: Uint8Array): void {
  if (!(seed instanceof Uint8Array) || seed.length !== SEED_LENGTH)
    throw new TypeError(`ed25519: a seed is ${SEED_LENGTH} bytes`);
}

/**
 * Policy: the backends whose `verifyEquation` is false for every public key that does not decode to
 * a curve point: node's (OpenSSL's `ge_frombytes_vartime`) and noble's (`Point.fromBytes(…, false)`).
 * Membership is by identity, so an object made by spreading one of them (`{ ...nodeBackend,
 * verifyEquation }`) is not in it.
 */
const strictDecoders = new WeakSet<Ed25519Backend>([nodeBackend, nobleBackend]);

/**
 * Declare that `wrapper`'s equations are `inner`'s answers (a cache of them, say), so that it decodes
 * keys strictly exactly when `inner` does. Returns `wrapper`.
 */
export function wrapsStrictDecoder<B extends Ed25519Backend>(wrapper: B, inner: Ed25519Backend): B {
  if (strictDecoders.has(inner)) strictDecoders.add(wrapper);
  return wrapper;
}

// ---------------------------------------------------------------------------------------------
// Equations answered at once and checked in batches

/**
 * Equations a speculative run checks together, back to back. OpenSSL verifies faster that way than
 * interleaved with the verifier's own JavaScript: on the 2,000-member bench room, batches of 4 or
 * 16 cut about 6% of the whole verification's CPU time, and batches of 1 nothing
 * (bench/membership.bench.ts measures the verifier with them). Sixteen messages are all a batch holds.
 */
const SPECULATION_BATCH = 16;
/**
 * Message bytes a speculative run keeps for the answers of its second run, if it needs one. Past
 * it, the second run asks the backend again: time, never a different answer.
 *
 * Policy: 8 MB. A room with no bad signature (every honest one) never runs twice, so what is kept
 * is used only for a room that has one, and then saves at most the cryptography of the equations
 * checked before it. At 64 MB, kept as one buffer per message, the records raised the peak memory
 * of a 10^5-member room through the CLI by about 270 MB (to 1.72 GB, over its budget of 1.5 GB).
 * At 8 MB, copied into chunks (MessageStore), a 2,000-member room's equations (about 4 MB of
 * messages) are all kept; a larger room with a bad signature costs at most one more pass of its
 * cryptography, which is still linear in the room.
 */
const MAX_RECORDED_BYTES = 8 << 20;

/**
 * Copies of messages, kept in chunks of 1 MB: a checked equation's message is kept as a view of a
 * chunk, so that its own buffer dies young instead of every kept message being one more buffer
 * for the garbage collector to move and track. A message of more than 64 KB is kept as it is.
 */
export class MessageStore {
  private chunk = new Uint8Array(0);
  private at = 0;

  keep(message: Uint8Array): Uint8Array {
    const n = message.length;
    if (n > MESSAGE_CHUNK >> 4) return message;
    if (this.at + n > this.chunk.length) {
      this.chunk = new Uint8Array(MESSAGE_CHUNK);
      this.at = 0;
    }
    this.chunk.set(message, this.at);
    return this.chunk.subarray(this.at, (this.at += n));
  }
}
const MESSAGE_CHUNK = 1 << 20;

/** Equations already checked, found by their exact bytes. */
export class CheckedEquations {
  private readonly byKey = new Map<string, { message: Uint8Array; valid: boolean }[]>();
  private bytes = 0;

  constructor(private readonly maxBytes = MAX_RECORDED_BYTES) {}

  /** Keep `valid` as the answer for these bytes, unless the bound is reached. The arrays are kept, not copied. */
  add(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array, valid: boolean): void {
    if (this.bytes + message.length > this.maxBytes) return;
    this.bytes += message.length;
    const key = equationKey(signature, publicKey);
    const list = this.byKey.get(key);
    if (list) list.push({ message, valid });
    else this.byKey.set(key, [{ message, valid }]);
  }

  /** The answer kept for exactly these bytes, if there is one. */
  get(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean | undefined {
    const list = this.byKey.get(equationKey(signature, publicKey));
    if (!list) return undefined;
    for (const e of list) if (Buffer.compare(e.message, message) === 0) return e.valid;
    return undefined;
  }

  /** A backend answering from these, and asking `backend` about anything else. */
  answering(backend: Ed25519Backend): Ed25519Backend {
    const answering: Ed25519Backend = {
      name: `${backend.name} (answered)`,
      publicKeyFromSeed: (seed) => backend.publicKeyFromSeed(seed),
      sign: (seed, message) => backend.sign(seed, message),
      verifyEquation: (signature, message, publicKey) =>
        this.get(signature, message, publicKey) ?? backend.verifyEquation(signature, message, publicKey),
    };
    // Its answers are `backend`'s: it refuses an off-curve key exactly when `backend` does.
    return wrapsStrictDecoder(answering, backend);
  }
}

/** Lengths first, so that no two different (signature, key) pairs make the same text. */
const equationKey = (signature: Uint8Array, publicKey: Uint8Array): string =>
  `${signature.length}:${keyText(signature)}${publicKeyText(publicKey)}`;

/**
 * Run `work` with a backend that answers every equation "holds" at once, and checks those answers
 * with `backend`, SPECULATION_BATCH at a time, back to back; returns what `work` returned.
 *
 * Policy: a result computed on speculative answers is returned only when every one of them was
 * checked by `backend` and held. Then `work` saw exactly the answers `backend` gives, so it ran as
 * it would have on `backend` itself (`work` must depend on nothing but its input and those
 * answers). When one did not hold, that run's result is thrown away, and `work` runs a second time
 * on `backend`, with the equations already checked answered from their exact bytes
 * (`CheckedEquations`): one failed signature costs the JavaScript of a second run, not a second
 * run's cryptography. Once an answer has failed, the rest of the first run is answered "holds"
 * without a check, so that it finishes cheaply.
 *
 * The key verdicts `verifyEd25519` remembers are kept true: a speculative "holds" made it remember
 * its key as on the curve, so the key of every equation that failed, or was never checked, is
 * forgotten again (and checked in full when it next fails).
 */
export function speculate<T>(backend: Ed25519Backend, work: (backend: Ed25519Backend) => T): T {
  // Every equation asked, in order; those before `checked` have their answer in `valid`. Kept as
  // arrays (the map of CheckedEquations is made only for a second run), and dropped, all but the
  // open batch, once their messages pass MAX_RECORDED_BYTES.
  const signatures: Uint8Array[] = [];
  const messages: Uint8Array[] = [];
  const keys: Uint8Array[] = [];
  const valid: boolean[] = [];
  let checked = 0;
  let bytes = 0;
  let failed = false;
  /** Keys whose "holds" was wrong or never checked: forgotten once the run is over (verifyEd25519 remembers after asking). */
  const forget: Uint8Array[] = [];
  const store = new MessageStore();
  const flush = (): void => {
    for (; checked < signatures.length; checked++) {
      let holds: boolean;
      try {
        holds = backend.verifyEquation(signatures[checked]!, messages[checked]!, keys[checked]!);
      } catch {
        holds = false; // as verifyEd25519: a backend that throws has not verified anything
      }
      valid.push(holds);
      messages[checked] = store.keep(messages[checked]!);
      if (!holds) {
        failed = true;
        forget.push(keys[checked]!);
      }
    }
    if (bytes > MAX_RECORDED_BYTES) {
      signatures.length = messages.length = keys.length = valid.length = checked = bytes = 0;
    }
  };
  const speculating: Ed25519Backend = {
    name: `${backend.name} (speculative)`,
    publicKeyFromSeed: (seed) => backend.publicKeyFromSeed(seed),
    sign: (seed, message) => backend.sign(seed, message),
    verifyEquation(signature, message, publicKey) {
      if (failed) {
        forget.push(publicKey);
        return true;
      }
      signatures.push(signature);
      messages.push(message);
      keys.push(publicKey);
      bytes += message.length;
      if (signatures.length - checked >= SPECULATION_BATCH) flush();
      return true;
    },
  };
  wrapsStrictDecoder(speculating, backend);
  let result: T;
  try {
    result = work(speculating);
  } finally {
    flush();
    for (const publicKey of forget) keyChecks.delete(publicKeyText(publicKey));
  }
  if (!failed) return result;
  const answers = new CheckedEquations();
  for (let i = 0; i < valid.length; i++) answers.add(signatures[i]!, messages[i]!, keys[i]!, valid[i]!);
  return work(answers.answering(backend));
}

/** Where a speculative run's equations are checked elsewhere: on worker threads, say. */
export interface EquationChecker {
  /** Take an equation to check; its answer is at the same index (counting from 0) in `settle`'s. */
  submit(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): void;
  /** The answers, true where the equation held, to everything submitted, in order. */
  settle(): Promise<ArrayLike<boolean | number>>;
}

/**
 * `speculate`, with the checks made by `checker` while `work` runs, and awaited after it:
 * `checker`'s answers must be `backend`'s (the same backend on another thread). The same policy:
 * the first run's result is returned only if every equation held, and otherwise `work` runs again
 * on `backend`, answered from `checker`'s results by exact bytes.
 *
 * Policy: the key verdicts remembered on a speculative "holds" stay out of the memo until that
 * "holds" is confirmed. Once `work` returns (or throws), the key of every equation submitted is
 * forgotten; when the answers come, the key of each equation that held is remembered as on the
 * curve (a strict decoder decoded it), and the others are checked in full when next used. So
 * other verifications that run while the checks are out never see a verdict no check has made.
 */
export async function speculateAsync<T>(
  backend: Ed25519Backend,
  checker: EquationChecker,
  work: (backend: Ed25519Backend) => T,
): Promise<T> {
  const signatures: Uint8Array[] = [];
  const messages: Uint8Array[] = [];
  const keys: Uint8Array[] = [];
  const speculating: Ed25519Backend = {
    name: `${backend.name} (checked elsewhere)`,
    publicKeyFromSeed: (seed) => backend.publicKeyFromSeed(seed),
    sign: (seed, message) => backend.sign(seed, message),
    verifyEquation(signature, message, publicKey) {
      signatures.push(signature);
      messages.push(message);
      keys.push(publicKey);
      checker.submit(signature, message, publicKey);
      return true;
    },
  };
  wrapsStrictDecoder(speculating, backend);
  let result: T;
  try {
    result = work(speculating);
  } finally {
    for (const publicKey of keys) keyChecks.delete(publicKeyText(publicKey));
  }
  const answers = await checker.settle();
  if (answers.length !== signatures.length)
    throw new Error(`speculateAsync: ${answers.length} answers to ${signatures.length} equations`);
  let failed = false;
  const strict = strictDecoders.has(backend);
  for (let i = 0; i < answers.length; i++) {
    if (!answers[i]) failed = true;
    else if (strict) knownGood(publicKeyText(keys[i]!));
  }
  if (!failed) return result;
  const checked = new CheckedEquations();
  for (let i = 0; i < answers.length; i++) checked.add(signatures[i]!, messages[i]!, keys[i]!, Boolean(answers[i]));
  return work(checked.answering(backend));
}

export const backends: Readonly<Record<BackendName, Ed25519Backend>> = { node: nodeBackend, noble: nobleBackend };

/** The backend used when none is passed: `node`. */
export function defaultBackend(): Ed25519Backend {
  return nodeBackend;
}

/** A key pair made from a seed; the object a signer holds. */
export interface SigningKey {
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
}

export function signingKeyFromSeed(seed: Uint8Array, backend: Ed25519Backend = defaultBackend()): SigningKey {
  return { seed: Uint8Array.from(seed), publicKey: backend.publicKeyFromSeed(seed) };
}

export function signEd25519(
  key: SigningKey,
  message: Uint8Array,
  backend: Ed25519Backend = defaultBackend(),
): Uint8Array {
  return backend.sign(key.seed, message);
}
