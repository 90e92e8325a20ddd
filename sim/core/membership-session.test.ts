/** Verifying a room again and again: the same verdicts as from scratch, for O(1) work per join. */
import { describe, expect, it } from "vitest";
import { RoomBuilder, makeUser } from "../../test-support/room-builder.ts";
import { type Ed25519Backend, nodeBackend } from "./ed25519.ts";
import { MembershipSession, verifyMembership } from "./verify-membership.ts";

function counting(): Ed25519Backend & { calls: number } {
  const b = { ...nodeBackend, name: "counting", calls: 0 };
  b.verifyEquation = (sig, msg, pub) => {
    b.calls++;
    return nodeBackend.verifyEquation(sig, msg, pub);
  };
  return b;
}

const users = Array.from({ length: 40 }, (_, i) => makeUser(`@s${i}:example.org`));

describe("MembershipSession", () => {
  it("gives the same verdicts as verifying from scratch, as the room grows", () => {
    const b = new RoomBuilder().create(users[0]!);
    const session = new MembershipSession(b.rrk.publicKey);
    for (let i = 1; i < 10; i++) {
      b.inviteAndJoin(users[Math.floor((i - 1) / 2)]!, users[i]!);
      expect(session.verify(b.room())).toEqual(verifyMembership(b.room()));
    }
  });

  it("checks O(1) signatures for one more join: its invite, its join and its RSK", () => {
    const b = new RoomBuilder().create(users[0]!);
    for (let i = 1; i < 30; i++) b.inviteAndJoin(users[Math.floor((i - 1) / 2)]!, users[i]!);
    const backend = counting();
    const session = new MembershipSession(b.rrk.publicKey, { backend });
    session.verify(b.room());
    const full = backend.calls;
    expect(full).toBeGreaterThanOrEqual(3 * 29);
    backend.calls = 0;
    b.inviteAndJoin(users[3]!, users[30]!);
    expect(session.verify(b.room()).members[users[30]!.userId]?.status).toBe("verified");
    expect(backend.calls).toBe(3);
  });

  it("verifies a member once the event its chain was missing arrives", () => {
    const b = new RoomBuilder().create(users[0]!);
    b.inviteAndJoin(users[0]!, users[1]!);
    const session = new MembershipSession(b.rrk.publicKey);
    expect(session.verify(b.room({ withhold: ["$3"] })).members[users[1]!.userId]).toMatchObject({
      status: "unknown",
      reason: "parent_missing",
    });
    expect(session.verify(b.room()).members[users[1]!.userId]?.status).toBe("verified");
  });

  it("starts again, and calls the ID ambiguous, when a different event comes under an ID it has", () => {
    const b = new RoomBuilder().create(users[0]!);
    b.inviteAndJoin(users[0]!, users[1]!);
    const session = new MembershipSession(b.rrk.publicKey);
    expect(session.verify(b.room()).members[users[1]!.userId]?.status).toBe("verified");
    const room = b.room();
    const swapped = { ...b.find("$3"), content: { ...b.find("$3").content, reason: "different" } };
    const result = session.verify({
      state: room.state,
      events: [...(room.events ?? []).filter((e) => (e as { event_id: string }).event_id !== "$3"), swapped],
    });
    expect(result.members[users[1]!.userId]).toMatchObject({ status: "rejected", reason: "malformed", event: "$3" });
  });
});
