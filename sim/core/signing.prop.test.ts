/** Properties of signing JSON: sign-then-verify round-trips, and any change to what is signed fails. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { matrixJson } from "../../test-support/arbitraries.ts";
import { fcParams } from "../../test-support/fast-check.ts";
import { decodeBase64 } from "./base64.ts";
import { canonicalJson } from "./canonical-json.ts";
import { signingKeyFromSeed } from "./ed25519.ts";
import { signJson, verifySignedJson } from "./signing.ts";

describe("signing properties", () => {
  const key = signingKeyFromSeed(new Uint8Array(32).fill(1));
  const object = fc
    .dictionary(fc.string(), matrixJson, { maxKeys: 6 })
    .filter((o) => !("signatures" in o) && !("unsigned" in o));

  it("sign then verify round-trips", () => {
    fc.assert(
      fc.property(object, fc.string({ minLength: 1 }), (obj, entity) => {
        expect(verifySignedJson(signJson(obj, entity, "ed25519:k", key), entity, "ed25519:k", key.publicKey).ok).toBe(
          true,
        );
      }),
      fcParams(200),
    );
  });

  it("any change to a signed field fails", () => {
    fc.assert(
      fc.property(
        object.filter((o) => Object.keys(o).length > 0),
        fc.nat(),
        matrixJson,
        (obj, pick, replacement) => {
          const signed = signJson(obj, "e", "ed25519:k", key);
          const field = Object.keys(obj)[pick % Object.keys(obj).length]!;
          fc.pre(canonicalJson(replacement) !== canonicalJson(obj[field]));
          expect(verifySignedJson({ ...signed, [field]: replacement }, "e", "ed25519:k", key.publicKey).ok).toBe(false);
          const { [field]: _removed, ...without } = signed;
          expect(verifySignedJson(without, "e", "ed25519:k", key.publicKey).ok).toBe(false);
        },
      ),
      fcParams(200),
    );
  });

  it("any change to the signature fails", () => {
    fc.assert(
      fc.property(object, fc.nat(63), fc.integer({ min: 1, max: 255 }), (obj, at, xor) => {
        const signed = signJson(obj, "e", "ed25519:k", key);
        const sig = decodeBase64(signed.signatures.e!["ed25519:k"]!);
        if (!sig.ok) throw new Error("unreachable");
        sig.value[at]! ^= xor;
        const tampered = { ...signed, signatures: { e: { "ed25519:k": Buffer.from(sig.value).toString("base64") } } };
        expect(verifySignedJson(tampered, "e", "ed25519:k", key.publicKey).ok).toBe(false);
      }),
      fcParams(200),
    );
  });
});
