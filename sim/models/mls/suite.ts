/**
 * The MLS ciphersuite the `mls` model runs, MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519 (RFC 9420
 * §17.1, the mandatory-to-implement suite), as ts-mls implements it, with every random draw taken
 * from the simulation's seeded source instead of `crypto.getRandomValues`.
 *
 * ts-mls draws randomness in four places, and each is replaced here, keeping the library's own code
 * for everything else:
 * - `CiphersuiteImpl.rng` (path secrets, the first epoch secret, reuse guards, PSK nonces): the
 *   library takes it as a field, so it is injected as is;
 * - `hpke.generateKeyPair` (KeyPackage init and leaf keys): replaced by the library's own
 *   `hpke.deriveKeyPair` (RFC 9180 §7.1.3) on seeded bytes;
 * - `signature.keygen` (Ed25519): a seeded 32-byte secret, its public key from node's backend;
 *   `signature.sign` signs with node's backend (sim/core/ed25519.ts), which keeps each seed's key
 *   object, where the library's imports the PKCS#8 key again at every signature (about 10x the
 *   signature's own cost). Ed25519 signing is deterministic (RFC 8032): the same bytes either way;
 * - the HPKE ephemeral key inside `hpke.seal` and `hpke.exportSecret` (Welcome secrets, UpdatePath
 *   encryption, external joins): @hpke/core's `ekm` parameter (RFC 9180 §7.1.3, DeriveKeyPair of
 *   the ephemeral), on a CipherSuite built like the library's own.
 *
 * The hash, the KDF and signature verification are the same functions computed synchronously:
 * the library's default provider calls WebCrypto, whose every operation is a round trip through
 * libuv's thread pool (plus a key import for each HMAC and each signature check), which left this
 * model's thread idle two thirds of the time. SHA-256 and HMAC are node:crypto's (OpenSSL, as
 * WebCrypto is underneath), HKDF's extract and expand are @noble/hashes' (RFC 5869), and Ed25519
 * verification is node:crypto's `verify` on a key object kept per public key, the same OpenSSL
 * check WebCrypto makes. Same bytes, same verdicts; the suite test compares them with the
 * library's own.
 *
 * Two more sources stay and reach nothing observable: GREASE values (`Math.random`) only enter
 * `defaultCapabilities()`, which this model never calls; the lifetime check (`Date.now`) compares
 * against `defaultLifetime`, 0 to 2^63-1, which every clock satisfies.
 */
import { Aes128Gcm, CipherSuite, HkdfSha256 } from "@hpke/core";
import { Dhkem, KemId, XCurveDhkemPrimitives } from "@hpke/common";
import { makeGenericHpke } from "ts-mls/crypto/implementation/hpke.js";
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  type KeyObject,
  timingSafeEqual,
  verify,
} from "node:crypto";
import { expand, extract } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { type CiphersuiteImpl, getCiphersuiteFromName, getCiphersuiteImpl } from "ts-mls";
import { SEED_LENGTH, nodeBackend } from "../../core/ed25519.ts";
import { BoundedCache } from "../../core/bounded-cache.ts";

export const SUITE_NAME = "MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519" as const;

/** Where a run's randomness comes from: the world's seeded `Rng` fits (labelled draws). */
export interface RandomSource {
  bytes(label: string, n: number): Uint8Array;
}

const buf = (b: Uint8Array): ArrayBuffer => b.slice().buffer as ArrayBuffer;

let baseImpl: Promise<CiphersuiteImpl> | undefined;
let baseHpke: Promise<CiphersuiteImpl["hpke"]> | undefined;

const aes128gcm = {
  async encrypt(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array) {
    const c = createCipheriv("aes-128-gcm", key, nonce);
    c.setAAD(aad);
    return new Uint8Array(Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]));
  },
  async decrypt(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array) {
    if (ciphertext.length < 16) throw new Error("aes-128-gcm: ciphertext shorter than its tag");
    const d = createDecipheriv("aes-128-gcm", key, nonce);
    d.setAAD(aad);
    d.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
    return new Uint8Array(Buffer.concat([d.update(ciphertext.subarray(0, ciphertext.length - 16)), d.final()]));
  },
};
/**
 * HPKE's HKDF-SHA256 (RFC 9180 §4), computed synchronously by @noble/hashes: @hpke/core's own
 * makes two WebCrypto calls per HMAC. The labelled forms of the base class call these.
 */
class SyncHkdfSha256 extends HkdfSha256 {
  override async extract(salt: ArrayBuffer, ikm: ArrayBuffer): Promise<ArrayBuffer> {
    // As the base class: an empty salt is hashSize zeros (RFC 5869), any other length is refused.
    if (salt.byteLength !== 0 && salt.byteLength !== this.hashSize)
      throw new Error("The salt length must be the same as the hashSize");
    return extract(sha256, new Uint8Array(ikm), new Uint8Array(salt)).buffer as ArrayBuffer;
  }
  override async expand(prk: ArrayBuffer, info: ArrayBuffer, len: number): Promise<ArrayBuffer> {
    return expand(sha256, new Uint8Array(prk), new Uint8Array(info), len).buffer as ArrayBuffer;
  }
  override async extractAndExpand(salt: ArrayBuffer, ikm: ArrayBuffer, info: ArrayBuffer, len: number) {
    return this.expand(await this.extract(salt, ikm), info, len);
  }
}

