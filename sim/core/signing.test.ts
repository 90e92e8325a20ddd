import { describe, expect, it } from "vitest";
import { matrixSpecVectors } from "../../test-support/vectors.ts";
import { decodeBase64 } from "./base64.ts";
import { canonicalJson } from "./canonical-json.ts";
import { backends, signingKeyFromSeed } from "./ed25519.ts";
import { signJson, verifySignedJson } from "./signing.ts";

const spec = matrixSpecVectors();
const seed = decodeBase64(spec.signing_key_seed, { expectedLength: 32 });
if (!seed.ok) throw new Error("spec seed does not decode");
const verifyKey = decodeBase64(spec.verify_key, { expectedLength: 32 });
if (!verifyKey.ok) throw new Error("spec verify key does not decode");

describe.each(Object.values(backends).map((b) => [b.name, b] as const))(
  "signing JSON with the %s backend",
  (_name, backend) => {
    const key = signingKeyFromSeed(seed.value, backend);

    it("derives the spec's verify key", () => {
      expect(key.publicKey).toEqual(verifyKey.value);
    });

    it.each(spec.signing.map((v, i) => [i, v] as const))("reproduces spec signing vector %i exactly", (_i, v) => {
      const signed = signJson(v.input, v.entity, v.key_id, key, backend);
      expect(canonicalJson(signed)).toBe(canonicalJson(v.signed));
      expect(verifySignedJson(v.signed, v.entity, v.key_id, verifyKey.value, backend)).toEqual({
        ok: true,
        value: true,
      });
    });

    it("ignores unsigned, keeps existing signatures and puts unsigned back", () => {
      const input = { one: 1, two: "Two", unsigned: { age_ts: 5 }, signatures: { other: { "ed25519:x": "abc" } } };
      const signed = signJson(input, "domain", "ed25519:1", key, backend);
      expect(signed.unsigned).toEqual({ age_ts: 5 });
      expect(signed.signatures).toEqual({
        other: { "ed25519:x": "abc" },
        domain: {
          "ed25519:1":
            spec.signing[1]!.signed.signatures &&
            (spec.signing[1]!.signed.signatures as Record<string, Record<string, string>>).domain!["ed25519:1"],
        },
      });
      expect(
        verifySignedJson({ ...signed, unsigned: { anything: true } }, "domain", "ed25519:1", key.publicKey, backend).ok,
      ).toBe(true);
    });

    it("adds a second signature by the same entity next to the first", () => {
      const other = signingKeyFromSeed(new Uint8Array(32).fill(9), backend);
      const twice = signJson(signJson({ a: 1 }, "e", "ed25519:1", key, backend), "e", "ed25519:2", other, backend);
      expect(Object.keys(twice.signatures.e ?? {})).toEqual(["ed25519:1", "ed25519:2"]);
      expect(verifySignedJson(twice, "e", "ed25519:1", key.publicKey, backend).ok).toBe(true);
      expect(verifySignedJson(twice, "e", "ed25519:2", other.publicKey, backend).ok).toBe(true);
    });

    it.each([
      ["a non-object", 5, "not_an_object"],
      ["no signatures", { a: 1 }, "signature_missing"],
      ["signatures of the wrong type", { signatures: [] }, "signature_missing"],
      ["a signature that is not a string", { signatures: { domain: { "ed25519:1": 5 } } }, "signature_missing"],
      ["a signature that is not base64", { signatures: { domain: { "ed25519:1": "!!" } } }, "signature_malformed"],
      ["a signature of the wrong length", { signatures: { domain: { "ed25519:1": "AAAA" } } }, "signature_malformed"],
      [
        "a float in the signed content",
        { a: 1.5, signatures: { domain: { "ed25519:1": "A".repeat(86) } } },
        "not_canonical_json",
      ],
      [
        "a signature inherited through the prototype",
        Object.create({ signatures: { domain: { "ed25519:1": "x" } } }),
        "signature_missing",
      ],
    ])("refuses %s without throwing", (_why, obj, reason) => {
      expect(verifySignedJson(obj, "domain", "ed25519:1", key.publicKey, backend)).toEqual({
        ok: false,
        error: reason,
      });
    });
  },
);
