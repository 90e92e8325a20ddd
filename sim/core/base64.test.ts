import { describe, expect, it } from "vitest";
import { decodeBase64, encodeBase64, encodeBase64Url } from "./base64.ts";

describe("base64", () => {
  it("encodes unpadded, standard and URL-safe", () => {
    const bytes = Uint8Array.from([0xfb, 0xff, 0xbf, 0x01]);
    expect(encodeBase64(bytes)).toBe("+/+/AQ");
    expect(encodeBase64Url(bytes)).toBe("-_-_AQ");
  });

  it("decodes padded and unpadded input", () => {
    expect(decodeBase64("AQ")).toEqual({ ok: true, value: Uint8Array.of(1) });
    expect(decodeBase64("AQ==")).toEqual({ ok: true, value: Uint8Array.of(1) });
    expect(decodeBase64("-_-_AQ", { alphabet: "urlsafe" })).toEqual({
      ok: true,
      value: Uint8Array.from([0xfb, 0xff, 0xbf, 0x01]),
    });
  });

  it.each([
    ["garbage characters", "AQ!!", {}],
    ["whitespace", "AQ A", {}],
    ["URL-safe characters in standard", "-_-_", {}],
    ["standard characters in URL-safe", "+/+/", { alphabet: "urlsafe" as const }],
    ["an impossible length", "AQIDB", {}],
    ["padding in the middle", "AQ==AQ==", {}],
    ["too much padding", "AQ===", {}],
    ["padding that does not complete a quantum", "AQI==", {}],
    ["a 31-byte key", encodeBase64(new Uint8Array(31)), { expectedLength: 32 }],
    ["a 33-byte key", encodeBase64(new Uint8Array(33)), { expectedLength: 32 }],
    ["a 63-byte signature", encodeBase64(new Uint8Array(63)), { expectedLength: 64 }],
  ])("rejects %s", (_why, text, opts) => {
    expect(decodeBase64(text, opts).ok).toBe(false);
  });

  it("accepts stray low bits, as matrix-org's unpaddedbase64 does (the spec's own seed has them)", () => {
    const r = decodeBase64("YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1", { expectedLength: 32 });
    expect(r.ok).toBe(true);
    expect(r.ok && encodeBase64(r.value)).toBe("YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA0");
  });
});