/** X25519 on node:crypto (OpenSSL), in the shape @hpke/common's X-curve primitives take from noble. */
const x25519Jwk = (d: Uint8Array) =>
  createPrivateKey({
    key: { kty: "OKP", crv: "X25519", d: Buffer.from(d).toString("base64url"), x: "" },
    format: "jwk",
  });
const nodeX25519 = {
  getPublicKey: (sk: Uint8Array) =>
    new Uint8Array(Buffer.from(createPublicKey(x25519Jwk(sk)).export({ format: "jwk" }).x!, "base64url")),
  getSharedSecret: (sk: Uint8Array, pk: Uint8Array) =>
    new Uint8Array(
      diffieHellman({
        privateKey: x25519Jwk(sk),
        publicKey: createPublicKey({
          key: { kty: "OKP", crv: "X25519", x: Buffer.from(pk).toString("base64url") },
          format: "jwk",
        }),
      }),
    ),
  utils: {
    randomSecretKey() {
      throw new Error("mls suite: every X25519 key is derived from a seeded draw");
    },
  },
};
class NodeX25519 extends XCurveDhkemPrimitives {
  constructor(hkdf: HkdfSha256) {
    super("X25519", 32, nodeX25519 as never, hkdf);
  }
  derive(sk: ArrayBuffer, pk: ArrayBuffer): Promise<ArrayBuffer> {
    return Promise.resolve(nodeX25519.getSharedSecret(new Uint8Array(sk), new Uint8Array(pk)).buffer as ArrayBuffer);
  }
}
class NodeDhkemX25519 extends Dhkem {
  override id = KemId.DhkemX25519HkdfSha256;
  override secretSize = 32;
  override encSize = 32;
  override publicKeySize = 32;
  override privateKeySize = 32;
  constructor() {
    const kdf = new SyncHkdfSha256();
    super(KemId.DhkemX25519HkdfSha256, new NodeX25519(kdf), kdf);
  }
}
const hpkeSuite = () =>
  new CipherSuite({ kem: new NodeDhkemX25519(), kdf: new SyncHkdfSha256(), aead: new Aes128Gcm() });

const hmac = (key: Uint8Array, data: Uint8Array): Uint8Array =>
  new Uint8Array(createHmac("sha256", key).update(data).digest());

/** SHA-256 and HMAC-SHA256, synchronously (the suite's hash is SHA-256). */
export const syncHash: CiphersuiteImpl["hash"] = {
  digest: async (data) => new Uint8Array(createHash("sha256").update(data).digest()),
  mac: async (key, data) => hmac(key, data),
  async verifyMac(key, mac, data) {
    const expected = hmac(key, data);
    return mac.length === expected.length && timingSafeEqual(mac, expected);
  },
};

/** HKDF-SHA256 (RFC 5869), synchronously. */
export const syncKdf: CiphersuiteImpl["kdf"] = {
  extract: async (salt, ikm) => extract(sha256, ikm, salt),
  expand: async (prk, info, len) => expand(sha256, prk, info, len),
  size: 32,
};

const verifyKeys = new BoundedCache<string, KeyObject>(1 << 16);

/** Ed25519 verification as WebCrypto makes it (OpenSSL), on a key object kept per public key. */
async function verifyEd25519Signature(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) {
  const x = Buffer.from(publicKey).toString("base64url");
  const key = verifyKeys.getOrSet(x, () => createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" }));
  return verify(null, message, key, signature);
}

/**
 * The suite for one device: its draws are labelled `mls <owner> <what>`, so the trace says whose
 * key or secret each draw became.
 */
export async function seededSuite(random: RandomSource, owner: string): Promise<CiphersuiteImpl> {
  baseImpl ??= getCiphersuiteImpl(getCiphersuiteFromName(SUITE_NAME));
  const base = await baseImpl;
  baseHpke ??= makeGenericHpke(getCiphersuiteFromName(SUITE_NAME).hpke, aes128gcm, hpkeSuite());
  const libHpke = await baseHpke;
  const hpke = hpkeSuite();
  const draw = (what: string, n: number) => random.bytes(`mls ${owner} ${what}`, n);
  return {
    ...base,
    hash: syncHash,
    kdf: syncKdf,
    rng: { randomBytes: (n: number) => draw("secret", n) },
    signature: {
      ...base.signature,
      async keygen() {
        const signKey = draw("signature key", 32);
        return { signKey, publicKey: nodeBackend.publicKeyFromSeed(signKey) };
      },
      async sign(signKey, message) {
        return signKey.length === SEED_LENGTH
          ? nodeBackend.sign(signKey, message)
          : base.signature.sign(signKey, message);
      },
      verify: verifyEd25519Signature,
    },
    hpke: {
      ...libHpke,
      generateKeyPair: () => libHpke.deriveKeyPair(draw("hpke key", 32)),
      async seal(publicKey, plaintext, info, aad) {
        const params = { recipientPublicKey: publicKey, info: buf(info), ekm: buf(draw("hpke ephemeral", 32)) };
        const r = await hpke.seal(params, buf(plaintext), aad ? buf(aad) : new ArrayBuffer(0));
        return { ct: new Uint8Array(r.ct), enc: new Uint8Array(r.enc) };
      },
      async exportSecret(publicKey, exporterContext, length, info) {
        const params = { recipientPublicKey: publicKey, info: buf(info), ekm: buf(draw("hpke ephemeral", 32)) };
        const ctx = await hpke.createSenderContext(params);
        return { enc: new Uint8Array(ctx.enc), secret: new Uint8Array(await ctx.export(buf(exporterContext), length)) };
      },
    },
  };
}
