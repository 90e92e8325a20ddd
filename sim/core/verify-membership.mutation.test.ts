/**
 * Tests written against mutants that survive the other tests (MUTATION.md): every rejection says
 * where and why (`detail`), the look-up callback, the room-level verdict's details, and the paths
 * that only hostile rooms take.
 */
import { describe, expect, it } from "vitest";
import { RoomBuilder, makeUser, seedFrom } from "../../test-support/room-builder.ts";
import { encodeBase64 } from "./base64.ts";
import type { JsonObject } from "./canonical-json.ts";
import { keyIdOf } from "./cross-signing.ts";
import { signingKeyFromSeed } from "./ed25519.ts";
import { buildCreateContent, buildMemberContent, buildThirdPartySuccessorInviteContent } from "./events.ts";
import { signJson } from "./signing.ts";
import {
  EventIndex,
  type MemberVerdict,
  type RoomView,
  type VerifyOptions,
  verifyMembership,
} from "./verify-membership.ts";

const alice = makeUser("@alice:example.org");
const bob = makeUser("@bob:example.org");
const carol = makeUser("@carol:example.org");
const isKey = signingKeyFromSeed(seedFrom("identity server"));

const v = (room: RoomView, opts: VerifyOptions = {}): Record<string, MemberVerdict> =>
  verifyMembership(room, opts).members;
const sign = (content: JsonObject, by = bob) => signJson(content, by.userId, keyIdOf(by.rsk.publicKey), by.rsk);
function aliceAndBob(): RoomBuilder {
  const b = new RoomBuilder().create(alice);
  b.inviteAndJoin(alice, bob);
  return b;
}
/** Replace Bob's join ($4) with `content` (signed by Bob) merged over the original. */
function bobsJoin(b: RoomBuilder, change: JsonObject, drop: string[] = []): void {
  const { signatures: _s, ...content } = b.find("$4").content;
  for (const k of drop) delete content[k];
  b.find("$4").content = sign({ ...content, ...change });
}

