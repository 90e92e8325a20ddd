/**
 * Ed25519 edge cases. Both backends must give every one the same verdict, because clients that
 * disagree about a signature disagree about who is in the room.
 */
import * as ed from "@noble/ed25519";
import { describe, expect, it } from "vitest";
import {
  EDGE_KEY,
  EDGE_MESSAGE,
  EDGE_SIG,
  SMALL_ORDER_ENCODINGS,
  T8,
  TORSION,
  edgeCases,
} from "../../test-support/ed25519-edge-cases.ts";
import { type Ed25519Backend, backends, checkPublicKey, nobleBackend, nodeBackend, verifyEd25519 } from "./ed25519.ts";

const BOTH: Ed25519Backend[] = [nodeBackend, nobleBackend];

describe("the small-order encodings", () => {
  it("are 8 distinct points of small order", () => {
    expect(new Set(SMALL_ORDER_ENCODINGS.map((b) => Buffer.from(b).toString("hex"))).size).toBe(8);
    for (const p of TORSION) expect(p.isSmallOrder()).toBe(true);
    expect(T8.multiply(8n, false).is0()).toBe(true);
    expect(T8.multiply(4n, false).is0()).toBe(false);
  });
});

describe("strict verification, both backends", () => {
  const cases = edgeCases();

  it("covers every kind of refusal the policy names, and 38 non-canonical encodings each for key and R", () => {
    expect(new Set(cases.map((c) => c.reason))).toEqual(
      new Set([
        null,
        "bad_signature",
        "key_small_order",
        "r_small_order",
        "key_non_canonical",
        "r_non_canonical",
        "key_not_on_curve",
        "s_not_reduced",
      ]),
    );
    expect(cases.filter((c) => c.name.startsWith("non-canonical key")).length).toBe(38);
    expect(cases.filter((c) => c.name.startsWith("non-canonical R")).length).toBe(38);
  });

  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const verdicts = BOTH.map((b) => verifyEd25519(c.signature, c.message, c.publicKey, b));
    expect(verdicts[1], "noble and node must agree").toEqual(verdicts[0]);
    expect(verdicts[0]).toEqual(c.reason === null ? { ok: true } : { ok: false, reason: c.reason });
  });

  it("does not use noble's own verify, which is cofactored and accepts the mixed-order signature", () => {
    const c = cases.find((x) => x.name.includes("cofactored-only"))!;
    expect(ed.verify(c.signature, c.message, c.publicKey, { zip215: false })).toBe(true);
    expect(checkPublicKey(c.publicKey)).toBeNull(); // mixed order is not small order: libsodium accepts such keys
  });

  it("refuses wrong lengths", () => {
    for (const b of BOTH) {
      expect(verifyEd25519(EDGE_SIG.subarray(0, 63), EDGE_MESSAGE, EDGE_KEY, b)).toEqual({
        ok: false,
        reason: "bad_length",
      });
      expect(verifyEd25519(EDGE_SIG, EDGE_MESSAGE, EDGE_KEY.subarray(0, 31), b)).toEqual({
        ok: false,
        reason: "bad_length",
      });
    }
  });

  it("never throws on garbage", () => {
    for (const backend of Object.values(backends)) {
      expect(
        verifyEd25519(new Uint8Array(64).fill(0xff), EDGE_MESSAGE, new Uint8Array(32).fill(0xff), backend).ok,
      ).toBe(false);
      expect(verifyEd25519(new Uint8Array(0), EDGE_MESSAGE, new Uint8Array(0), backend).ok).toBe(false);
    }
  });
});

describe("keys from seeds", () => {
  it("derive the spec's verify key from the spec's seed, in both backends", () => {
    const specSeed = new Uint8Array(Buffer.from("YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1", "base64"));
    for (const backend of BOTH) {
      expect(Buffer.from(backend.publicKeyFromSeed(specSeed)).toString("base64")).toBe(
        "XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI=",
      );
    }
  });

  it("refuse a seed of the wrong length", () => {
    for (const backend of BOTH) expect(() => backend.publicKeyFromSeed(new Uint8Array(31))).toThrow(/32 bytes/);
  });
});
