/**
 * A memo with a bound on its entries, emptied when full. For the caches the core keeps between
 * calls (key verdicts, key objects, decoded keys): the same answer is computed again after a
 * clear, so the bound costs time, never a different result, and a hostile room with more distinct
 * keys than the bound cannot make memory grow without limit.
 */
export class BoundedCache<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1)
      throw new RangeError(`BoundedCache: max must be a positive integer, got ${max}`);
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  /** Keep `value` under `key`, emptying the cache first if it holds `max` entries. Returns `value`. */
  set(key: K, value: V): V {
    if (this.entries.size >= this.max) this.entries.clear();
    this.entries.set(key, value);
    return value;
  }

  /** The value under `key`, computed by `make` and kept if there is none. */
  getOrSet(key: K, make: () => V): V {
    const known = this.entries.get(key);
    return known !== undefined ? known : this.set(key, make());
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
