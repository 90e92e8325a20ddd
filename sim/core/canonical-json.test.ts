import { describe, expect, it } from "vitest";
import { matrixSpecVectors } from "../../test-support/vectors.ts";
import {
  CanonicalJsonError,
  MAX_JSON_DEPTH,
  canonicalJson,
  canonicalJsonBytes,
  canonicalJsonView,
  compareCodePoints,
  parseJson,
} from "./canonical-json.ts";

const spec = matrixSpecVectors();

describe("canonical JSON: spec vectors", () => {
  it.each(spec.canonical_json.map((v, i) => [i, v] as const))("vector %i is byte-exact", (_i, v) => {
    expect(Buffer.from(canonicalJson(v.input), "utf8")).toEqual(Buffer.from(v.canonical, "utf8"));
  });

  it.each(spec.must_reject.map((v) => [v.why, v.json_text] as const))("rejects %s", (_why, text) => {
    const r = parseJson(text);
    expect(r.ok).toBe(false);
  });
});

describe("canonical JSON: rules", () => {
  it("grows its buffer for large values, and a getter that encodes while encoding gets a buffer of its own", () => {
    const big = { a: "x".repeat(100_000), b: "é".repeat(50_000), c: "😀".repeat(30_000) };
    expect(canonicalJson(big)).toBe(`{"a":"${big.a}","b":"${big.b}","c":"${big.c}"}`);
    const inner = { z: "inner" };
    const outer = {
      a: "before",
      get b() {
        return canonicalJson(inner);
      },
      c: "after",
    };
    expect(canonicalJson(outer)).toBe('{"a":"before","b":"{\\"z\\":\\"inner\\"}","c":"after"}');
    expect(canonicalJson(inner)).toBe('{"z":"inner"}');
  });

  it("sorts keys by code point, not UTF-16 code unit", () => {
    // U+FFFF is one code unit 0xFFFF; U+1F600 is the pair D83D DE00. Code-unit order would put 😀 first.
    expect(canonicalJson({ "😀": 2, "\uffff": 1, "\ue000": 0, a: 3 })).toBe('{"a":3,"\ue000":0,"\uffff":1,"😀":2}');
    expect(["😀", "\uffff"].sort()).toEqual(["😀", "\uffff"]); // the trap: default sort gets it wrong
    expect(compareCodePoints("😀", "\uffff")).toBeGreaterThan(0);
    expect(compareCodePoints("ab", "a")).toBeGreaterThan(0);
    expect(compareCodePoints("a", "a")).toBe(0);
  });

  it("sorts the keys of large objects (sorted by the native sort, not in place) by code point too", () => {
    // 40 keys, above the in-place sort's 24, given in reverse: with and without high code units.
    const plain = Array.from({ length: 40 }, (_, i) => `k${String(i).padStart(2, "0")}`);
    const high = [...plain.slice(0, 37), "\ue000", "\uffff", "😀"];
    for (const keys of [plain, high]) {
      const value = Object.fromEntries([...keys].reverse().map((k, i) => [k, i]));
      const expected = keys.map((k, i) => `${JSON.stringify(k)}:${keys.length - 1 - i}`).join(",");
      expect(canonicalJson(value)).toBe(`{${expected}}`);
    }
  });

  it("writes only the spec's escapes", () => {
    expect(canonicalJson('\u0000\u0001\u001f\u007f\b\f\n\r\t"\\/\u2028\u2029é')).toBe(
      '"\\u0000\\u0001\\u001f\u007f\\b\\f\\n\\r\\t\\"\\\\/\u2028\u2029é"',
    );
  });

  it("writes -0 as 0 and accepts the safe-integer bounds", () => {
    expect(canonicalJson({ a: -0, b: 9007199254740991, c: -9007199254740991 })).toBe(
      '{"a":0,"b":9007199254740991,"c":-9007199254740991}',
    );
  });

  it.each([
    ["a float", { a: 1.5 }, /float 1.5 at \$\.a/],
    ["an unsafe integer", [1, 2 ** 53], /integer 9007199254740992 at \$\[1\]/],
    ["NaN", { x: { y: NaN } }, /float NaN at \$\.x\.y/],
    ["Infinity", { a: Infinity }, /float Infinity/],
    ["a lone surrogate in a value", { a: "x\ud800" }, /lone surrogate in string at \$\.a/],
    ["a lone surrogate in a key", { ["\udc00"]: 1 }, /lone surrogate/],
    ["undefined", { a: undefined }, /undefined at \$\.a/],
    ["a bigint", { a: 1n }, /bigint at \$\.a/],
    ["a Date", { a: new Date(0) }, /Date at \$\.a/],
    ["a function", { f: () => 1 }, /function/],
  ])("rejects %s, naming the path", (_what, value, message) => {
    expect(() => canonicalJson(value)).toThrow(CanonicalJsonError);
    expect(() => canonicalJson(value)).toThrow(message);
  });

  it("names paths with brackets where a key is not an identifier, and reports the first problem in the value's order", () => {
    expect(() => canonicalJson({ "a b": [0, { c: 1.5 }] })).toThrow('float 1.5 at $["a b"][1].c is not allowed');
    expect(() => canonicalJson({ ok: 1, k: { ["x\udc00"]: 1 } })).toThrow(
      'lone surrogate in string at $.k["x\\udc00"]',
    );
    expect(() => canonicalJson({ b: 1.5, a: 2 ** 60 })).toThrow("float 1.5 at $.b");
    expect(() => canonicalJson(Object.create(Object.create(null)))).toThrow("exotic object at $ is not JSON");
    expect(canonicalJson(Object.assign(Object.create(null), { b: 1, a: [true, false, null] }))).toBe(
      '{"a":[true,false,null],"b":1}',
    );
  });

  it("leaves out only the top-level keys it is told to, whatever they hold", () => {
    const omit = new Set(["signatures", "unsigned"]);
    const value = { a: 1, signatures: { x: 1.5 }, unsigned: { f: () => 1 }, n: { signatures: 2 } };
    expect(canonicalJson(value, omit)).toBe('{"a":1,"n":{"signatures":2}}');
    expect(() => canonicalJson(value)).toThrow("float 1.5 at $.signatures.x");
    expect(() => canonicalJson({ n: { signatures: 1.5 } }, omit)).toThrow("float 1.5 at $.n.signatures");
  });

  it("bounds nesting depth instead of overflowing the stack", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(() => canonicalJson(deep)).toThrow(/nesting deeper than/);
    let ok: unknown = 1;
    for (let i = 0; i < MAX_JSON_DEPTH; i++) ok = [ok];
    expect(canonicalJson(ok)).toBe(`${"[".repeat(MAX_JSON_DEPTH)}1${"]".repeat(MAX_JSON_DEPTH)}`);
  });
});

