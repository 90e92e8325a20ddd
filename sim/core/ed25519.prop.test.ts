import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fcParams } from "../../test-support/fast-check.ts";
import { checkPublicKey, forgetKeyChecks, nobleBackend, nodeBackend, verifyEd25519 } from "./ed25519.ts";

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });

describe("keys derived from seeds", () => {
  it("pass the full key check, which deriving them records without running it", () => {
    fc.assert(
      fc.property(bytes(32), (seed) => {
        for (const backend of [nodeBackend, nobleBackend]) {
          const pub = backend.publicKeyFromSeed(seed);
          forgetKeyChecks();
          expect(checkPublicKey(pub)).toBeNull();
        }
      }),
      fcParams(200),
    );
  });
});

describe("noble and node agree", () => {
  it("on keys, signatures and verification of random messages", () => {
    fc.assert(
      fc.property(bytes(32), fc.uint8Array({ maxLength: 200 }), (seed, msg) => {
        const pub = nodeBackend.publicKeyFromSeed(seed);
        expect(nobleBackend.publicKeyFromSeed(seed)).toEqual(pub);
        const sig = nodeBackend.sign(seed, msg);
        expect(nobleBackend.sign(seed, msg)).toEqual(sig);
        expect(verifyEd25519(sig, msg, pub, nodeBackend)).toEqual({ ok: true });
        expect(verifyEd25519(sig, msg, pub, nobleBackend)).toEqual({ ok: true });
      }),
      fcParams(100),
    );
  });

  it("on tampered signatures, keys and messages", () => {
    fc.assert(
      fc.property(
        bytes(32),
        fc.uint8Array({ maxLength: 64 }),
        fc.nat(127),
        fc.integer({ min: 1, max: 255 }),
        fc.constantFrom("sig", "key", "msg"),
        (seed, msg, at, xor, where) => {
          let pub = nodeBackend.publicKeyFromSeed(seed);
          let sig = nodeBackend.sign(seed, msg);
          if (where === "sig") (sig = sig.slice())[at % 64]! ^= xor;
          if (where === "key") (pub = pub.slice())[at % 32]! ^= xor;
          if (where === "msg") msg = Uint8Array.from([...msg, xor]);
          const node = verifyEd25519(sig, msg, pub, nodeBackend);
          expect(verifyEd25519(sig, msg, pub, nobleBackend)).toEqual(node);
          expect(node.ok).toBe(false);
        },
      ),
      fcParams(200),
    );
  });

  it("on random garbage", () => {
    fc.assert(
      fc.property(bytes(64), bytes(32), fc.uint8Array({ maxLength: 16 }), (sig, pub, msg) => {
        expect(verifyEd25519(sig, msg, pub, nobleBackend)).toEqual(verifyEd25519(sig, msg, pub, nodeBackend));
      }),
      fcParams(200),
    );
  });
});
