/**
 * The one source of randomness in the simulation (DESIGN.md §5): a seeded PRNG (`seedrandom`,
 * ARC4), every draw labelled ("keygen @alice/msk"). The labels form a trace; a replay that is
 * handed the trace it should follow fails loudly at the first draw that drifts.
 */
import seedrandom from "seedrandom";

export class Rng {
  private readonly prng: seedrandom.PRNG;
  readonly trace: string[] = [];

  constructor(
    readonly seed: string | number,
    private readonly expected?: readonly string[],
  ) {
    this.prng = seedrandom(String(seed));
  }

  private note(label: string): void {
    const i = this.trace.length;
    if (this.expected && this.expected[i] !== undefined && this.expected[i] !== label) {
      throw new Error(
        `rng drift at draw ${i}: expected ${JSON.stringify(this.expected[i])}, got ${JSON.stringify(label)} (seed ${this.seed})`,
      );
    }
    this.trace.push(label);
  }

  /** `n` random bytes. */
  bytes(label: string, n: number): Uint8Array {
    this.note(label);
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i += 4) {
      const word = this.prng.int32() >>> 0;
      for (let j = 0; j < 4 && i + j < n; j++) out[i + j] = (word >>> (8 * j)) & 0xff;
    }
    return out;
  }

  /** An integer in [0, n). */
  int(label: string, n: number): number {
    this.note(label);
    return Math.floor(this.prng.quick() * n);
  }

  /** A lowercase ID of `len` letters, for device IDs and tokens. */
  id(label: string, len = 10): string {
    const b = this.bytes(label, len);
    return Array.from(b, (x) => String.fromCharCode(65 + (x % 26))).join("");
  }
}
