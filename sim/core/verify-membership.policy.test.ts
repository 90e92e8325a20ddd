/**
 * The verifier's room-level verdict, duplicates, the strict policies for restricted rules, the
 * identity-server key cap, and the planted-bug seam.
 */
import { describe, expect, it } from "vitest";
import { verifyWithPlantedBugs } from "../../test-support/planted-bugs.ts";
import { RoomBuilder, makeUser, seedFrom } from "../../test-support/room-builder.ts";
import { encodeBase64, encodeBase64Url } from "./base64.ts";
import type { JsonObject } from "./canonical-json.ts";
import { signingKeyFromSeed } from "./ed25519.ts";
import { buildCreateContent, buildMemberContent } from "./events.ts";
import { signJson } from "./signing.ts";
import { keyIdOf } from "./cross-signing.ts";
import { MembershipSession, type VerifyOptions, verifyMembership } from "./verify-membership.ts";

const alice = makeUser("@alice:example.org");
const bob = makeUser("@bob:example.org");
const carol = makeUser("@carol:example.org");
const isKey = signingKeyFromSeed(seedFrom("identity server"));

function aliceAndBob(): RoomBuilder {
  const b = new RoomBuilder().create(alice);
  b.inviteAndJoin(alice, bob);
  return b;
}

describe("room-level verdict", () => {
  it("a room whose create event is in the state and matches the RRK is verified", () => {
    expect(verifyMembership(aliceAndBob().room()).room).toEqual({ status: "verified", event: "$1" });
  });

  it("no create event: unknown, with the reason; an empty room too", () => {
    const b = aliceAndBob();
    const room = b.room({ withhold: ["$1"] });
    expect(verifyMembership(room).room).toMatchObject({
      status: "unknown",
      reason: "parent_missing",
      event: "m.room.create",
    });
    const empty = verifyMembership({ roomRootKey: b.rrk.publicKey, state: [] });
    expect(empty.room.status).toBe("unknown");
    expect(Object.keys(empty.members)).toEqual([]);
  });

  it("a create event for another RRK, or not signed by it, is rejected at the room level", () => {
    const b = aliceAndBob();
    const other = signingKeyFromSeed(seedFrom("another rrk")).publicKey;
    expect(verifyMembership(b.room({ rrk: other })).room).toMatchObject({
      status: "rejected",
      reason: "create_wrong_rrk",
      event: "$1",
    });
    b.find("$1").content.room_version = "changed";
    expect(verifyMembership(b.room()).room).toMatchObject({
      status: "rejected",
      reason: "create_bad_signature",
      event: "$1",
    });
    const c = aliceAndBob();
    c.find("$1").content = buildCreateContent({
      rrk: signingKeyFromSeed(seedFrom("another rrk")),
      creatorMsk: alice.msk.publicKey,
    });
    expect(verifyMembership(c.room()).room).toMatchObject({ status: "rejected", reason: "create_wrong_rrk" });
  });

  it("the session gives the same room-level verdict", () => {
    const b = aliceAndBob();
    expect(new MembershipSession(b.rrk.publicKey).verify(b.room({ withhold: ["$1"] })).room.status).toBe("unknown");
  });
});

describe("duplicates", () => {
  it("the same event twice, differing only in its unsigned (age), is one event: nobody becomes malformed", () => {
    const b = aliceAndBob();
    b.inviteAndJoin(bob, carol);
    const room = b.room();
    const again = (id: string, age: number) => ({ ...structuredClone(b.find(id)), unsigned: { age } });
    const doubled = {
      ...room,
      state: [...room.state, again("$4", 5), again("$6", 7)],
      events: [...(room.events ?? []), again("$3", 1), again("$5", 2)],
    };
    const v = verifyMembership(doubled).members;
    expect(Object.values(v).map((x) => x.status)).toEqual(["verified", "verified", "verified"]);
    expect(new MembershipSession(b.rrk.publicKey).verify(doubled).members[carol.userId]?.status).toBe("verified");
  });

  it("different content under one ID is still refused, even if only its content's unsigned proof differs", () => {
    const b = aliceAndBob();
    const room = b.room();
    const changed = {
      ...structuredClone(b.find("$3")),
      content: { ...structuredClone(b.find("$3").content), unsigned: { membership_events: [] } },
    };
    expect(verifyMembership({ ...room, events: [...(room.events ?? []), changed] }).members[bob.userId]).toMatchObject({
      status: "rejected",
      reason: "malformed",
      event: "$3",
    });
    const envelope = { ...structuredClone(b.find("$3")), sender: "@other:example.org" };
    expect(verifyMembership({ ...room, events: [...(room.events ?? []), envelope] }).members[bob.userId]).toMatchObject(
      { reason: "malformed" },
    );
  });
});

