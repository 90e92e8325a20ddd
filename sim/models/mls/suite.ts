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
 * - `signature.keygen` (Ed25519): a seeded 32-byte secret, its public key from @noble/curves;
 *   `signature.sign` signs with node's backend (sim/core/ed25519.ts), which keeps each seed's key
 *   object, where the library's imports the PKCS#8 key again at every signature (about 10x the
 *   signature's own cost). Ed25519 signing is deterministic (RFC 8032): the same bytes either way;
 * - the HPKE ephemeral key inside `hpke.seal` and `hpke.exportSecret` (Welcome secrets, UpdatePath
 *   encryption, external joins): @hpke/core's `ekm` parameter (RFC 9180 §7.1.3, DeriveKeyPair of
 *   the ephemeral), on a CipherSuite built like the library's own.
 * Two more sources stay and reach nothing observable: GREASE values (`Math.random`) only enter
 * `defaultCapabilities()`, which this model never calls; the lifetime check (`Date.now`) compares
 * against `defaultLifetime`, 0 to 2^63-1, which every clock satisfies.
 */
import { Aes128Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from "@hpke/core";
import { ed25519 } from "@noble/curves/ed25519.js";
import { type CiphersuiteImpl, getCiphersuiteFromName, getCiphersuiteImpl } from "ts-mls";
import { SEED_LENGTH, nodeBackend } from "../../core/ed25519.ts";

export const SUITE_NAME = "MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519" as const;

/** Where a run's randomness comes from: the world's seeded `Rng` fits (labelled draws). */
export interface RandomSource {
  bytes(label: string, n: number): Uint8Array;
}

const buf = (b: Uint8Array): ArrayBuffer => b.slice().buffer as ArrayBuffer;

let baseImpl: Promise<CiphersuiteImpl> | undefined;

/**
 * The suite for one device: its draws are labelled `mls <owner> <what>`, so the trace says whose
 * key or secret each draw became.
 */
export async function seededSuite(random: RandomSource, owner: string): Promise<CiphersuiteImpl> {
  baseImpl ??= getCiphersuiteImpl(getCiphersuiteFromName(SUITE_NAME));
  const base = await baseImpl;
  const hpke = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes128Gcm() });
  const draw = (what: string, n: number) => random.bytes(`mls ${owner} ${what}`, n);
  return {
    ...base,
    rng: { randomBytes: (n: number) => draw("secret", n) },
    signature: {
      ...base.signature,
      async keygen() {
        const signKey = draw("signature key", 32);
        return { signKey, publicKey: ed25519.getPublicKey(signKey) };
      },
      async sign(signKey, message) {
        return signKey.length === SEED_LENGTH
          ? nodeBackend.sign(signKey, message)
          : base.signature.sign(signKey, message);
      },
    },
    hpke: {
      ...base.hpke,
      generateKeyPair: () => base.hpke.deriveKeyPair(draw("hpke key", 32)),
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
