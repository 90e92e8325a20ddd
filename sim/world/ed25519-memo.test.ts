import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as ed from "@noble/ed25519";
import { type Ed25519Backend, checkPublicKey, forgetKeyChecks, nodeBackend, verifyEd25519 } from "../core/ed25519.ts";
import { fcParams } from "../../test-support/fast-check.ts";
import { memoizingBackend } from "./ed25519-memo.ts";

const seeds = [1, 2, 3].map((i) => new Uint8Array(32).fill(i));
const messages = ["", "a", "ab", '{"membership":"join"}'].map((m) => new TextEncoder().encode(m));

/**
 * One query: a genuine signature of a message under a seed, checked under the signer's key (or
 * another's) over that message (or another), possibly with one byte of the signature or key flipped.
 */
const sometimes = <T>(arb: fc.Arbitrary<T>, weight: number) =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: 4 - weight }, { arbitrary: arb, weight });
const query = fc
  .record({
    signer: fc.nat(seeds.length - 1),
    otherKey: sometimes(fc.nat(seeds.length - 1), 2),
    message: fc.nat(messages.length - 1),
    otherMessage: sometimes(fc.nat(messages.length - 1), 2),
    flip: sometimes(fc.record({ at: fc.nat(95), xor: fc.integer({ min: 1, max: 255 }) }), 1),
  })
  .map((q) => ({ ...q, key: q.otherKey ?? q.signer, checked: q.otherMessage ?? q.message }));