describe("every rejection says where and why", () => {
  it("a cause of membership that is neither a join nor the create event", () => {
    const b = aliceAndBob();
    const invite = b.member("invite", alice, carol, "$3");
    b.member("join", carol, carol, invite.event_id);
    expect(v(b.room(), { pinned: { [alice.userId]: alice.msk.publicKey } })[carol.userId]).toEqual({
      status: "rejected",
      reason: "wrong_parent_kind",
      event: "$3",
      detail: "a cause of membership must be a join or m.room.create, not m.room.member (invite)",
    });
    const c = aliceAndBob();
    const pl = c.add({ type: "m.room.power_levels", state_key: "", sender: alice.userId, content: {} });
    const inv = c.member("invite", alice, carol, pl.event_id);
    c.member("join", carol, carol, inv.event_id);
    expect(v(c.room(), { pinned: { [alice.userId]: alice.msk.publicKey } })[carol.userId]).toMatchObject({
      detail: "a cause of membership must be a join or m.room.create, not m.room.power_levels",
    });
  });

  it("a join for another user as a sender's cause", () => {
    const b = aliceAndBob();
    const invite = b.member("invite", alice, carol, "$4");
    b.member("join", carol, carol, invite.event_id);
    expect(v(b.room(), { pinned: { [alice.userId]: alice.msk.publicKey } })[carol.userId]).toEqual({
      status: "rejected",
      reason: "wrong_parent_kind",
      event: "$4",
      detail: "a join for another user",
    });
  });

  it("a join sent by someone else, signed or plain", () => {
    const b = aliceAndBob();
    b.find("$4").sender = alice.userId;
    expect(v(b.room())[bob.userId]).toEqual({
      status: "rejected",
      reason: "join_bad_signature",
      event: "$4",
      detail: "a join sent by another user",
    });
    const c = new RoomBuilder().create(alice);
    c.add({ type: "m.room.member", state_key: bob.userId, sender: alice.userId, content: { membership: "join" } });
    expect(v(c.room())[bob.userId]).toEqual({
      status: "rejected",
      reason: "join_bad_signature",
      event: "$3",
      detail: "a join sent by another user",
    });
  });

  it("a plain join by someone other than the creator, and one with the create event missing", () => {
    const b = new RoomBuilder().create(alice, { plainJoin: true });
    expect(v(b.room({ withhold: ["$1"] }))[alice.userId]).toEqual({
      status: "unknown",
      reason: "parent_missing",
      event: "m.room.create",
    });
  });

  it("sender_key problems name themselves", () => {
    const b = aliceAndBob();
    bobsJoin(b, { sender_key: { ...alice.rskCrossSigningKey } });
    expect(v(b.room())[bob.userId]).toEqual({
      status: "rejected",
      reason: "join_bad_signature",
      event: "$4",
      detail: "sender_key: wrong_user",
    });
    const c = aliceAndBob();
    const { signatures: _s, ...content } = c.find("$3").content;
    c.find("$3").content = signJson(
      { ...content, sender_key: "nope" },
      alice.userId,
      keyIdOf(alice.rsk.publicKey),
      alice.rsk,
    );
    expect(v(c.room())[bob.userId]).toEqual({
      status: "rejected",
      reason: "sender_bad_signature",
      event: "$3",
      detail: "sender_key: malformed",
    });
    const d = aliceAndBob();
    d.find("$3").content.signatures = {};
    expect(v(d.room())[bob.userId]).toEqual({
      status: "rejected",
      reason: "sender_bad_signature",
      event: "$3",
      detail: "signature_missing",
    });
    const e = aliceAndBob();
    e.find("$4").content.signatures = {};
    expect(v(e.room())[bob.userId]).toEqual({
      status: "rejected",
      reason: "join_bad_signature",
      event: "$4",
      detail: "signature_missing",
    });
  });

  it("the create event's checks", () => {
    const b = new RoomBuilder().create(alice);
    b.find("$1").content = buildCreateContent({ rrk: b.rrk, creatorMsk: bob.msk.publicKey, creator: alice.userId });
    expect(v(b.room())[alice.userId]).toEqual({
      status: "rejected",
      reason: "create_wrong_creator",
      event: "$1",
      detail: "creator_key is not the user's MSK",
    });
    const c = new RoomBuilder().create(alice);
    c.find("$1").sender = bob.userId;
    expect(v(c.room())[alice.userId]).toEqual({
      status: "rejected",
      reason: "create_wrong_creator",
      event: "$1",
      detail: "the create event was sent by another user",
    });
    const d = new RoomBuilder().create(alice);
    d.find("$1").content.room_version = "x";
    expect(v(d.room())[alice.userId]).toEqual({ status: "rejected", reason: "create_bad_signature", event: "$1" });
    expect(verifyMembership(d.room()).room).toEqual({
      status: "rejected",
      reason: "create_bad_signature",
      event: "$1",
      detail: "the create event is not signed by the RRK",
    });
    expect(verifyMembership(d.room({ rrk: isKey.publicKey })).room).toEqual({
      status: "rejected",
      reason: "create_wrong_rrk",
      event: "$1",
      detail: "the create event does not carry the RRK the client believes in",
    });
    expect(verifyMembership(d.room({ withhold: ["$1"] })).room).toEqual({
      status: "unknown",
      reason: "parent_missing",
      event: "m.room.create",
      detail: "the state has no m.room.create event",
    });
  });

  it("malformed parents, ambiguous IDs and a join list", () => {
    const b = aliceAndBob();
    bobsJoin(b, { parent_event_id: 4 });
    expect(v(b.room())[bob.userId]).toEqual({
      status: "rejected",
      reason: "malformed",
      event: "$4",
      detail: "parent_event_id is not a string",
    });
    const c = aliceAndBob();
    const { signatures: _s, ...content } = c.find("$3").content;
    c.find("$3").content = signJson(
      { ...content, parent_event_id: 1 },
      alice.userId,
      keyIdOf(alice.rsk.publicKey),
      alice.rsk,
    );
    expect(v(c.room())[bob.userId]).toEqual({
      status: "rejected",
      reason: "malformed",
      event: "$3",
      detail: "parent_event_id is not a string",
    });
    const d = aliceAndBob();
    const room = d.room();
    const other = {
      ...structuredClone(d.find("$3")),
      content: { ...structuredClone(d.find("$3").content), reason: "x" },
    };
    expect(v({ ...room, events: [...(room.events ?? []), other] })[bob.userId]).toEqual({
      status: "rejected",
      reason: "malformed",
      event: "$3",
      detail: "two different events share this event ID",
    });
    const e = aliceAndBob();
    const second = e.member("join", bob, bob, "$3");
    const r = e.room();
    expect(v({ ...r, state: [...r.state, { ...second, event_id: "$99" }] })[bob.userId]).toEqual({
      status: "rejected",
      reason: "malformed",
      event: second.event_id,
      detail: "more than one join for this user in the current state",
    });
  });

  it("a join's parent of the wrong kind, an invite for someone else, a join rule that is not joinable", () => {
    const b = new RoomBuilder().create(alice);
    const pl = b.add({ type: "m.room.power_levels", state_key: "", sender: alice.userId, content: {} });
    b.member("join", bob, bob, pl.event_id);
    expect(v(b.room())[bob.userId]).toEqual({
      status: "rejected",
      reason: "wrong_parent_kind",
      event: pl.event_id,
      detail: "a join's parent must be an invite or m.room.join_rules, not m.room.power_levels",
    });
    const c = new RoomBuilder().create(alice);
    const inv = c.member("invite", alice, carol, "$1");
    c.member("join", bob, bob, inv.event_id);
    expect(v(c.room())[bob.userId]).toEqual({
      status: "rejected",
      reason: "invite_wrong_msk",
      event: inv.event_id,
      detail: "the invite is for another user",
    });
    const d = new RoomBuilder().create(alice);
    const rule = d.add({
      type: "m.room.join_rules",
      state_key: "",
      sender: alice.userId,
      content: signJson(
        { join_rule: "knock", sender_key: alice.rskCrossSigningKey, parent_event_id: "$2" },
        alice.userId,
        keyIdOf(alice.rsk.publicKey),
        alice.rsk,
      ),
    });
    d.joinVia(rule, bob);
    expect(v(d.room())[bob.userId]).toEqual({
      status: "rejected",
      reason: "join_rule_not_joinable",
      event: rule.event_id,
      detail: 'join rule "knock"',
    });
    const e = new RoomBuilder().create(alice);
    const notState = e.add({
      type: "m.room.join_rules",
      state_key: "x",
      sender: alice.userId,
      content: signJson(
        { join_rule: "public", sender_key: alice.rskCrossSigningKey, parent_event_id: "$2" },
        alice.userId,
        keyIdOf(alice.rsk.publicKey),
        alice.rsk,
      ),
    });
    e.joinVia(notState, bob);
    expect(v(e.room())[bob.userId]).toMatchObject({
      reason: "wrong_parent_kind",
      detail: "a join's parent must be an invite or m.room.join_rules, not m.room.join_rules",
    });
  });

  it("the sender's cause the check_sender path needs", () => {
    const b = new RoomBuilder().create(alice);
    const pl = b.add({ type: "m.room.power_levels", state_key: "", sender: alice.userId, content: {} });
    const inv = b.member("invite", alice, bob, pl.event_id);
    b.member("join", bob, bob, inv.event_id);
    expect(v(b.room())[bob.userId]).toEqual({
      status: "rejected",
      reason: "wrong_parent_kind",
      event: pl.event_id,
      detail: "the parent of m.room.member must be its sender's join or the create event",
    });
    const c = aliceAndBob();
    c.inviteAndJoin(bob, carol);
    bobsJoin(c, { user_key: "short" });
    expect(v(c.room())[carol.userId]).toEqual({
      status: "rejected",
      reason: "malformed",
      event: "$4",
      detail: "the MSK it names is not a key",
    });
    expect(v(c.room())[bob.userId]).toEqual({
      status: "rejected",
      reason: "join_wrong_msk",
      event: "$4",
      detail: "user_key is not a key",
    });
  });

  it("restricted joins: the proof's own faults", () => {
    const other = new RoomBuilder({ label: "other", firstId: 100 }).create(carol);
    other.inviteAndJoin(carol, bob);
    const b = new RoomBuilder().create(alice);
    const rule = b.joinRules(alice, "restricted", [other.roomId]);
    const proof = other.proofFor(bob);
    const join = b.joinVia(rule, bob, [{ ...proof[0]!, content: 5 } as unknown as JsonObject, ...proof.slice(1)]);
    expect(v(b.room())[bob.userId]).toEqual({
      status: "rejected",
      reason: "restricted_proof_failed",
      event: join.event_id,
      detail: "membership_events[0]: malformed",
    });
    const c = new RoomBuilder().create(alice);
    const rule2 = c.joinRules(alice, "restricted", [other.roomId]);
    const first = structuredClone(proof[0]!);
    (first.content as JsonObject).room_root_key = "AAAA";
    c.joinVia(rule2, bob, [first, ...proof.slice(1)]);
    expect(v(c.room())[bob.userId]).toEqual({
      status: "rejected",
      reason: "restricted_proof_failed",
      event: proof[0]!.event_id,
      detail: "room_root_key of the proof",
    });
    const allowed = new RoomBuilder({ label: "allowed" });
    const d = new RoomBuilder().create(alice);
    const j = d.joinVia(d.joinRules(alice, "restricted", [allowed.roomId]), bob, proof);
    expect(v(d.room())[bob.userId]).toEqual({
      status: "rejected",
      reason: "restricted_room_not_allowed",
      event: j.event_id,
      detail: other.roomId,
    });
    const e = new RoomBuilder().create(alice);
    e.joinVia(e.joinRules(alice, "restricted", [other.roomId]), bob, [
      proof[0]!,
      { ...proof[1]!, content: { ...(proof[1]!.content as JsonObject), reason: "x" } },
      ...proof.slice(2),
    ]);
    expect(v(e.room())[bob.userId]).toEqual({
      status: "rejected",
      reason: "restricted_proof_failed",
      event: proof[1]!.event_id,
      detail: "sender_bad_signature: bad_signature",
    });
  });

  it("third-party invites: the signed data's shape, and the parent's kind", () => {
    const b = new RoomBuilder().create(alice);
    b.thirdPartyInviteAndJoin(alice, bob, { isKey });
    (b.find("$4").content.third_party_invite as JsonObject).signed = "x";
    expect(v(b.room())[bob.userId]).toEqual({
      status: "rejected",
      reason: "malformed",
      event: "$4",
      detail: "third_party_invite.signed is not an object",
    });
    const c = new RoomBuilder().create(alice);
    c.thirdPartyInviteAndJoin(alice, bob, { isKey });
    const signed = (c.find("$4").content.third_party_invite as { signed: JsonObject }).signed;
    c.find("$4").content = buildThirdPartySuccessorInviteContent({
      thirdPartyInviteEventId: "$2",
      displayName: "x",
      signed,
    });
    expect(v(c.room())[bob.userId]).toEqual({
      status: "rejected",
      reason: "wrong_parent_kind",
      event: "$2",
      detail: "a third-party successor invite's parent must be m.room.third_party_invite, not m.room.member",
    });
    const d = new RoomBuilder().create(alice);
    d.thirdPartyInviteAndJoin(alice, bob, { isKey });
    d.find("$4").content = { ...d.find("$4").content, parent_event_id: 3 };
    expect(v(d.room())[bob.userId]).toEqual({
      status: "rejected",
      reason: "malformed",
      event: "$4",
      detail: "parent_event_id is not a string",
    });
    const e = new RoomBuilder().create(alice);
    e.thirdPartyInviteAndJoin(alice, bob, { isKey });
    expect(v(e.room({ withhold: ["$3"] }))[bob.userId]).toEqual({
      status: "unknown",
      reason: "parent_missing",
      event: "$3",
    });
    (e.find("$4").content.third_party_invite as { signed: JsonObject }).signed.mxid = carol.userId;
    expect(v(e.room())[bob.userId]).toEqual({ status: "rejected", reason: "threepid_wrong_msk", event: "$4" });
  });
});