describe("parseJson: untrusted text", () => {
  it.each([
    ['{"a":1.0}', /float 1.0 at \$\.a/],
    ['{"a":[1,2,3e0]}', /float 3e0 at \$\.a\[2\]/],
    ['{"a":-1E+2}', /float/],
    ['{"a":1,"a":2}', /duplicate key "a"/],
    ['{"a":1,"\\u0061":2}', /duplicate key "a"/],
    ['{"a\\"b":1,"a\\"b":2}', /duplicate key "a\\"b"/],
    ['{"x":{"a\\u0062":1,"ab":2}}', /duplicate key "ab" at \$\.x\.ab/],
    ['{"a":"\\ud800"}', /lone surrogate/],
    ['{"a":9007199254740993}', /outside/],
    ['{"a":1', /invalid JSON/],
    ["", /invalid JSON/],
    ["[1,]", /invalid JSON/],
    ['{"a":1} x', /invalid JSON/],
  ])("rejects %s", (text, message) => {
    const r = parseJson(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });

  it("rejects 10^6-deep nesting without recursion", () => {
    const r = parseJson("[".repeat(1_000_000) + "]".repeat(1_000_000));
    expect(r).toEqual({ ok: false, error: expect.stringMatching(/nesting deeper than/) });
  });

  it("accepts keys that are not duplicates in different objects, and strings that look like numbers", () => {
    const r = parseJson(' { "a" : { "a" : "1.5" } , "b" : [ { "a" : -0 } ] , "c":"\\"1e5" } ');
    expect(r.ok && canonicalJson(r.value)).toBe('{"a":{"a":"1.5"},"b":[{"a":0}],"c":"\\"1e5"}');
  });

  it("keeps a __proto__ key as data", () => {
    const r = parseJson('{"__proto__":{"x":1}}');
    expect(r.ok && canonicalJson(r.value)).toBe('{"__proto__":{"x":1}}');
  });
});

describe("canonical JSON: what the mutation run found untested", () => {
  it("its errors are CanonicalJsonError by name", () => {
    expect(new CanonicalJsonError("x").name).toBe("CanonicalJsonError");
  });

  it("compares code points across the surrogate range from either side", () => {
    expect(compareCodePoints("\ud7ff", "\ue000")).toBeLessThan(0);
    expect(compareCodePoints("\ue000", "\ud7ff")).toBeGreaterThan(0);
    expect(compareCodePoints("\ud7ff", "\ud83d\ude00")).toBeLessThan(0);
    expect(compareCodePoints("\ud83d\ude00", "\ud7ff")).toBeGreaterThan(0);
    expect(compareCodePoints("\ue000", "\ud83d\ude00")).toBeLessThan(0);
  });

  it("says where too deep a value starts, with the first 8 steps of its path", () => {
    let deep: unknown = 1;
    for (let i = 0; i <= MAX_JSON_DEPTH; i++) deep = [deep];
    expect(() => canonicalJson(deep)).toThrow(`nesting deeper than ${MAX_JSON_DEPTH} at $${"[0]".repeat(8)}…`);
  });

  it("reports a problem outside the omitted keys even when an omitted one comes first", () => {
    const omit = new Set(["signatures"]);
    expect(() => canonicalJson({ signatures: { x: 1.5 }, z: 2 ** 60 }, omit)).toThrow(
      "integer 1152921504606847000 at $.z is outside",
    );
  });

  it.each([
    ['{"a":"\\x"}', "invalid JSON: bad string at offset 5"],
    ['{"a":"abc', "invalid JSON: bad string at offset 5"],
    ["[-]", "invalid JSON: bad number at offset 1"],
    ['{"a":-1.5}', "canonical JSON: float -1.5 at $.a is not allowed"],
    ['{"a":0.50}', "canonical JSON: float 0.50 at $.a is not allowed"],
    ['{"a":9.50}', "canonical JSON: float 9.50 at $.a is not allowed"],
    ["[1, 2, 3.5]", "canonical JSON: float 3.5 at $[2] is not allowed"],
    ['{"a" : 1 , "b" : [ 0 , 1e3 ]}', "canonical JSON: float 1e3 at $.b[1] is not allowed"],
    [
      `${"[".repeat(MAX_JSON_DEPTH + 1)}${"]".repeat(MAX_JSON_DEPTH + 1)}`,
      `canonical JSON: nesting deeper than ${MAX_JSON_DEPTH}`,
    ],
  ])("parseJson(%s) fails with exactly: %s", (text, error) => {
    expect(parseJson(text)).toEqual({ ok: false, error });
  });

  it("accepts nesting at the bound, many siblings, values equal to their keys, and never throws on stray commas", () => {
    expect(parseJson(`${"[".repeat(MAX_JSON_DEPTH)}${"]".repeat(MAX_JSON_DEPTH)}`).ok).toBe(true);
    expect(parseJson(`[${Array.from({ length: 300 }, (_, i) => (i % 2 ? "{}" : "[]")).join(",")}]`).ok).toBe(true);
    expect(parseJson(`{${Array.from({ length: 300 }, (_, i) => `"k${i}":{"x":[]}`).join(",")}}`).ok).toBe(true);
    expect(parseJson('{"a":"a","b":"b"}')).toEqual({ ok: true, value: { a: "a", b: "b" } });
    for (const text of ["1,2", ",", "]", "}", ",]"]) expect(parseJson(text).ok).toBe(false);
  });
});

describe("canonicalJsonView: messages in a shared buffer", () => {
  it("gives the bytes canonicalJsonBytes gives, and later encodings leave them as they were", () => {
    const values = Array.from({ length: 600 }, (_, i) => ({ i, text: "x".repeat(i * 7), nested: { é: [i, "ü"] } }));
    // Enough to fill several shared buffers, with messages above the shared size among them.
    const views = values.map((v) => canonicalJsonView(v, new Set(["nested"])));
    const copies = views.map((b) => b.slice());
    for (let i = 0; i < 200; i++) canonicalJsonView({ filler: "y".repeat(i * 40) });
    values.forEach((v, i) => {
      expect(views[i]).toEqual(canonicalJsonBytes(v, new Set(["nested"])));
      expect(views[i]).toEqual(copies[i]);
    });
    expect(views.some((v) => v.byteLength > 4096)).toBe(true);
    expect(new Set(views.map((v) => v.buffer)).size).toBeLessThan(views.length);
  });

  it("throws as canonicalJsonBytes does", () => {
    expect(() => canonicalJsonView({ a: 1.5 })).toThrow(CanonicalJsonError);
  });
});

describe("canonical JSON: the encoder's reused key lists", () => {
  it("writes objects of different sizes at one depth, before and after a large one, each with its own keys", () => {
    const large = Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`k${i}`, i]));
    const value = [{ b: 1, a: 2, c: 3 }, { z: 1 }, large, { y: [{ q: 1, p: 2 }] }, {}];
    expect(canonicalJson(value)).toBe(JSON.stringify(value, (_k, v) => sortedForTest(v)));
  });

  it("never writes an enumerable property inherited from Object.prototype", () => {
    Object.defineProperty(Object.prototype, "polluted", {
      value: 1,
      enumerable: true,
      configurable: true,
      writable: true,
    });
    try {
      expect(canonicalJson({ a: 1, b: { c: 2 } })).toBe('{"a":1,"b":{"c":2}}');
    } finally {
      delete (Object.prototype as Record<string, unknown>).polluted;
    }
  });
});

/** Objects with their keys in code-unit order (all keys here are ASCII), for a JSON.stringify reference. */
function sortedForTest(v: unknown): unknown {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
  return Object.fromEntries(
    Object.keys(v)
      .sort()
      .map((k) => [k, (v as Record<string, unknown>)[k]]),
  );
}