describe("the memoizing Ed25519 backend", () => {
  it("answers every query exactly as node's backend does: repeated, tampered, and after it is cleared or full", () => {
    fc.assert(
      fc.property(
        fc.array(query, { minLength: 1, maxLength: 40, size: "max" }),
        fc.integer({ min: 1, max: 8 }),
        // Keys are 103 to 123 characters here: some too large to keep, some filling the budget.
        fc.integer({ min: 100, max: 800 }),
        (queries, max, maxBytes) => {
          const memo = memoizingBackend(nodeBackend, max, maxBytes);
          for (const q of [...queries, ...queries]) {
            let sig = nodeBackend.sign(seeds[q.signer]!, messages[q.message]!);
            let pub = nodeBackend.publicKeyFromSeed(seeds[q.key]!);
            if (q.flip && q.flip.at < 64) (sig = sig.slice())[q.flip.at]! ^= q.flip.xor;
            if (q.flip && q.flip.at >= 64) (pub = pub.slice())[q.flip.at - 64]! ^= q.flip.xor;
            const message = messages[q.checked]!;
            expect(verifyEd25519(sig, message, pub, memo)).toEqual(verifyEd25519(sig, message, pub, nodeBackend));
          }
          expect(memo.stats.hits + memo.stats.misses).toBeLessThanOrEqual(2 * queries.length);
          expect(memo.kept().equations).toBeLessThanOrEqual(max);
          expect(memo.kept().bytes).toBeLessThanOrEqual(maxBytes);
        },
      ),
      fcParams(60),
    );
  });

  it("answers a repeat from the cache, and a change of one byte anywhere from the equation", () => {
    const memo = memoizingBackend();
    const pub = nodeBackend.publicKeyFromSeed(seeds[0]!);
    const msg = messages[3]!;
    const sig = nodeBackend.sign(seeds[0]!, msg);
    expect(memo.verifyEquation(sig, msg, pub)).toBe(true);
    expect(memo.verifyEquation(sig.slice(), msg.slice(), pub.slice())).toBe(true);
    expect(memo.stats).toEqual({ hits: 1, misses: 1 });
    const longer = Uint8Array.from([...msg, 0]);
    expect(memo.verifyEquation(sig, longer, pub)).toBe(false);
    const other = msg.slice();
    other[other.length - 1]! ^= 1;
    expect(memo.verifyEquation(sig, other, pub)).toBe(false);
    const tampered = sig.slice();
    tampered[63]! ^= 1;
    expect(memo.verifyEquation(tampered, msg, pub)).toBe(false);
    expect(memo.stats).toEqual({ hits: 1, misses: 4 });
    // Views into a larger buffer are read at their offset.
    const buffer = new Uint8Array(200);
    buffer.set(sig, 7);
    buffer.set(msg, 80);
    expect(memo.verifyEquation(buffer.subarray(7, 71), buffer.subarray(80, 80 + msg.length), pub)).toBe(true);
    expect(memo.stats.hits).toBe(2);
  });

  it("keeps the bytes of signature, key and message apart: moving a byte across a boundary is another query", () => {
    const calls: number[][] = [];
    const inner = {
      ...nodeBackend,
      name: "spy",
      verifyEquation: (s: Uint8Array, m: Uint8Array, k: Uint8Array) => (
        calls.push([s.length, m.length, k.length]), true
      ),
    };
    const memo = memoizingBackend(inner);
    const bytes = new Uint8Array(100).fill(9);
    memo.verifyEquation(bytes.subarray(0, 64), bytes.subarray(0, 4), bytes.subarray(0, 32));
    memo.verifyEquation(bytes.subarray(0, 63), bytes.subarray(0, 4), bytes.subarray(0, 33));
    memo.verifyEquation(bytes.subarray(0, 64), bytes.subarray(0, 5), bytes.subarray(0, 31));
    expect(calls).toEqual([
      [64, 4, 32],
      [63, 4, 33],
      [64, 5, 31],
    ]);
  });

  it("does not cache a backend that throws, and verifyEd25519 still refuses", () => {
    let throws = true;
    const inner = {
      ...nodeBackend,
      name: "flaky",
      verifyEquation: (s: Uint8Array, m: Uint8Array, k: Uint8Array) => {
        if (throws) throw new Error("backend failure");
        return nodeBackend.verifyEquation(s, m, k);
      },
    };
    const memo = memoizingBackend(inner);
    const pub = nodeBackend.publicKeyFromSeed(seeds[1]!);
    const sig = nodeBackend.sign(seeds[1]!, messages[1]!);
    expect(verifyEd25519(sig, messages[1]!, pub, memo)).toEqual({ ok: false, reason: "bad_signature" });
    throws = false;
    expect(verifyEd25519(sig, messages[1]!, pub, memo)).toEqual({ ok: true });
  });

  it("decodes keys strictly exactly when what it wraps does: an off-curve key is left to the equation only then", () => {
    let y = 5;
    const offCurve = new Uint8Array(32);
    for (; ; y++) {
      offCurve[0] = y;
      try {
        ed.Point.fromBytes(offCurve, false);
      } catch {
        break;
      }
    }
    const sig = nodeBackend.sign(seeds[0]!, messages[0]!);
    const accepting: Ed25519Backend = { ...nodeBackend, name: "accepting", verifyEquation: () => true };
    for (const [inner, equations] of [
      [nodeBackend, 1],
      [accepting, 0],
    ] as const) {
      forgetKeyChecks();
      const memo = memoizingBackend(inner);
      expect(verifyEd25519(sig, messages[0]!, offCurve, memo)).toEqual({ ok: false, reason: "key_not_on_curve" });
      expect(memo.stats.misses).toBe(equations);
      expect(checkPublicKey(offCurve)).toBe("key_not_on_curve");
    }
  });

  it("leaves the strict policy in front: a small-order key is refused before any equation, cached or not", () => {
    const memo = memoizingBackend();
    const identity = new Uint8Array(32);
    identity[0] = 1;
    const sig = new Uint8Array(64);
    sig.set(identity, 0);
    expect(verifyEd25519(sig, messages[0]!, identity, memo)).toEqual({ ok: false, reason: "key_small_order" });
    expect(memo.stats).toEqual({ hits: 0, misses: 0 });
  });
});
