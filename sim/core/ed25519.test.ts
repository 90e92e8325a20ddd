/**
 * Ed25519 edge cases. Both backends must refuse every one, with the same reason, because clients
 * that disagree about a signature disagree about who is in the room.
 */
import * as ed from "@noble/ed25519";
import { sha512 } from "@noble/hashes/sha2.js";
import { describe, expect, it } from "vitest";
import { type Ed25519Backend, type Ed25519Verdict, L, backends, checkPublicKey, nobleBackend, nodeBackend, verifyEd25519 } from "./ed25519.ts";

const P = 2n ** 255n - 19n;
const BOTH: Ed25519Backend[] = [nodeBackend, nobleBackend];

const le = (n: bigint, len = 32): Uint8Array => {
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
};
const fromLe = (b: Uint8Array): bigint => b.reduceRight((acc, x) => (acc << 8n) | BigInt(x), 0n);
const concat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));
/** An encoding with y coordinate `y` (taken as is, not reduced) and the given x sign bit. */
const encodeY = (y: bigint, sign: 0 | 1): Uint8Array => {
  const b = le(y);
  b[31] = (b[31]! & 0x7f) | (sign << 7);
  return b;
};

const seed = new Uint8Array(32).fill(7);
const honestKey = nodeBackend.publicKeyFromSeed(seed);
const message = new TextEncoder().encode("msc3917 edge cases");
const honestSig = nodeBackend.sign(seed, message);

/** Every verdict, from both backends; asserts they agree and returns the common one. */
function bothAgree(sig: Uint8Array, msg: Uint8Array, pub: Uint8Array): Ed25519Verdict {
  const [a, b] = BOTH.map((backend) => verifyEd25519(sig, msg, pub, backend));
  expect(b, "noble and node must agree").toEqual(a);
  return a!;
}

/** The 8-torsion subgroup, computed with noble from an order-8 point, then encoded. */
const T8 = ed.Point.fromBytes(Uint8Array.from(Buffer.from("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", "hex")));
const torsion = Array.from({ length: 8 }, (_, k) => (k === 0 ? ed.Point.ZERO : T8.multiply(BigInt(k), false)));
const SMALL_ORDER = torsion.map((p) => p.toBytes());

describe("the small-order encodings", () => {
  it("are 8 distinct points of small order", () => {
    expect(new Set(SMALL_ORDER.map((b) => Buffer.from(b).toString("hex"))).size).toBe(8);
    for (const p of torsion) expect(p.isSmallOrder()).toBe(true);
    expect(T8.multiply(8n, false).is0()).toBe(true);
    expect(T8.multiply(4n, false).is0()).toBe(false);
  });
});

