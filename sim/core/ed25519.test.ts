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
import {
  type Ed25519Backend,
  L,
  backends,
  checkPublicKey,
  nobleBackend,
  nodeBackend,
  verifyEd25519,
} from "./ed25519.ts";

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

describe("the key checks, done once per key", () => {
  const P = 2n ** 255n - 19n;
  const encode = (y: bigint, sign: 0 | 1): Uint8Array => {
    const b = Uint8Array.from(Buffer.from(y.toString(16).padStart(64, "0"), "hex").reverse());
    b[31]! |= sign << 7;
    return b;
  };
  /** The verdict on a key by noble's point decompression alone: the reference for the byte checks. */
  const byNoble = (key: Uint8Array): string | null => {
    try {
      return ed.Point.fromBytes(key, false).isSmallOrder() ? "key_small_order" : null;
    } catch (e) {
      return /x==0/.test((e as Error).message) ? "key_non_canonical" : "key_not_on_curve";
    }
  };
  const y8 = ed.Point.fromBytes(SMALL_ORDER_ENCODINGS.find((b) => byNoble(b) && b[0] === 0x26)!, false).y;

  it("the byte checks agree with noble on every small-order y, with either sign bit", () => {
    const ys = [0n, 1n, P - 1n, y8, P - y8];
    for (const y of ys)
      for (const sign of [0, 1] as const) {
        const key = encode(y, sign);
        expect(checkPublicKey(key), `y=${y} sign=${sign}`).toBe(byNoble(key));
        expect(checkPublicKey(key)).not.toBeNull();
      }
    expect(checkPublicKey(encode(P - 1n, 1))).toBe("key_non_canonical");
    expect(checkPublicKey(encode(1n, 1))).toBe("key_non_canonical");
    expect(checkPublicKey(encode(0n, 1))).toBe("key_small_order");
  });

  /** Keys never seen before (so that no cached verdict answers) that are not on the curve. */
  const offCurve = (count: number, from: number): Uint8Array[] => {
    const out: Uint8Array[] = [];
    for (let y = BigInt(from); out.length < count; y++) {
      const key = encode(y * 7919n, 0);
      if (byNoble(key) === "key_not_on_curve") out.push(key);
    }
    return out;
  };
  const sValid = EDGE_SIG;
  const sTooBig = Uint8Array.from([
    ...EDGE_SIG.subarray(0, 32),
    ...Buffer.from(L.toString(16).padStart(64, "0"), "hex").reverse(),
  ]);
  const rSmall = Uint8Array.from([...SMALL_ORDER_ENCODINGS[0]!, ...EDGE_SIG.subarray(32)]);

  it.each([
    ["a well-formed signature", sValid, 1000],
    ["S >= L", sTooBig, 2000],
    ["a small-order R", rSmall, 3000],
  ] as const)(
    "a key off the curve is key_not_on_curve with %s, the first time and after, with either backend",
    (_w, sig, from) => {
      for (const backend of BOTH) {
        for (const key of offCurve(3, from + (backend === nodeBackend ? 0 : 500))) {
          expect(verifyEd25519(sig, EDGE_MESSAGE, key, backend)).toEqual({ ok: false, reason: "key_not_on_curve" });
          expect(verifyEd25519(sig, EDGE_MESSAGE, key, backend)).toEqual({ ok: false, reason: "key_not_on_curve" });
          expect(checkPublicKey(key)).toBe("key_not_on_curve");
        }
      }
    },
  );

  it("a backend other than the built-in two gets the full key check before its equation", () => {
    let asked = 0;
    const accepting: Ed25519Backend = { ...nodeBackend, name: "accepting", verifyEquation: () => (asked++, true) };
    for (const key of offCurve(3, 4000))
      expect(verifyEd25519(sValid, EDGE_MESSAGE, key, accepting)).toEqual({ ok: false, reason: "key_not_on_curve" });
    expect(asked).toBe(0);
    expect(verifyEd25519(EDGE_SIG, EDGE_MESSAGE, EDGE_KEY, accepting)).toEqual({ ok: true });
    expect(asked).toBe(1);
  });

  it("a key first met in a signature that verifies is then known to be good", () => {
    const key = ed.getPublicKey(new Uint8Array(32).fill(77));
    const sig = ed.sign(EDGE_MESSAGE, new Uint8Array(32).fill(77));
    expect(verifyEd25519(sig, EDGE_MESSAGE, key, nodeBackend)).toEqual({ ok: true });
    expect(checkPublicKey(key)).toBeNull();
    const other = ed.getPublicKey(new Uint8Array(32).fill(78));
    expect(verifyEd25519(sig, EDGE_MESSAGE, other, nobleBackend)).toEqual({ ok: false, reason: "bad_signature" });
    expect(checkPublicKey(other)).toBeNull();
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