describe("strict policies for restricted rules", () => {
  function restricted(allow: unknown[]): { room: ReturnType<RoomBuilder["room"]>; rule: string; join: string } {
    const b = new RoomBuilder().create(alice);
    const content: JsonObject = {
      join_rule: "restricted",
      allow: allow as JsonObject[],
      sender_key: alice.rskCrossSigningKey,
      parent_event_id: b.cause(alice),
    };
    const rule = b.add({
      type: "m.room.join_rules",
      state_key: "",
      sender: alice.userId,
      content: signJson(content, alice.userId, keyIdOf(alice.rsk.publicKey), alice.rsk),
    });
    const join = b.joinVia(rule, bob);
    return { room: b.room(), rule: rule.event_id, join: join.event_id };
  }

  it("a room ID with a server name is a legacy room: the rule takes the plain check_sender path", () => {
    expect(
      verifyMembership(restricted([{ type: "m.room_membership", room_id: "!old:example.org" }]).room).members[
        bob.userId
      ]?.status,
    ).toBe("verified");
  });

  it("a room ID shaped like an RRK that is not a usable key makes the rule unknown, not legacy", () => {
    const smallOrder = `!${encodeBase64Url(new Uint8Array(32))}`; // y = 0: a small-order point
    const notBase64 = `!${"+".repeat(43)}`;
    for (const id of [smallOrder, notBase64]) {
      const { room, rule } = restricted([{ type: "m.room_membership", room_id: id }]);
      expect(verifyMembership(room).members[bob.userId], id).toMatchObject({
        status: "unknown",
        reason: "join_rule_unsupported",
        event: rule,
        detail: expect.stringContaining("shaped like an RRK"),
      });
    }
  });

  it.each([
    [
      "an unknown allow type",
      [{ type: "m.room_membership", room_id: "!old:example.org" }, { type: "org.example.custom" }],
      "allow[1]: type",
    ],
    ["an entry that is not an object", [5], "allow[0]: not an object"],
    [
      "a membership entry without a string room_id",
      [{ type: "m.room_membership", room_id: 7 }],
      "room_id is not a string",
    ],
  ])("%s makes the rule unknown, with the reason", (_why, allow, detail) => {
    const { room, rule } = restricted(allow);
    expect(verifyMembership(room).members[bob.userId]).toMatchObject({
      status: "unknown",
      reason: "join_rule_unsupported",
      event: rule,
      detail: expect.stringContaining(detail),
    });
  });
});

describe("identity-server keys", () => {
  const others = Array.from({ length: 20 }, (_, i) => signingKeyFromSeed(seedFrom(`other is key ${i}`)).publicKey);

  it("the identity server may have signed with any of the first 16 listed keys", () => {
    for (const at of [0, 15]) {
      const listed = [...others.slice(0, at), isKey.publicKey, ...others.slice(at)];
      const b = new RoomBuilder().create(alice);
      b.thirdPartyInviteAndJoin(alice, bob, { isKey, listedKeys: listed });
      expect(verifyMembership(b.room()).members[bob.userId]?.status, `at ${at}`).toBe("verified");
    }
  });

  it("Policy: a 17th listed key is not tried (the cap), nor a 17th signature", () => {
    const b = new RoomBuilder().create(alice);
    b.thirdPartyInviteAndJoin(alice, bob, { isKey, listedKeys: [...others.slice(0, 16), isKey.publicKey] });
    expect(verifyMembership(b.room()).members[bob.userId]).toMatchObject({
      status: "rejected",
      reason: "threepid_bad_signature",
    });
    const c = new RoomBuilder().create(alice);
    c.thirdPartyInviteAndJoin(alice, bob, { isKey });
    const signed = (
      c.find("$4").content.third_party_invite as { signed: { signatures: Record<string, Record<string, string>> } }
    ).signed;
    const real = signed.signatures["id.example"]!;
    signed.signatures = {
      "a.example": Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`ed25519:${i}`, "A".repeat(86)])),
      "id.example": real,
    };
    expect(verifyMembership(c.room()).members[bob.userId]).toMatchObject({
      status: "rejected",
      reason: "threepid_bad_signature",
    });
    delete signed.signatures["a.example"]!["ed25519:15"];
    expect(verifyMembership(c.room()).members[bob.userId]?.status).toBe("verified");
  });
});

describe("planted bugs (test-support/planted-bugs.ts)", () => {
  it("skip_invite_user_key accepts an invite for another MSK that the strict verifier refuses; the public verifier has no option for it", () => {
    const b = aliceAndBob();
    b.find("$3").content = buildMemberContent({
      membership: "invite",
      signer: alice,
      parentEventId: "$1",
      userKey: carol.msk.publicKey,
      rrk: b.rrk.publicKey,
    });
    const room = b.room();
    expect(verifyMembership(room).members[bob.userId]).toMatchObject({
      status: "rejected",
      reason: "invite_wrong_msk",
    });
    expect(verifyWithPlantedBugs(["skip_invite_user_key"])(room).members[bob.userId]?.status).toBe("verified");
    // The old `faults` option is gone: passed anyway (from untyped code), it changes nothing.
    const smuggled = { faults: new Set(["skip_invite_user_key"]) } as unknown as VerifyOptions;
    expect(verifyMembership(room, smuggled).members[bob.userId]?.status).toBe("rejected");
    expect(verifyWithPlantedBugs([])(room).members[bob.userId]?.status).toBe("rejected");
    expect(encodeBase64(b.rrk.publicKey)).toBe(room.roomRootKey);
  });
});