describe("strict verification, both backends", () => {
  it("accepts an honest signature and refuses it over another message", () => {
    expect(bothAgree(honestSig, message, honestKey)).toEqual({ ok: true });
    expect(bothAgree(honestSig, concat(message, Uint8Array.of(0)), honestKey)).toEqual({ ok: false, reason: "bad_signature" });
  });

  it.each(SMALL_ORDER.map((b, i) => [i, b] as const))("refuses small-order public key #%i", (_i, pub) => {
    expect(bothAgree(honestSig, message, pub)).toEqual({ ok: false, reason: "key_small_order" });
  });

  it("refuses the identity key with R = identity, S = 0, which OpenSSL alone accepts for any message", () => {
    const identity = ed.Point.ZERO.toBytes();
    const forged = concat(identity, new Uint8Array(32));
    for (const msg of [message, new Uint8Array(0), new TextEncoder().encode("anything at all")]) {
      expect(bothAgree(forged, msg, identity)).toEqual({ ok: false, reason: "key_small_order" });
    }
  });

  it("refuses all 38 non-canonical encodings (y >= p, either sign) as a key and as R", () => {
    let count = 0;
    for (let y = P; y < 2n ** 255n; y++) {
      for (const sign of [0, 1] as const) {
        const enc = encodeY(y, sign);
        expect(bothAgree(honestSig, message, enc)).toEqual({ ok: false, reason: "key_non_canonical" });
        expect(bothAgree(concat(enc, honestSig.subarray(32)), message, honestKey)).toEqual({ ok: false, reason: "r_non_canonical" });
        count++;
      }
    }
    expect(count).toBe(38);
  });

  it("refuses a key with x = 0 and the sign bit set (a non-canonical 'negative zero')", () => {
    expect(bothAgree(honestSig, message, encodeY(1n, 1))).toEqual({ ok: false, reason: "key_non_canonical" });
  });

  it("refuses a key that is not on the curve", () => {
    let y = 2n;
    while ((() => { try { ed.Point.fromBytes(le(y)); return true; } catch { return false; } })()) y++;
    expect(checkPublicKey(le(y))).toBe("key_not_on_curve");
    expect(bothAgree(honestSig, message, le(y))).toEqual({ ok: false, reason: "key_not_on_curve" });
  });

  it.each(SMALL_ORDER.map((b, i) => [i, b] as const))("refuses small-order R #%i", (_i, r) => {
    expect(bothAgree(concat(r, honestSig.subarray(32)), message, honestKey)).toEqual({ ok: false, reason: "r_small_order" });
    expect(bothAgree(concat(r, new Uint8Array(32)), message, honestKey)).toEqual({ ok: false, reason: "r_small_order" });
  });

  it("refuses S >= L, including the malleated S + L of a valid signature", () => {
    const s = fromLe(honestSig.subarray(32));
    for (const bad of [s + L, L, 2n ** 256n - 1n]) {
      expect(bothAgree(concat(honestSig.subarray(0, 32), le(bad)), message, honestKey)).toEqual({ ok: false, reason: "s_not_reduced" });
    }
  });

  it("refuses wrong lengths", () => {
    expect(bothAgree(honestSig.subarray(0, 63), message, honestKey)).toEqual({ ok: false, reason: "bad_length" });
    expect(bothAgree(honestSig, message, honestKey.subarray(0, 31))).toEqual({ ok: false, reason: "bad_length" });
  });

  it("uses the cofactorless equation: a mixed-order key verifies only when [k]T vanishes, in both backends", () => {
    // A' = aB + T, with T of order 8. For R = rB and S = r + k·a, the cofactored equation always
    // holds, but the cofactorless one, [S]B - [k]A' = R - [k]T, holds only when 8 divides k.
    const { scalar: a } = ed.utils.getExtendedPublicKey(seed);
    const mixed = ed.Point.BASE.multiply(a).add(T8).toBytes();
    expect(checkPublicKey(mixed)).toBeNull(); // mixed order is not small order; libsodium accepts such keys
    const r = 1234567n;
    const R = ed.Point.BASE.multiply(r).toBytes();
    const seen = { accepted: 0, refused: 0 };
    for (let i = 0; seen.accepted === 0 || seen.refused === 0; i++) {
      const msg = new TextEncoder().encode(`mixed ${i}`);
      const k = ed.etc.mod(fromLe(sha512(concat(R, mixed, msg))), L);
      const sig = concat(R, le(ed.etc.mod(r + k * a, L)));
      expect(ed.verify(sig, msg, mixed, { zip215: false })).toBe(true); // noble's own verify is cofactored
      const verdict = bothAgree(sig, msg, mixed);
      if (k % 8n === 0n) {
        expect(verdict).toEqual({ ok: true });
        seen.accepted++;
      } else {
        expect(verdict).toEqual({ ok: false, reason: "bad_signature" });
        seen.refused++;
      }
    }
  });

  it("never throws on garbage", () => {
    for (const backend of Object.values(backends)) {
      expect(verifyEd25519(new Uint8Array(64).fill(0xff), message, new Uint8Array(32).fill(0xff), backend).ok).toBe(false);
      expect(verifyEd25519(new Uint8Array(0), message, new Uint8Array(0), backend).ok).toBe(false);
    }
  });
});

describe("keys from seeds", () => {
  it("derive the spec's verify key from the spec's seed, in both backends", () => {
    const specSeed = new Uint8Array(Buffer.from("YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1", "base64"));
    for (const backend of BOTH) {
      expect(Buffer.from(backend.publicKeyFromSeed(specSeed)).toString("base64")).toBe("XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI=");
    }
  });

  it("refuse a seed of the wrong length", () => {
    for (const backend of BOTH) expect(() => backend.publicKeyFromSeed(new Uint8Array(31))).toThrow(/32 bytes/);
  });
});
