import { describe, expect, it } from "vitest";
import type { ClientEvent } from "../core/events.ts";
import { verifyMembership } from "../core/verify-membership.ts";
import { RoomBuilder, makeUser } from "../../test-support/room-builder.ts";
import { RoomSessions } from "./sessions.ts";

const users = Array.from({ length: 8 }, (_, i) => makeUser(`@u${i}:example.org`));

describe("a client's membership sessions", () => {
  it("answer as verifyMembership from scratch through growth, withholding, re-showing, swaps and new pins", () => {
    const b = new RoomBuilder().create(users[0]!);
    const sessions = new RoomSessions();
    let pins = new Map<string, Uint8Array>();
    const check = (view: { state: ClientEvent[]; events: ClientEvent[] }) => {
      const expected = verifyMembership(
        { roomRootKey: b.rrk.publicKey, state: view.state, events: view.events },
        { pinned: pins, chains: "length" },
      );
      expect(sessions.session(b.roomId, b.rrk.publicKey, pins, view).verify(view)).toEqual(expected);
      return expected;
    };
    const view = (withhold: string[] = []) =>
      b.room({ withhold }) as unknown as { state: ClientEvent[]; events: ClientEvent[] };

    for (let i = 1; i < 5; i++) {
      b.inviteAndJoin(users[i - 1]!, users[i]!);
      check(view());
    }
    expect(sessions.stats).toEqual({ made: 1, reused: 3 });

    // Withheld after it was shown: a new session, which misses it as verifying from scratch does.
    expect(check(view(["$3"])).members[users[1]!.userId]).toMatchObject({ status: "unknown" });
    expect(sessions.stats.made).toBe(2);
    // Shown again: the room grew back, and the member verifies again.
    expect(check(view()).members[users[1]!.userId]?.status).toBe("verified");
    expect(sessions.stats).toEqual({ made: 2, reused: 4 });

    // Another event under a known ID, instead of it: a new session.
    const original = b.find("$3");
    const swapped = { ...original, content: { ...original.content, reason: "different" } };
    const replaced = view();
    const swap = (list: ClientEvent[]) => list.map((e) => (e === original ? swapped : e));
    expect(
      check({ state: swap(replaced.state), events: swap(replaced.events) }).members[users[1]!.userId]?.status,
    ).toBe("rejected");
    expect(sessions.stats.made).toBe(3);
    // Both under one ID (the session has seen the other): ambiguous, from scratch and in a session alike.
    const both = view();
    expect(check({ state: both.state, events: [...both.events, swapped] }).members[users[1]!.userId]).toMatchObject({
      status: "rejected",
      reason: "malformed",
    });

    // New pins: a new session (a session's pins are fixed), right or wrong pins alike.
    pins = new Map([[users[2]!.userId, users[3]!.msk.publicKey]]);
    expect(check(view()).members[users[2]!.userId]?.status).not.toBe("verified");
    pins = new Map([[users[2]!.userId, users[2]!.msk.publicKey]]);
    expect(check(view()).members[users[2]!.userId]?.status).toBe("verified");
    expect(sessions.stats).toEqual({ made: 5, reused: 5 });
  });
});
