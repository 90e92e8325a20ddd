/** Properties of base64: any bytes round-trip through both alphabets. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fcParams } from "../../test-support/fast-check.ts";
import { decodeBase64, encodeBase64, encodeBase64Url } from "./base64.ts";

describe("base64 properties", () => {
  it("round-trips any bytes in both alphabets", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (b) => {
        expect(decodeBase64(encodeBase64(b), { expectedLength: b.length })).toEqual({ ok: true, value: b });
        expect(decodeBase64(encodeBase64Url(b), { alphabet: "urlsafe", expectedLength: b.length })).toEqual({
          ok: true,
          value: b,
        });
      }),
      fcParams(200),
    );
  });
});
