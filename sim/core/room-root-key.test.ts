import { describe, expect, it } from "vitest";
import { encodeBase64Url } from "./base64.ts";
import {
  generateRoomRootKey,
  isRrkRoomId,
  roomIdFromRrk,
  rrkFromContent,
  rrkFromRoomId,
  rrkToContent,
} from "./room-root-key.ts";

describe("room root keys", () => {
  const rrk = generateRoomRootKey(new Uint8Array(32).fill(5));

  it("turn into a room ID and back", () => {
    const roomId = roomIdFromRrk(rrk.publicKey);
    expect(roomId).toMatch(/^![A-Za-z0-9_-]{43}$/);
    expect(rrkFromRoomId(roomId)).toEqual({ ok: true, value: rrk.publicKey });
    expect(rrkFromContent(rrkToContent(rrk.publicKey))).toEqual({ ok: true, value: rrk.publicKey });
  });

  it("match the proposal's example pair of content key and room ID", () => {
    // MSC3917 §Rooms as Keys example: room_root_key "/ZK6paR+…" is room "!_ZK6paR-…".
    const fromContent = rrkFromContent("/ZK6paR+wBkKcazPx2xijn/0g+m2KCRqdCUZ6agzaaE");
    expect(fromContent.ok && roomIdFromRrk(fromContent.value)).toBe("!_ZK6paR-wBkKcazPx2xijn_0g-m2KCRqdCUZ6agzaaE");
  });

  it.each([
    ["a legacy room ID", "!OGEhHVWSdvArJzumhm:matrix.org"],
    ["no '!'", encodeBase64Url(rrk.publicKey)],
    ["standard base64", "!/ZK6paR+wBkKcazPx2xijn/0g+m2KCRqdCUZ6agzaaE"],
    ["a short key", `!${encodeBase64Url(new Uint8Array(31).fill(9))}`],
    ["a small-order key", `!${encodeBase64Url(Uint8Array.of(1, ...new Uint8Array(31)))}`],
  ])("refuse %s", (_why, roomId) => {
    expect(rrkFromRoomId(roomId).ok).toBe(false);
    expect(isRrkRoomId(roomId)).toBe(false);
  });
});
