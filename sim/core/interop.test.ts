/**
 * Interop with matrix-org's reference implementation: `signedjson` and `canonicaljson` (Python,
 * Debian packages), and PyNaCl/libsodium for the Ed25519 policy.
 * - (a) objects we sign verify in signedjson, and tampered copies do not;
 * - (b) objects signedjson signs verify with us, with byte-identical signatures;
 * - (c) our canonical JSON equals canonicaljson's on a corpus of tricky inputs;
 * - (d) libsodium gives the same accept/refuse answer as our policy on every Ed25519 edge case.
 * Without the Python modules the suite is skipped with a message; REQUIRE_INTEROP=1 makes that a failure.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { matrixJson, trickyString } from "../../test-support/arbitraries.ts";
import { edgeCases } from "../../test-support/ed25519-edge-cases.ts";
import { FC_SEED } from "../../test-support/fast-check.ts";
import { REPO } from "../../test-support/vectors.ts";
import { encodeBase64 } from "./base64.ts";
import { canonicalJson, type JsonObject } from "./canonical-json.ts";
import { backends, signingKeyFromSeed, verifyEd25519 } from "./ed25519.ts";
import { signJson, verifySignedJson } from "./signing.ts";

const PYTHON = process.env.MSC3917_PYTHON ?? "/usr/bin/python3";
const probe = spawnSync(PYTHON, ["-c", "import signedjson.sign, canonicaljson, nacl.signing"], { encoding: "utf8" });
const available = probe.status === 0;
const required = process.env.REQUIRE_INTEROP === "1";
const whyMissing =
  `${PYTHON} cannot import signedjson, canonicaljson and nacl (${(probe.stderr || probe.error?.message || "").trim().split("\n").pop()}); ` +
  "install them with: apt-get install -y python3-signedjson python3-canonicaljson python3-nacl";

interface Answer {
  canonical: string[];
  verify: boolean[];
  sign: JsonObject[];
  raw_verify: boolean[];
}

function reference(request: object): Answer {
  const run = spawnSync(PYTHON, [join(REPO, "test-support", "interop.py")], {
    input: JSON.stringify(request),
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  if (run.status !== 0) throw new Error(`interop.py failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as Answer;
}

const objects = (n: number, seed: number): JsonObject[] =>
  fc.sample(
    fc.dictionary(trickyString, matrixJson, { maxKeys: 6 }).filter((o) => !("signatures" in o) && !("unsigned" in o)),
    { seed, numRuns: n },
  );

/** Hand-picked canonical JSON traps, plus generated ones. */
const TRICKY: unknown[] = [
  { 日本語: "é", a: "\u2028\u2029", b: "\u0000\u0001\u0008\u000b\u000c\u001f\u007f" },
  { "😀": 1, "\uffff": 2, "\ue000": 3, "\ud7ff": 4, "𝄞": 5, "": 6 },
  { nested: { z: [1, { b: null, a: true }], a: "\\u0000 is not an escape here" } },
  { big: 9007199254740991, small: -9007199254740991, zero: -0 },
  ["\t\n\r\b\f", '"quoted"', "/slash", "\u0085", "\u00a0", "\ufeff"],
  "text\u0003\r\n",
];

if (!available && !required) console.warn(`interop test SKIPPED: ${whyMissing}`);

describe("interop with matrix-org's reference libraries", () => {
  it.runIf(!available && required)("has the reference libraries (REQUIRE_INTEROP=1)", () => {
    throw new Error(whyMissing);
  });

  describe.runIf(available)("signedjson, canonicaljson and libsodium agree with us", () => {
    const key = signingKeyFromSeed(new Uint8Array(32).fill(42));
    const seedB64 = encodeBase64(new Uint8Array(32).fill(42));
    const verifyKey = encodeBase64(key.publicKey);

    it("(a) 200 objects we sign verify in signedjson, and 200 tampered copies do not", () => {
      const ours = objects(200, FC_SEED).map((o, i) =>
        signJson({ ...o, n: i }, "@alice:example.org", "ed25519:AAAA", key),
      );
      const tampered = ours.map((o) => ({ ...o, n: o.n + 1 }));
      const answer = reference({
        verify: [...ours, ...tampered].map((object) => ({
          object,
          entity: "@alice:example.org",
          key_id: "ed25519:AAAA",
          verify_key: verifyKey,
        })),
      });
      expect(answer.verify.slice(0, 200)).toEqual(Array(200).fill(true));
      expect(answer.verify.slice(200)).toEqual(Array(200).fill(false));
      console.log(
        `interop (a): signedjson verified ${answer.verify.slice(0, 200).filter(Boolean).length}/200 of our signatures and refused ${answer.verify.slice(200).filter((x) => !x).length}/200 tampered`,
      );
    });

    it("(b) 200 objects signedjson signs verify with us, on both backends, with identical signatures", () => {
      const inputs = objects(200, FC_SEED + 1).map((o, i) => ({ ...o, n: i, unsigned: { age: i } }));
      const answer = reference({
        sign: inputs.map((object) => ({ object, entity: "example.org", key_id: "ed25519:1", seed: seedB64 })),
      });
      let verified = 0;
      answer.sign.forEach((signed, i) => {
        for (const backend of Object.values(backends))
          expect(verifySignedJson(signed, "example.org", "ed25519:1", key.publicKey, backend)).toEqual({
            ok: true,
            value: true,
          });
        expect(canonicalJson(signed)).toBe(canonicalJson(signJson(inputs[i]!, "example.org", "ed25519:1", key)));
        verified++;
      });
      expect(verified).toBe(200);
      console.log(
        `interop (b): we verified ${verified}/200 objects signed by signedjson, signatures byte-identical to ours`,
      );
    });

    it("(c) our canonical JSON equals canonicaljson's on 306 tricky inputs", () => {
      const corpus = [...TRICKY, ...fc.sample(matrixJson, { seed: FC_SEED + 2, numRuns: 300 })];
      const answer = reference({ canonical: corpus });
      corpus.forEach((x, i) => expect(canonicalJson(x), JSON.stringify(x)).toBe(answer.canonical[i]));
      console.log(`interop (c): canonical JSON identical on ${corpus.length}/${corpus.length} inputs`);
    });

    it("(d) libsodium accepts and refuses exactly the Ed25519 edge cases our policy does", () => {
      const cases = edgeCases();
      const answer = reference({
        raw_verify: cases.map((c) => ({
          public_key: encodeBase64(c.publicKey),
          signature: encodeBase64(c.signature),
          message: encodeBase64(c.message),
        })),
      });
      cases.forEach((c, i) => {
        for (const backend of Object.values(backends))
          expect(verifyEd25519(c.signature, c.message, c.publicKey, backend).ok, c.name).toBe(answer.raw_verify[i]);
      });
      console.log(
        `interop (d): libsodium agreed with both backends on ${cases.length}/${cases.length} Ed25519 edge cases`,
      );
    });
  });
});
