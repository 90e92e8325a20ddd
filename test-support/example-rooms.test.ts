import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { verifyMembership } from "../sim/core/verify-membership.ts";
import { EXAMPLES_DIR, exampleRooms, exampleText } from "./example-rooms.ts";

describe("example rooms in scenarios/rooms", () => {
  const rooms = exampleRooms();

  it.each(Object.keys(rooms))("%s is exactly what the generator makes", (name) => {
    expect(readFileSync(join(EXAMPLES_DIR, `${name}.room.json`), "utf8")).toBe(exampleText(rooms[name]!));
  });

  it("small-valid: every member verifies", () => {
    const r = rooms["small-valid"] as { room_root_key: string; state: unknown[]; events: unknown[] };
    const v = verifyMembership({ roomRootKey: r.room_root_key, state: r.state, events: r.events }).members;
    expect(Object.values(v).map((x) => x.status)).toEqual(["verified", "verified", "verified"]);
  });

  it("forged-member: the two members the server inserted are rejected, the real ones verified", () => {
    const r = rooms["forged-member"] as {
      room_root_key: string;
      state: unknown[];
      events: unknown[];
      master_keys: Record<string, string>;
    };
    const v = verifyMembership(
      { roomRootKey: r.room_root_key, state: r.state, events: r.events },
      { pinned: r.master_keys },
    ).members;
    expect(
      Object.fromEntries(Object.entries(v).map(([u, x]) => [u, x.status === "verified" ? x.status : x.reason])),
    ).toEqual({
      "@alice:example.org": "verified",
      "@bob:example.org": "verified",
      "@eve:example.org": "join_wrong_rrk",
      "@mallory:example.org": "sender_rsk_not_signed",
    });
  });
});
