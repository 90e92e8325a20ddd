import { describe, expect, it } from "vitest";
import { seedFrom } from "../../test-support/room-builder.ts";
import { encodeBase64, encodeBase64Url } from "./base64.ts";
import { signingKeyFromSeed } from "./ed25519.ts";
import { buildRoomLink, parseRoomLink, roomIdOfLink } from "./links.ts";
import { roomIdFromRrk } from "./room-root-key.ts";

const rrk = signingKeyFromSeed(seedFrom("linked room")).publicKey;
const other = signingKeyFromSeed(seedFrom("another room")).publicKey;

describe("room links", () => {
  it.each(["matrix", "matrix.to"] as const)("build and parse an alias link with room_root_key (%s)", (scheme) => {
    const uri = buildRoomLink({ target: "#lab:example.org", via: ["example.org"], rrk }, scheme);
    expect(uri).toMatch(
      scheme === "matrix"
        ? /^matrix:r\/lab:example\.org\?via=example\.org&room_root_key=/
        : /^https:\/\/matrix\.to\/#\/%23lab:example\.org\?via=example\.org&room_root_key=/,
    );
    expect(parseRoomLink(uri)).toEqual({ ok: true, value: { target: "#lab:example.org", via: ["example.org"], rrk } });
  });

  it("gives an RRK room ID's link its RRK, and leads to that room", () => {
    const id = roomIdFromRrk(rrk);
    const parsed = parseRoomLink(buildRoomLink({ target: id, via: [] }, "matrix"));
    expect(parsed.ok && parsed.value.rrk).toEqual(rrk);
    expect(parsed.ok && roomIdOfLink(parsed.value)).toBe(id);
  });

  it("keeps a literal + in room_root_key (form decoding would turn it into a space)", () => {
    const withPlus = encodeBase64(rrk);
    const parsed = parseRoomLink(`matrix:r/lab:example.org?room_root_key=${withPlus}`);
    expect(parsed.ok ? parsed.value.rrk : parsed.error).toEqual(rrk);
    expect(parseRoomLink(`https://matrix.to/#/#lab:example.org?room_root_key=${encodeBase64Url(rrk)}`)).toMatchObject({
      ok: true,
      value: { rrk },
    });
  });

  it.each([
    [
      "a room ID and a different RRK",
      `matrix:roomid/${roomIdFromRrk(rrk).slice(1)}?room_root_key=${encodeURIComponent(encodeBase64(other))}`,
      /does not match/,
    ],
    ["a short key", `matrix:r/lab:example.org?room_root_key=AAAA`, /decoded 3 bytes/],
    [
      "a small-order key",
      `matrix:r/lab:example.org?room_root_key=${encodeURIComponent(encodeBase64(Uint8Array.of(1, ...new Uint8Array(31))))}`,
      /not a usable/,
    ],
    [
      "two keys",
      `matrix:r/lab:example.org?room_root_key=${encodeURIComponent(encodeBase64(rrk))}&room_root_key=${encodeURIComponent(encodeBase64(rrk))}`,
      /twice/,
    ],
    ["another scheme", "https://example.org/#/#lab:example.org", /not a matrix/],
    ["a user link", "matrix:u/alice:example.org", /matrix:r/],
  ])("refuse %s", (_why, uri, message) => {
    const r = parseRoomLink(uri);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(message);
  });
});
