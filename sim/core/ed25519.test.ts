/**
 * Ed25519 edge cases. Both backends must give every one the same verdict, because clients that
 * disagree about a signature disagree about who is in the room.
 */
import * as ed from "@noble/ed25519";
import { sha512 } from "@noble/hashes/sha2.js";
import { beforeEach, describe, expect, it } from "vitest";
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
  forgetKeyChecks,
  nobleBackend,
  nodeBackend,
  verifyEd25519,
  wrapsStrictDecoder,
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
    // Each backend meets the key as for the first time: no verdict remembered from the other.
    const verdicts = BOTH.map((b) => {
      forgetKeyChecks();
      return verifyEd25519(c.signature, c.message, c.publicKey, b);
    });
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
  beforeEach(forgetKeyChecks);
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

  it("a wrapper is taken to decode keys strictly only when registered over a backend that does, never by spreading", () => {
    let asked = 0;
    const wrap = (inner: Ed25519Backend): Ed25519Backend => ({
      ...inner,
      name: `wrapped ${inner.name}`,
      verifyEquation: (s, m, k) => (asked++, inner.verifyEquation(s, m, k)),
    });
    const accepting: Ed25519Backend = { ...nodeBackend, name: "accepting", verifyEquation: () => true };
    const cases: [Ed25519Backend, number][] = [
      [wrap(nodeBackend), 0], // a spread copy: the full key check first, no equation
      [wrapsStrictDecoder(wrap(nodeBackend), nodeBackend), 1], // registered: the equation decodes the key
      [wrapsStrictDecoder(wrap(accepting), accepting), 0], // registered over a lax backend: not strict
    ];
    for (const [backend, equations] of cases)
      for (const key of offCurve(2, 5000)) {
        forgetKeyChecks();
        asked = 0;
        expect(verifyEd25519(sValid, EDGE_MESSAGE, key, backend)).toEqual({ ok: false, reason: "key_not_on_curve" });
        expect(asked).toBe(equations);
      }
  });

  const le32 = (n: bigint): Uint8Array =>
    Uint8Array.from(Buffer.from(n.toString(16).padStart(64, "0"), "hex").reverse());
  const withR = (r: Uint8Array): Uint8Array => Uint8Array.from([...r, ...EDGE_SIG.subarray(32)]);
  const withS = (s: bigint): Uint8Array => Uint8Array.from([...EDGE_SIG.subarray(0, 32), ...le32(s)]);

  it("encodings just below p are canonical: judged as noble decodes them, as keys and as R", () => {
    const nearP = [
      Uint8Array.from([0xee, ...new Array(30).fill(0xff), 0x7e]), // y < p: the top byte is below 0x7f
      Uint8Array.from([0xee, ...new Array(29).fill(0xff), 0xfe, 0x7f]), // y < p: a middle byte is below 0xff
      Uint8Array.from([0xf0, 0xfe, ...new Array(29).fill(0xff), 0x7f]),
    ];
    for (const enc of nearP) {
      expect(byNoble(enc)).not.toBe("key_non_canonical");
      for (const backend of BOTH) {
        forgetKeyChecks();
        expect(checkPublicKey(enc)).toBe(byNoble(enc));
        expect(verifyEd25519(withR(enc), EDGE_MESSAGE, EDGE_KEY, backend).ok).toBe(false);
        expect(verifyEd25519(withR(enc), EDGE_MESSAGE, EDGE_KEY, backend)).not.toEqual({
          ok: false,
          reason: "r_non_canonical",
        });
      }
    }
  });

  it("a key that shares a small-order y's first 31 bytes but not its last is not small order", () => {
    for (const last of [0x01, 0x40, 0x7e]) {
      const key = Uint8Array.from([...new Array(31).fill(0), last]);
      expect(checkPublicKey(key)).toBe(byNoble(key));
      expect(checkPublicKey(key)).not.toBe("key_small_order");
    }
  });

  it("S = L - 1, and S differing from L only in its lowest byte, are reduced (the equation decides)", () => {
    for (const s of [L - 1n, L - 2n, L - 0xedn]) {
      for (const backend of BOTH)
        expect(verifyEd25519(withS(s), EDGE_MESSAGE, EDGE_KEY, backend)).toEqual({
          ok: false,
          reason: "bad_signature",
        });
    }
    expect(verifyEd25519(withS(L), EDGE_MESSAGE, EDGE_KEY)).toEqual({ ok: false, reason: "s_not_reduced" });
  });

  it("a key of the wrong length is bad_length, whoever asks", () => {
    expect(checkPublicKey(new Uint8Array(31))).toBe("bad_length");
    expect(checkPublicKey(new Uint8Array(33))).toBe("bad_length");
  });

  it("refuses a signature forged under a small-order key, which the bare equation accepts", () => {
    // A has order 8: [k]A is the identity whenever 8 divides k = H(R || A || M), so R = [S]B with
    // S chosen at random verifies for one try in eight. Only the small-order check stops it.
    const A = T8.toBytes();
    const message = new TextEncoder().encode("forged under a small-order key");
    let forged: Uint8Array | undefined;
    for (let s = 1n; !forged; s++) {
      const R = ed.Point.BASE.multiply(s).toBytes();
      const k = ed.etc.mod(
        BigInt(
          `0x${Buffer.from(sha512(Uint8Array.from([...R, ...A, ...message])))
            .reverse()
            .toString("hex")}`,
        ),
        L,
      );
      if (k % 8n === 0n) forged = Uint8Array.from([...R, ...le32(s)]);
    }
    expect(nobleBackend.verifyEquation(forged, message, A)).toBe(true);
    for (const backend of BOTH) {
      forgetKeyChecks();
      expect(verifyEd25519(forged, message, A, backend)).toEqual({ ok: false, reason: "key_small_order" });
    }
  });

  it("a backend that throws never verifies, with a key met for the first time", () => {
    const throwing: Ed25519Backend = {
      ...nodeBackend,
      name: "throwing",
      verifyEquation: () => {
        throw new Error("broken backend");
      },
    };
    expect(verifyEd25519(EDGE_SIG, EDGE_MESSAGE, EDGE_KEY, throwing)).toEqual({ ok: false, reason: "bad_signature" });
    // noble throws on a key off the curve; that must read as a refusal, not pass as valid.
    for (const key of offCurve(2, 5000)) {
      forgetKeyChecks();
      expect(verifyEd25519(EDGE_SIG, EDGE_MESSAGE, key, nobleBackend)).toEqual({
        ok: false,
        reason: "key_not_on_curve",
      });
    }
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

describe("a key object whose bytes change", () => {
  beforeEach(forgetKeyChecks);

  it.each(BOTH)("is read afresh, with each backend's key for the new bytes ($name)", (backend) => {
    const [s1, s2] = [new Uint8Array(32).fill(11), new Uint8Array(32).fill(12)];
    const message = Uint8Array.of(1, 2, 3);
    const key = backend.publicKeyFromSeed(s1).slice();
    const [sig1, sig2] = [backend.sign(s1, message), backend.sign(s2, message)];
    expect(verifyEd25519(sig1, message, key, backend).ok).toBe(true);
    key.set(backend.publicKeyFromSeed(s2)); // the same object, another key
    expect(verifyEd25519(sig1, message, key, backend).ok).toBe(false);
    expect(verifyEd25519(sig2, message, key, backend).ok).toBe(true);
    key[0]! ^= 1; // a third key, likely off the curve: its own verdict, not the second key's
    expect(checkPublicKey(key)).toBe(checkPublicKey(key.slice()));
    expect(verifyEd25519(sig2, message, key, backend).ok).toBe(false);
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

describe("seed import", () => {
  it("gives the same key and signatures as a JWK as through PKCS#8 DER", async () => {
    const { importSeedJwk, importSeedDer } = await import("./ed25519.ts");
    const { createPublicKey, sign } = await import("node:crypto");
    for (let i = 0; i < 64; i++) {
      const seed = new Uint8Array(32).map((_, j) => (i * 31 + j * 7 + (i ^ j)) & 0xff);
      const jwk = importSeedJwk(seed); // the fast path itself, not its DER fallback
      const der = importSeedDer(seed);
      expect(createPublicKey(jwk).export({ format: "jwk" }).x).toBe(createPublicKey(der).export({ format: "jwk" }).x);
      const m = Buffer.from(`message ${i}`);
      expect(sign(null, m, jwk).equals(sign(null, m, der))).toBe(true);
    }
  });
});

describe("the node backend's remembered public keys and signatures", () => {
  it("give the same bytes as made afresh, and hand out copies", () => {
    const seed = new Uint8Array(32).fill(9);
    const message = Buffer.from("remembered");
    forgetKeyChecks();
    const first = nodeBackend.sign(seed, message);
    const pub = nodeBackend.publicKeyFromSeed(seed);
    first[0]! ^= 0xff; // the caller's copy: the remembered one is untouched
    pub[0]! ^= 0xff;
    const again = nodeBackend.sign(seed, message);
    expect(again).toEqual(nobleBackend.sign(seed, message));
    expect(nodeBackend.publicKeyFromSeed(seed)).toEqual(nobleBackend.publicKeyFromSeed(seed));
    expect(again).not.toEqual(first);
    const long = new Uint8Array(5000).fill(1); // past the bound: made afresh every time
    expect(nodeBackend.sign(seed, long)).toEqual(nobleBackend.sign(seed, long));
    expect(nodeBackend.sign(new Uint8Array(32).fill(8), message)).toEqual(
      nobleBackend.sign(new Uint8Array(32).fill(8), message),
    );
  });
});
