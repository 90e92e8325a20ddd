import { describe, expect, it } from "vitest";
import { BoundedCache } from "./bounded-cache.ts";

describe("BoundedCache", () => {
  it("keeps up to max entries, then empties itself before taking the next", () => {
    const c = new BoundedCache<string, number>(2);
    expect(c.set("a", 1)).toBe(1);
    c.set("b", 2);
    expect(c.size).toBe(2);
    expect([c.get("a"), c.get("b")]).toEqual([1, 2]);
    c.set("c", 3);
    expect(c.size).toBe(1);
    expect([c.get("a"), c.get("b"), c.get("c")]).toEqual([undefined, undefined, 3]);
  });

  it("replacing a key when full still empties it first (the bound is on entries held, not on new keys)", () => {
    const c = new BoundedCache<string, number>(1);
    c.set("a", 1);
    c.set("a", 2);
    expect(c.size).toBe(1);
    expect(c.get("a")).toBe(2);
  });

  it("delete forgets one key and keeps the others", () => {
    const c = new BoundedCache<string, number>(4);
    c.set("a", 1);
    c.set("b", 2);
    c.delete("a");
    expect([c.get("a"), c.get("b"), c.size]).toEqual([undefined, 2, 1]);
  });

  it("getOrSet computes once per key, and again after a clear", () => {
    const c = new BoundedCache<string, number>(4);
    let made = 0;
    const make = () => ++made;
    expect(c.getOrSet("k", make)).toBe(1);
    expect(c.getOrSet("k", make)).toBe(1);
    c.clear();
    expect(c.size).toBe(0);
    expect(c.getOrSet("k", make)).toBe(2);
  });

  it("a falsy value is a value (null, 0 and false are kept, not recomputed)", () => {
    const c = new BoundedCache<string, unknown>(4);
    let made = 0;
    for (const v of [null, 0, false, ""]) {
      const key = JSON.stringify(v);
      c.getOrSet(key, () => (made++, v));
      c.getOrSet(key, () => (made++, "other"));
      expect(c.get(key)).toBe(v);
    }
    expect(made).toBe(4);
  });

  it("refuses a bound that is not a positive integer", () => {
    for (const max of [0, -1, 1.5, Number.NaN]) expect(() => new BoundedCache(max)).toThrow(RangeError);
    expect(() => new BoundedCache(0)).toThrow("BoundedCache: max must be a positive integer, got 0");
  });
});
