import { describe, expect, it } from "vitest";
import { RoomBuilder, makeUser, seedFrom } from "../../test-support/room-builder.ts";
import { encodeBase64 } from "./base64.ts";
import { signingKeyFromSeed } from "./ed25519.ts";
import { buildSpaceChildContent } from "./events.ts";
import { roomIdFromRrk } from "./room-root-key.ts";
import { verifySpaceChildren } from "./verify-space.ts";

const alice = makeUser("@alice:example.org");
const bob = makeUser("@bob:example.org");
const mallory = makeUser("@mallory:evil.example");
const child = signingKeyFromSeed(seedFrom("child room"));
const childId = roomIdFromRrk(child.publicKey);

function spaceWithChild(by = bob) {
  const space = new RoomBuilder({ label: "space" }).create(alice);
  space.inviteAndJoin(alice, bob);
  const e = space.add({
    type: "m.space.child",
    state_key: childId,
    sender: by.userId,
    content: buildSpaceChildContent({
      childRrk: child.publicKey,
      via: ["example.org"],
      signer: by,
      parentEventId: space.causes.get(by.userId) ?? "$4",
    }),
  });
  return { space, e };
}

describe("verifySpaceChildren", () => {
  it("verifies a child added by a verified member, giving its RRK and the chain", () => {
    const { space, e } = spaceWithChild();
    expect(verifySpaceChildren(space.room())).toEqual({
      [childId]: {
        status: "verified",
        room_root_key: encodeBase64(child.publicKey),
        sender: bob.userId,
        event: e.event_id,
        chain: [e.event_id, "$4", "$3", "$1"],
      },
    });
  });

  it("refuses a child whose room_root_key does not match its room ID (RRK substitution)", () => {
    const { space, e } = spaceWithChild();
    e.state_key = roomIdFromRrk(signingKeyFromSeed(seedFrom("attacker's room")).publicKey);
    expect(Object.values(verifySpaceChildren(space.room()))[0]).toMatchObject({
      status: "rejected",
      reason: "space_child_wrong_rrk",
      event: e.event_id,
    });
  });

  it("refuses a child the server added in a member's name", () => {
    const { space, e } = spaceWithChild(makeUser(bob.userId, { label: "server-made bob" }));
    expect(verifySpaceChildren(space.room())[childId]).toMatchObject({
      status: "rejected",
      reason: "sender_rsk_not_signed",
      event: e.event_id,
    });
  });

  it("refuses a child added by someone whose own membership fails", () => {
    const { space } = spaceWithChild(mallory);
    expect(verifySpaceChildren(space.room())[childId]?.status).not.toBe("verified");
  });

  it("refuses a child whose sender passes check_sender but whose own cause fails", () => {
    const { space } = spaceWithChild();
    space.find("$4").content = { ...space.find("$4").content, reason: "changed after signing" };
    expect(verifySpaceChildren(space.room())[childId]).toMatchObject({
      status: "rejected",
      reason: "join_bad_signature",
      event: "$4",
    });
  });

  it("refuses a legacy child room ID and ignores removed children", () => {
    const { space, e } = spaceWithChild();
    e.state_key = "!legacy:example.org";
    space.add({ type: "m.space.child", state_key: childId, sender: bob.userId, content: {} });
    expect(verifySpaceChildren(space.room())).toEqual({
      "!legacy:example.org": {
        status: "rejected",
        reason: "space_child_wrong_rrk",
        event: e.event_id,
        detail: "the child's room ID is not an RRK",
      },
    });
  });
});

describe("child room IDs are data", () => {
  it("a child whose state key is __proto__ gets its own verdict", () => {
    const b = new RoomBuilder({ label: "space" }).create(alice);
    b.add({ type: "m.space.child", state_key: "__proto__", sender: alice.userId, content: { via: ["x"] } });
    const out = verifySpaceChildren(b.room());
    expect(Object.hasOwn(out, "__proto__")).toBe(true);
    expect(out["__proto__"]).toMatchObject({ status: "rejected", reason: "space_child_wrong_rrk" });
  });
});
