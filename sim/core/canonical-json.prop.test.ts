import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fcParams } from "../../test-support/fast-check.ts";
import { matrixJson, trickyString } from "../../test-support/arbitraries.ts";
import { canonicalJson, compareCodePoints, parseJson } from "./canonical-json.ts";

describe("canonical JSON properties", () => {
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

  it("is insensitive to the order keys were inserted in", () => {
    fc.assert(
      fc.property(fc.dictionary(trickyString, fc.maxSafeInteger()), (d) => {
        const reversed = Object.fromEntries(Object.entries(d).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(d));
      }),
      fcParams(200),
    );
  });
});
