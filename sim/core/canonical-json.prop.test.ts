import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fcParams } from "../../test-support/fast-check.ts";
import { matrixJson, trickyString } from "../../test-support/arbitraries.ts";
import {
  MAX_JSON_DEPTH,
  canonicalJson,
  canonicalJsonBytes,
  canonicalJsonProblem,
  compareCodePoints,
  parseJson,
} from "./canonical-json.ts";

/** A second encoder, built the obvious way: code-point-sorted keys, `JSON.stringify` for every string, then UTF-8. */
function reference(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(reference).join(",")}]`;
  if (typeof v === "object" && v !== null)
    return `{${Object.keys(v)
      .sort(compareCodePoints)
      .map((k) => `${JSON.stringify(k)}:${reference((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(v);
}

describe("canonical JSON properties", () => {
  it("the byte writer writes what JSON.stringify of well-formed strings, in code-point key order, encodes to", () => {
    fc.assert(
      fc.property(matrixJson, fc.array(trickyString, { maxLength: 4 }), (x, strings) => {
        const value = { x, strings, long: strings.join("").repeat(300) };
        expect(Buffer.from(canonicalJsonBytes(value))).toEqual(Buffer.from(reference(value), "utf8"));
      }),
      fcParams(300),
    );
  });

  it("canonical(parse(canonical(x))) == canonical(x)", () => {
    fc.assert(
      fc.property(matrixJson, (x) => {
        const once = canonicalJson(x);
        const parsed = parseJson(once);
        expect(parsed.ok).toBe(true);
        expect(parsed.ok && canonicalJson(parsed.value)).toBe(once);
      }),
      fcParams(300),
    );
  });

  it("key order is UTF-8 byte order (equivalently, code point order)", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.string({ unit: "binary" }), (a, b) => {
        expect(Math.sign(compareCodePoints(a, b))).toBe(Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))));
      }),
      fcParams(500),
    );
  });

  it("writes keys in UTF-8 byte order, for small objects (sorted in place) and large ones alike", () => {
    fc.assert(
      fc.property(fc.dictionary(trickyString, fc.maxSafeInteger(), { maxKeys: 60, size: "max" }), (d) => {
        const expected = Object.entries(d)
          .sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
          .map(([k, v]) => `${JSON.stringify(k)}:${v}`)
          .join(",");
        expect(canonicalJson(d)).toBe(`{${expected}}`);
      }),
      fcParams(300),
    );
  });

  it("is insensitive to the order keys were inserted in", () => {
    fc.assert(
      fc.property(fc.dictionary(trickyString, fc.maxSafeInteger()), (d) => {
        const reversed = Object.fromEntries(Object.entries(d).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(d));
      }),
      fcParams(200),
    );
  });

  it("canonicalJsonProblem(x) is null exactly when canonicalJson(x) encodes, and is canonicalJson's error otherwise", () => {
    // Values canonical JSON forbids among those it allows: floats, unsafe integers, lone
    // surrogates (in strings and keys), non-JSON types, exotic objects, and nesting at the bound.
    const leaf = fc.oneof(
      matrixJson,
      fc.double(),
      fc.constantFrom(2 ** 53, -(2 ** 53), 2 ** 53 - 1, -0, Number.NaN, Number.POSITIVE_INFINITY),
      fc.string({ unit: "binary" }),
      fc.constantFrom(undefined, 1n, new Date(0), new Map(), Object.create(null)),
    );
    const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
      v: fc.oneof(
        { depthSize: "small" },
        leaf,
        fc.array(tie("v"), { maxLength: 4 }),
        fc.dictionary(fc.string({ unit: "binary", maxLength: 3 }), tie("v"), { maxKeys: 4 }),
      ),
    })).v;
    const nested = fc
      .tuple(value, fc.integer({ min: MAX_JSON_DEPTH - 2, max: MAX_JSON_DEPTH + 2 }), fc.boolean())
      .map(([inner, depth, asObject]) => {
        let v: unknown = inner;
        for (let i = 0; i < depth; i++) v = asObject ? { k: v } : [v];
        return v;
      });
    fc.assert(
      fc.property(fc.oneof(value, nested), (x) => {
        let error: string | null = null;
        try {
          canonicalJson(x);
        } catch (e) {
          error = (e as Error).message;
        }
        expect(canonicalJsonProblem(x)).toBe(error);
        const problem = canonicalJsonProblem(x);
        if (problem !== null) expect(problem).toMatch(/^canonical JSON: .* at \$/);
      }),
      fcParams(500),
    );
  });
});
