/**
 * Ed25519 edge cases for the strict, libsodium-compatible policy: each with the verdict the policy
 * gives. Shared by the backend tests and the PyNaCl (libsodium) interop test.
 */
import * as ed from "@noble/ed25519";
import { sha512 } from "@noble/hashes/sha2.js";
import { type Ed25519Rejection, L, nodeBackend } from "../sim/core/ed25519.ts";

const P = 2n ** 255n - 19n;

export const le = (n: bigint, len = 32): Uint8Array => {
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = Number((n >> BigInt(8 * i)) & 0xffn);
  return out;
};
export const fromLe = (b: Uint8Array): bigint => b.reduceRight((acc, x) => (acc << 8n) | BigInt(x), 0n);
export const concat = (...parts: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(parts));
/** An encoding with y coordinate `y` (taken as is, not reduced) and the given x sign bit. */
export const encodeY = (y: bigint, sign: 0 | 1): Uint8Array => {
  const b = le(y);
  b[31] = (b[31]! & 0x7f) | (sign << 7);
  return b;
};

/** An order-8 point; libsodium's `ge25519_has_small_order` list starts from it. */
export const T8 = ed.Point.fromBytes(
  Uint8Array.from(Buffer.from("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05", "hex")),
);
/** The 8-torsion subgroup, computed with noble, k·T8 for k = 0..7. */
export const TORSION = Array.from({ length: 8 }, (_, k) => (k === 0 ? ed.Point.ZERO : T8.multiply(BigInt(k), false)));
export const SMALL_ORDER_ENCODINGS = TORSION.map((p) => p.toBytes());

export const EDGE_SEED = new Uint8Array(32).fill(7);
export const EDGE_KEY = nodeBackend.publicKeyFromSeed(EDGE_SEED);
export const EDGE_MESSAGE = new TextEncoder().encode("msc3917 edge cases");
export const EDGE_SIG = nodeBackend.sign(EDGE_SEED, EDGE_MESSAGE);

export interface EdgeCase {
  name: string;
  publicKey: Uint8Array;
  signature: Uint8Array;
  message: Uint8Array;
  /** `null`: valid under the policy. */
  reason: Ed25519Rejection | null;
}

/** A point whose encoding is canonical but has no x: the smallest such y above 1. */
function offCurveKey(): Uint8Array {
  for (let y = 2n; ; y++) {
    try {
      ed.Point.fromBytes(le(y));
    } catch {
      return le(y);
    }
  }
}

/**
 * A key A' = aB + T8 of mixed order, and signatures R = rB, S = r + k·a for it. The cofactored
 * equation always holds; the cofactorless one (libsodium, OpenSSL, this policy) holds only when
 * 8 divides k. Returns one case of each.
 */
function mixedOrderCases(): EdgeCase[] {
  const { scalar: a } = ed.utils.getExtendedPublicKey(EDGE_SEED);
  const mixed = ed.Point.BASE.multiply(a).add(T8).toBytes();
  const r = 1234567n;
  const R = ed.Point.BASE.multiply(r).toBytes();
  const out: EdgeCase[] = [];
  for (let i = 0; out.length < 2; i++) {
    const message = new TextEncoder().encode(`mixed ${i}`);
    const k = ed.etc.mod(fromLe(sha512(concat(R, mixed, message))), L);
    const valid = k % 8n === 0n;
    if (out.some((c) => (c.reason === null) === valid)) continue;
    out.push({
      name: `mixed-order key, [k]T ${valid ? "= 0: valid" : "!= 0: cofactored-only"}`,
      publicKey: mixed,
      signature: concat(R, le(ed.etc.mod(r + k * a, L))),
      message,
      reason: valid ? null : "bad_signature",
    });
  }
  return out;
}

export function edgeCases(): EdgeCase[] {
  const cases: EdgeCase[] = [
    { name: "honest signature", publicKey: EDGE_KEY, signature: EDGE_SIG, message: EDGE_MESSAGE, reason: null },
    {
      name: "honest signature, other message",
      publicKey: EDGE_KEY,
      signature: EDGE_SIG,
      message: concat(EDGE_MESSAGE, Uint8Array.of(0)),
      reason: "bad_signature",
    },
  ];
  const identity = ed.Point.ZERO.toBytes();
  // OpenSSL 3.0 alone accepts this for any message: identity key, R = identity, S = 0.
  cases.push({
    name: "identity key, R = identity, S = 0",
    publicKey: identity,
    signature: concat(identity, new Uint8Array(32)),
    message: new TextEncoder().encode("any message"),
    reason: "key_small_order",
  });
  SMALL_ORDER_ENCODINGS.forEach((pub, i) => {
    cases.push({
      name: `small-order key #${i}`,
      publicKey: pub,
      signature: EDGE_SIG,
      message: EDGE_MESSAGE,
      reason: "key_small_order",
    });
    cases.push({
      name: `small-order R #${i}`,
      publicKey: EDGE_KEY,
      signature: concat(pub, EDGE_SIG.subarray(32)),
      message: EDGE_MESSAGE,
      reason: "r_small_order",
    });
    cases.push({
      name: `small-order R #${i}, S = 0`,
      publicKey: EDGE_KEY,
      signature: concat(pub, new Uint8Array(32)),
      message: EDGE_MESSAGE,
      reason: "r_small_order",
    });
  });
  for (let y = P; y < 2n ** 255n; y++) {
    for (const sign of [0, 1] as const) {
      const enc = encodeY(y, sign);
      cases.push({
        name: `non-canonical key y=p+${y - P} sign=${sign}`,
        publicKey: enc,
        signature: EDGE_SIG,
        message: EDGE_MESSAGE,
        reason: "key_non_canonical",
      });
      cases.push({
        name: `non-canonical R y=p+${y - P} sign=${sign}`,
        publicKey: EDGE_KEY,
        signature: concat(enc, EDGE_SIG.subarray(32)),
        message: EDGE_MESSAGE,
        reason: "r_non_canonical",
      });
    }
  }
  cases.push({
    name: "key with x = 0 and the sign bit set",
    publicKey: encodeY(1n, 1),
    signature: EDGE_SIG,
    message: EDGE_MESSAGE,
    reason: "key_non_canonical",
  });
  cases.push({
    name: "key not on the curve",
    publicKey: offCurveKey(),
    signature: EDGE_SIG,
    message: EDGE_MESSAGE,
    reason: "key_not_on_curve",
  });
  const s = fromLe(EDGE_SIG.subarray(32));
  for (const [label, bad] of [
    ["S + L (malleated)", s + L],
    ["S = L", L],
    ["S = 2^256 - 1", 2n ** 256n - 1n],
  ] as const) {
    cases.push({
      name: label,
      publicKey: EDGE_KEY,
      signature: concat(EDGE_SIG.subarray(0, 32), le(bad)),
      message: EDGE_MESSAGE,
      reason: "s_not_reduced",
    });
  }
  cases.push(...mixedOrderCases());
  return cases;
}
