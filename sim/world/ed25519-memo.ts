/**
 * The Ed25519 backend a simulated world verifies with: node's, with each equation's answer kept
 * for the rest of the run. Honest clients verify the same room again at every sync and every
 * message, and the property checks after every step, so one run checks the same few signatures
 * over the same bytes hundreds of times (issue 14 §5). One cache of equations per world: no
 * verification carries over from one run to the next. (The core keeps key objects, public keys
 * and signatures per process, sim/core/ed25519.ts; bench/models.bench.ts forgets them before each
 * run, so that a run there costs what it would cost on its own.)
 *
 * Policy: only the cofactorless equation is cached, keyed by the exact bytes of the signature, the
 * public key and the message. The equation is a pure function of those bytes, so a cached answer
 * is the answer; and `verifyEd25519` (sim/core/ed25519.ts) applies the strict policy (lengths,
 * canonical and small-order keys and R, reduced S) in front of the backend at every call, cached
 * or not. A backend that throws is not cached: the throw reaches `verifyEd25519` as it would have.
 */
import { type Ed25519Backend, nodeBackend, wrapsStrictDecoder } from "../core/ed25519.ts";

export interface MemoizingBackend extends Ed25519Backend {
  /** Equations answered from the cache, and computed, so far. */
  readonly stats: { hits: number; misses: number };
  /** What the cache holds now: equations, and the characters of their keys. */
  kept(): { equations: number; bytes: number };
}

/**
 * Bounds on what one world keeps: equations, and the bytes of their keys (the messages are event
 * contents, a hostile one large). Far more than any scripted or searched run verifies; the cache
 * is cleared when either is reached, which costs time, never a different answer.
 */
export const MAX_CACHED_EQUATIONS = 1 << 16;
export const MAX_CACHED_BYTES = 1 << 26;

/**
 * `inner`'s equations, with their answers kept; `max` bounds how many and `maxBytes` their keys'
 * size (small in tests). `publicKeyFromSeed` and `sign` are `inner`'s.
 */
export function memoizingBackend(
  inner: Ed25519Backend = nodeBackend,
  max = MAX_CACHED_EQUATIONS,
  maxBytes = MAX_CACHED_BYTES,
): MemoizingBackend {
  const equations = new Map<string, boolean>();
  let bytes = 0;
  const stats = { hits: 0, misses: 0 };
  const memo: MemoizingBackend = {
    name: `${inner.name}+memo`,
    stats,
    kept: () => ({ equations: equations.size, bytes }),
    publicKeyFromSeed: (seed) => inner.publicKeyFromSeed(seed),
    sign: (seed, message) => inner.sign(seed, message),
    verifyEquation(signature, message, publicKey) {
      // The lengths first, so that no two different triples make the same key.
      const key = `${signature.length}:${publicKey.length}:${latin1(signature)}${latin1(publicKey)}${latin1(message)}`;
      const known = equations.get(key);
      if (known !== undefined) {
        stats.hits++;
        return known;
      }
      const valid = inner.verifyEquation(signature, message, publicKey);
      stats.misses++;
      if (equations.size >= max || bytes + key.length > maxBytes) {
        equations.clear();
        bytes = 0;
      }
      if (key.length <= maxBytes) {
        equations.set(key, valid);
        bytes += key.length;
      }
      return valid;
    },
  };
  // Its equations are `inner`'s answers: they refuse an off-curve key exactly when inner's do.
  return wrapsStrictDecoder(memo, inner);
}

const latin1 = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1");