describe("the look-up callback", () => {
  it("finds withheld events; a callback that throws, or answers with another event, is not trusted", () => {
    const b = aliceAndBob();
    const invite = b.find("$3");
    const room = b.room({ withhold: ["$3"] });
    expect(v(room, { lookup: (id) => (id === "$3" ? invite : undefined) })[bob.userId]?.status).toBe("verified");
    expect(
      v(room, {
        lookup: () => {
          throw new Error("offline");
        },
      })[bob.userId],
    ).toEqual({ status: "unknown", reason: "parent_missing", event: "$3" });
    expect(v(room, { lookup: () => null })[bob.userId]).toEqual({
      status: "unknown",
      reason: "parent_missing",
      event: "$3",
    });
    expect(v(room, { lookup: () => b.find("$1") })[bob.userId]).toEqual({
      status: "rejected",
      reason: "malformed",
      event: "$3",
      detail: "lookup returned an event with another ID",
    });
    expect(v(room, { lookup: () => ({ event_id: "$3" }) })[bob.userId]).toEqual({
      status: "rejected",
      reason: "malformed",
      event: "$3",
    });
  });
});

describe("unreadable joins and pins", () => {
  it("a joined user whose event cannot be read gets a verdict, named by the event", () => {
    const b = aliceAndBob();
    const r = b.room();
    const state = [
      ...r.state,
      { type: "m.room.member", state_key: carol.userId, sender: carol.userId, content: { membership: "join" } },
      {
        event_id: "$x",
        type: "m.room.member",
        state_key: "@dan:example.org",
        content: { membership: "join", user_key: "a", "org.matrix.msc3917.v1.user_key": "b" },
      },
    ];
    const out = v({ ...r, state });
    expect(out[carol.userId]).toEqual({ status: "rejected", reason: "malformed", event: "(no event_id)" });
    expect(out["@dan:example.org"]).toEqual({ status: "rejected", reason: "malformed", event: "$x" });
    const mixed = [
      ...r.state,
      {
        event_id: "$y",
        type: "m.room.member",
        state_key: "@eve:example.org",
        sender: "@eve:example.org",
        content: { membership: "join", user_key: "a", "org.matrix.msc3917.v1.user_key": "b" },
      },
    ];
    expect(v({ ...r, state: mixed })["@eve:example.org"]).toEqual({
      status: "rejected",
      reason: "mixed_field_forms",
      event: "$y",
    });
  });

  it("pins as base64 text, and a pin that is not a key is the caller's error", () => {
    const b = aliceAndBob();
    expect(v(b.room(), { pinned: { [bob.userId]: encodeBase64(bob.msk.publicKey) } })[bob.userId]?.status).toBe(
      "verified",
    );
    expect(() => verifyMembership(b.room(), { pinned: { [bob.userId]: "short" } })).toThrow(
      /pinned MSK for @bob:example.org is not a 32-byte key/,
    );
    expect(() => verifyMembership({ ...b.room(), roomRootKey: "short" })).toThrow(TypeError);
    const memberContent = buildMemberContent({
      membership: "join",
      signer: bob,
      parentEventId: "$3",
      userKey: bob.msk.publicKey,
      rrk: b.rrk.publicKey,
    });
    expect(memberContent.membership).toBe("join");
  });
});

