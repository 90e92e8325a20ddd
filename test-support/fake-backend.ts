/**
 * A cheap stand-in for Ed25519, for tests whose subject is not the signature maths (a 100,000-deep
 * chain, say). Public keys are real, so the strict key checks still run; a "signature" is a SHA-512
 * of seed and message, shaped so that R and S pass the encoding checks. Never use it elsewhere.
 */
import { createHash } from "node:crypto";
import { type Ed25519Backend, nodeBackend } from "../sim/core/ed25519.ts";

export function fakeBackend(): Ed25519Backend {
  const seeds = new Map<string, Uint8Array>();
  const sign = (seed: Uint8Array, message: Uint8Array): Uint8Array => {
    const sig = new Uint8Array(createHash("sha512").update(seed).update(message).digest());
    sig[31] = 0x11; // R: keep y well below p and away from the small-order encodings
    sig[63] = 0; // S < L
    return sig;
  };
  return {
    name: "fake",
    publicKeyFromSeed(seed) {
      const pub = nodeBackend.publicKeyFromSeed(seed);
      seeds.set(Buffer.from(pub).toString("hex"), Uint8Array.from(seed));
      return pub;
    },
    sign,
    verifyEquation(signature, message, publicKey) {
      const seed = seeds.get(Buffer.from(publicKey).toString("hex"));
      return seed !== undefined && Buffer.compare(sign(seed, message), signature) === 0;
    },
  };
}
