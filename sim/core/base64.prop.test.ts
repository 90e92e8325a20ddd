/** Properties of base64: any bytes round-trip through both alphabets; any text decodes as a regex-and-Buffer reference does. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fcParams } from "../../test-support/fast-check.ts";
import { type Base64Alphabet, decodeBase64, encodeBase64, encodeBase64Url } from "./base64.ts";
import { type Result, fail, ok } from "./result.ts";

/** The checks written the obvious way: regular expressions, then node's decoder, then the length. */
function reference(text: string, alphabet: Base64Alphabet, expectedLength?: number): Result<Uint8Array> {
  let body = text;
  const pad = body.indexOf("=");
  if (pad !== -1) {
    const padding = body.slice(pad);
    body = body.slice(0, pad);
    if (!/^={1,2}$/.test(padding) || (body.length + padding.length) % 4 !== 0) return fail("base64: bad padding");
  }
  if (!(alphabet === "standard" ? /^[A-Za-z0-9+/]*$/ : /^[A-Za-z0-9_-]*$/).test(body))
    return fail(`base64: character outside the ${alphabet} alphabet`);
  if (body.length % 4 === 1) return fail("base64: impossible length");
  const bytes = new Uint8Array(Buffer.from(body, alphabet === "standard" ? "base64" : "base64url"));
  if (expectedLength !== undefined && bytes.length !== expectedLength)
    return fail(`base64: decoded ${bytes.length} bytes, expected ${expectedLength}`);
  return ok(bytes);
}

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

  it("decodes any text, or refuses it with the same reason, as the reference does", () => {
    const chars = fc.constantFrom(..."AZaz09+/-_=".split(""), " ", "\n", "é", "\u{1F600}", "\0", "Q", "w");
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(chars, { maxLength: 24 }).map((a) => a.join("")),
          fc.uint8Array({ maxLength: 40 }).map((b) => encodeBase64(b)),
          fc.uint8Array({ maxLength: 40 }).map((b) => `${Buffer.from(b).toString("base64")}`),
        ),
        fc.constantFrom<Base64Alphabet>("standard", "urlsafe"),
        fc.option(fc.nat(40), { nil: undefined }),
        (text, alphabet, expectedLength) => {
          expect(decodeBase64(text, { alphabet, expectedLength })).toEqual(reference(text, alphabet, expectedLength));
        },
      ),
      fcParams(2000),
    );
  });
});