describe("one event ID, two events: what makes them the same event (sameJson, from the mutation run)", () => {
  const base = () => ({
    event_id: "$1",
    type: "m.room.member",
    state_key: "@a:x",
    sender: "@a:x",
    content: { membership: "join", list: [1, "two", { three: 3 }], n: null, t: true, o: { 0: "x" } as unknown },
    unsigned: { age: 1 },
  });
  const ambiguous = (b: unknown): boolean => {
    const got = new EventIndex([[base(), b]]).get("$1");
    if ("found" in got) return false;
    expect(got).toEqual({
      status: "rejected",
      reason: "malformed",
      event: "$1",
      detail: "two different events share this event ID",
    });
    return true;
  };
  const edit = (f: (e: ReturnType<typeof base> & Record<string, unknown>) => void) => {
    const e = base() as ReturnType<typeof base> & Record<string, unknown>;
    f(e);
    return e;
  };

  it("the same event delivered again, with another top-level unsigned or none, is one event", () => {
    expect(ambiguous(base())).toBe(false);
    expect(ambiguous(edit((e) => ((e as Record<string, unknown>).unsigned = { age: 99, transaction_id: "t" })))).toBe(
      false,
    );
    expect(ambiguous(edit((e) => delete (e as Partial<typeof e>).unsigned))).toBe(false);
  });

  it.each([
    ["a string", (e) => (e.content.membership = "leave")],
    ["a number in an array", (e) => (e.content.list[0] = 2)],
    ["a nested object's value", (e) => (e.content.list[2] = { three: 4 })],
    ["an array's length", (e) => e.content.list.pop()],
    [
      "an array for an object",
      (e) => ((e.content as Record<string, unknown>).list = { 0: 1, 1: "two", 2: { three: 3 } }),
    ],
    ["an array in place of an object with index keys", (e) => ((e.content as Record<string, unknown>).o = ["x"])],
    [
      "an object with a length key in place of an array",
      (e) => ((e.content as Record<string, unknown>).list = { 0: 1, 1: "two", 2: { three: 3 }, length: 3 }),
    ],
    ["an empty object in place of a number", (e) => ((e.content.list as unknown[])[0] = {})],
    ["an array one longer", (e) => (e.content.list as unknown[]).push(4)],
    ["null for 0", (e) => ((e.content as Record<string, unknown>).n = 0)],
    ["true for 1", (e) => ((e.content as Record<string, unknown>).t = 1)],
    ["a string for a number", (e) => (e.content.list[0] = "1" as unknown as number)],
    ["an extra key", (e) => ((e.content as Record<string, unknown>).extra = 1)],
    ["a missing key", (e) => delete (e.content as Partial<typeof e.content>).n],
    ["null for an object", (e) => ((e.content.list as unknown[])[2] = null)],
    ["a key of the envelope", (e) => (e.origin_server_ts = 5)],
    [
      "unsigned inside the content (it is signed)",
      (e) => ((e.content as Record<string, unknown>).unsigned = { age: 1 }),
    ],
  ] as [string, (e: ReturnType<typeof base> & Record<string, unknown>) => void][])(
    "differing in %s are two events",
    (_what, f) => {
      expect(ambiguous(edit(f))).toBe(true);
    },
  );

  it("a key only the second has, with the same number of keys, makes two events", () => {
    const a = edit((e) => delete (e.content as Partial<typeof e.content>).n);
    const b = edit((e) => {
      delete (e.content as Partial<typeof e.content>).n;
      (e.content as Record<string, unknown>).m = null;
    });
    expect(new EventIndex([[a, b]]).get("$1")).toMatchObject({ reason: "malformed" });
  });

  it("values nested deeper than canonical JSON allows are never the same, so the ID is ambiguous", () => {
    const deep = () => {
      let v: unknown = 1;
      for (let i = 0; i < 200; i++) v = { v };
      return v;
    };
    expect(ambiguous(edit((e) => ((e.content as Record<string, unknown>).deep = deep())))).toBe(true);
    const withDeep = (d: unknown) => edit((e) => ((e.content as Record<string, unknown>).deep = d));
    expect("found" in new EventIndex([[withDeep(deep()), withDeep(deep())]]).get("$1")).toBe(false);
  });
});
