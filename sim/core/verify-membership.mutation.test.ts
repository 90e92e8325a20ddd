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
import { nodeBackend, signingKeyFromSeed } from "./ed25519.ts";
import { buildCreateContent, buildMemberContent, buildThirdPartySuccessorInviteContent } from "./events.ts";
import { signJson } from "./signing.ts";
import {
  EventIndex,
  type MemberVerdict,
  MembershipSession,
  type RoomView,
  type VerifyOptions,
  decodeKey,
  parseEvent,
  sameBytes,
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

describe("survivors of the third run on verify-membership.ts (MUTATION.md)", () => {
  const pinAlice = { pinned: { [alice.userId]: alice.msk.publicKey } };

  it("parseEvent refuses what is not an event, and decodeKey what is not a 32-byte key", () => {
    for (const raw of [5, null, "x", [1]]) expect(parseEvent(raw)).toEqual({ ok: false, error: "malformed" });
    const good = { event_id: "$1", type: "m.x", sender: "@a:x", content: {} };
    expect(parseEvent(good).ok).toBe(true);
    expect(parseEvent({ ...good, state_key: "" }).ok).toBe(true);
    expect(parseEvent({ ...good, state_key: 5 })).toEqual({ ok: false, error: "malformed" });
    expect(parseEvent({ ...good, type: 5 })).toEqual({ ok: false, error: "malformed" });
    expect(decodeKey(5)).toBeNull();
    expect(decodeKey(encodeBase64(new Uint8Array(31).fill(7)))).toBeNull();
    expect(decodeKey(encodeBase64(new Uint8Array(33).fill(7)))).toBeNull();
    expect(decodeKey(encodeBase64(alice.msk.publicKey))).toEqual(alice.msk.publicKey);
    expect(sameBytes(new Uint8Array([1, 2]), new Uint8Array([1, 2, 0]))).toBe(false);
    expect(sameBytes(new Uint8Array([1, 2, 0]), new Uint8Array([1, 2]))).toBe(false);
  });

  it("an event index skips entries that are not events, and the same object twice is one event", () => {
    const b = aliceAndBob();
    const r = b.room();
    const bobJoin = b.find("$4");
    const state = [null, 5, { event_id: 7 }, ...r.state, bobJoin];
    const out = verifyMembership({ ...r, state: state as unknown[], events: [...(r.events ?? []), bobJoin, null] });
    expect(out.members[bob.userId]?.status).toBe("verified");
    expect(Object.keys(out.members)).toEqual([alice.userId, bob.userId]);
  });

  it("two events under one ID: an object for a number, null for an object, nested arrays past the bound", () => {
    const ev = (x: unknown) => ({ event_id: "$1", type: "m.x", sender: "@a:x", content: { x } });
    const two = (a: unknown, b: unknown) => !("found" in new EventIndex([[ev(a), ev(b)]]).get("$1"));
    expect(two({}, 5)).toBe(true);
    expect(two(5, {})).toBe(true);
    expect(two(null, {})).toBe(true);
    expect(two({}, null)).toBe(true);
    expect(two([], {})).toBe(true);
    expect(two({ a: [1] }, { a: [1] })).toBe(false);
    const deepArray = () => {
      let v: unknown = 1;
      for (let i = 0; i < 200; i++) v = [v];
      return v;
    };
    expect(two(deepArray(), deepArray())).toBe(true);
  });

  it("a join's room_root_key that is not a string is not the RRK", () => {
    const b = aliceAndBob();
    bobsJoin(b, { room_root_key: 5 });
    expect(v(b.room())[bob.userId]).toStrictEqual({ status: "rejected", reason: "join_wrong_rrk", event: "$4" });
  });

  it("a pinned sender's missing cause leaves the member unknown, never verified", () => {
    const b = new RoomBuilder().create(alice);
    const invite = b.member("invite", alice, bob, "$nowhere");
    b.member("join", bob, bob, invite.event_id);
    expect(v(b.room(), pinAlice)[bob.userId]).toStrictEqual({
      status: "unknown",
      reason: "parent_missing",
      event: "$nowhere",
    });
    // Unpinned, the sender's cause is looked up for its MSK, and is missing there.
    expect(v(b.room())[bob.userId]).toStrictEqual({ status: "unknown", reason: "parent_missing", event: "$nowhere" });
  });

  it("a session forgets a sender check that was missing its cause, once the cause arrives", () => {
    const b = aliceAndBob();
    b.inviteAndJoin(bob, carol);
    const session = new MembershipSession(b.rrk.publicKey);
    const without = b.room({ withhold: ["$4"] });
    // Bob's join is withheld: Carol's inviter has no known cause.
    expect(session.verify(without).members[carol.userId]).toMatchObject({ status: "unknown", event: "$4" });
    expect(session.verify(b.room()).members[carol.userId]?.status).toBe("verified");
  });

  it("a pinned sender whose parent is not a cause of membership: the parent's kind is named", () => {
    const b = new RoomBuilder().create(alice);
    const pl = b.add({ type: "m.room.power_levels", state_key: "", sender: alice.userId, content: {} });
    const invite = b.member("invite", alice, bob, pl.event_id);
    b.member("join", bob, bob, invite.event_id);
    expect(v(b.room(), pinAlice)[bob.userId]).toStrictEqual({
      status: "rejected",
      reason: "wrong_parent_kind",
      event: pl.event_id,
      detail: "a cause of membership must be a join or m.room.create, not m.room.power_levels",
    });
    const fake = new RoomBuilder().create(alice);
    const notCreate = fake.add({ type: "m.room.create", state_key: "x", sender: alice.userId, content: {} });
    const inv = fake.member("invite", alice, bob, notCreate.event_id);
    fake.member("join", bob, bob, inv.event_id);
    expect(v(fake.room(), pinAlice)[bob.userId]).toMatchObject({
      reason: "wrong_parent_kind",
      event: notCreate.event_id,
    });
  });

  it("a plain join resting on a create event that is not in the room", () => {
    const b = new RoomBuilder().create(alice, { plainJoin: true });
    const invite = b.member("invite", alice, bob, "$2"); // resting on Alice's plain join
    b.member("join", bob, bob, invite.event_id);
    const r = b.room({ withhold: ["$1"] });
    expect(v(r, pinAlice)[bob.userId]).toStrictEqual({
      status: "unknown",
      reason: "parent_missing",
      event: "m.room.create",
    });
    // And by someone other than the creator.
    const c = aliceAndBob();
    c.find("$4").content = { membership: "join" };
    expect(v(c.room())[bob.userId]).toStrictEqual({
      status: "rejected",
      reason: "join_wrong_rrk",
      event: "$4",
      detail: "a join without MSC3917 fields, by someone other than the creator",
    });
  });

  it("a session verifies a creator whose join is plain", () => {
    const b = new RoomBuilder().create(alice, { plainJoin: true });
    b.inviteAndJoin(alice, bob);
    const out = new MembershipSession(b.rrk.publicKey).verify(b.room());
    expect(out.members[alice.userId]?.status).toBe("verified");
    expect(out.members[bob.userId]?.status).toBe("verified");
    expect(() => new MembershipSession("short")).toThrow(/^MembershipSession: /);
    expect(new MembershipSession(encodeBase64(b.rrk.publicKey)).verify(b.room()).members[bob.userId]?.status).toBe(
      "verified",
    );
  });

  it("a cached RSK is one user's: the same sender_key object under another user is read again", () => {
    const b = aliceAndBob();
    const [, carolsJoin] = b.inviteAndJoin(alice, carol);
    const bobsKey = b.find("$4").content.sender_key as JsonObject;
    const { signatures: _s, ...content } = carolsJoin.content;
    carolsJoin.content = signJson(
      { ...content, sender_key: bobsKey },
      carol.userId,
      keyIdOf(bob.rsk.publicKey),
      bob.rsk,
    );
    expect(v(b.room())[carol.userId]).toStrictEqual({
      status: "rejected",
      reason: "join_bad_signature",
      event: carolsJoin.event_id,
      detail: "sender_key: wrong_user",
    });
  });

  it("a failed RSK check is not remembered as a pass for the same key seen again", () => {
    const b = aliceAndBob();
    const [invite] = b.inviteAndJoin(bob, carol);
    const badKey = structuredClone(b.find("$4").content.sender_key) as {
      signatures: Record<string, Record<string, string>>;
    };
    const sigs = badKey.signatures[bob.userId]!;
    const id = Object.keys(sigs)[0]!;
    sigs[id] = encodeBase64(new Uint8Array(64).fill(3));
    bobsJoin(b, { sender_key: badKey });
    const { signatures: _s, ...inviteContent } = invite.content;
    invite.content = sign({ ...inviteContent, sender_key: structuredClone(badKey) });
    const out = v(b.room());
    expect(out[bob.userId]).toStrictEqual({ status: "rejected", reason: "join_rsk_not_signed", event: "$4" });
    expect(out[carol.userId]).toStrictEqual({
      status: "rejected",
      reason: "sender_rsk_not_signed",
      event: invite.event_id,
    });
  });

  it("a join's parent that is a join, or a leave, is not an invite", () => {
    const b = aliceAndBob();
    const join = b.member("join", carol, carol, "$4");
    expect(v(b.room())[carol.userId]).toStrictEqual({
      status: "rejected",
      reason: "wrong_parent_kind",
      event: "$4",
      detail: "a join's parent must be an invite or m.room.join_rules, not m.room.member",
    });
    expect(join.event_id).toBe("$5");
    const c = aliceAndBob();
    const leave = c.add({
      type: "m.room.member",
      state_key: carol.userId,
      sender: alice.userId,
      content: { membership: "leave" },
    });
    c.member("join", carol, carol, leave.event_id);
    expect(v(c.room())[carol.userId]).toMatchObject({ reason: "wrong_parent_kind", event: leave.event_id });
    const d = aliceAndBob();
    const fakeCreate = d.add({ type: "m.room.create", state_key: "x", sender: alice.userId, content: {} });
    d.member("join", carol, carol, fakeCreate.event_id);
    expect(v(d.room())[carol.userId]).toStrictEqual({
      status: "rejected",
      reason: "wrong_parent_kind",
      event: fakeCreate.event_id,
      detail: "a join's parent must be an invite or m.room.join_rules, not m.room.create",
    });
    // An event of another type that says "invite" is not an invite.
    const e = aliceAndBob();
    const custom = e.add({
      type: "m.custom",
      state_key: carol.userId,
      sender: alice.userId,
      content: { membership: "invite" },
    });
    e.member("join", carol, carol, custom.event_id);
    expect(v(e.room())[carol.userId]).toStrictEqual({
      status: "rejected",
      reason: "wrong_parent_kind",
      event: custom.event_id,
      detail: "a join's parent must be an invite or m.room.join_rules, not m.custom",
    });
  });

  it("the check_sender path: a sender's cause that is someone else's join, or an invite", () => {
    const b = aliceAndBob();
    b.inviteAndJoin(alice, carol);
    const inv = b.member("invite", bob, makeUser("@dan:example.org"), "$2");
    b.member("join", makeUser("@dan:example.org"), makeUser("@dan:example.org"), inv.event_id);
    expect(v(b.room())["@dan:example.org"]).toStrictEqual({
      status: "rejected",
      reason: "wrong_parent_kind",
      event: "$2",
      detail: "the parent of m.room.member must be its sender's join or the create event",
    });
    const c = aliceAndBob();
    const dan = makeUser("@dan:example.org");
    const inv2 = c.member("invite", bob, dan, "$3");
    c.member("join", dan, dan, inv2.event_id);
    const senderCause = "the parent of m.room.member must be its sender's join or the create event";
    expect(v(c.room())[dan.userId]).toStrictEqual({
      status: "rejected",
      reason: "wrong_parent_kind",
      event: "$3",
      detail: senderCause,
    });
    // An event of another type that says "join", for the sender, naming the sender's MSK.
    const d = aliceAndBob();
    const custom = d.add({
      type: "m.custom",
      state_key: bob.userId,
      sender: bob.userId,
      content: { membership: "join", user_key: encodeBase64(bob.msk.publicKey) },
    });
    const inv3 = d.member("invite", bob, dan, custom.event_id);
    d.member("join", dan, dan, inv3.event_id);
    expect(v(d.room())[dan.userId]).toStrictEqual({
      status: "rejected",
      reason: "wrong_parent_kind",
      event: custom.event_id,
      detail: senderCause,
    });
    // Pinned, the same event is looked at as a cause of membership: not a join either.
    expect(v(d.room(), { pinned: { [bob.userId]: bob.msk.publicKey } })[dan.userId]).toStrictEqual({
      status: "rejected",
      reason: "wrong_parent_kind",
      event: custom.event_id,
      detail: "a cause of membership must be a join or m.room.create, not m.custom (join)",
    });
  });
});

describe("survivors of the third run: third-party invites, restricted rules, pins, the verdict list", () => {
  const signedOf = (b: RoomBuilder) => (b.find("$4").content.third_party_invite as { signed: JsonObject }).signed;
  const setSigned = (b: RoomBuilder, signed: JsonObject) => {
    (b.find("$4").content.third_party_invite as { signed: JsonObject }).signed = signed;
  };
  /** The binding signed again by the identity server, with `change` merged over it. */
  const rebind = (b: RoomBuilder, change: JsonObject, keyId = "ed25519:0", key = isKey): JsonObject => {
    const { signatures: _s, ...binding } = signedOf(b);
    return signJson({ ...binding, ...change }, "id.example", keyId, key);
  };
  const tpiRoom = (opts: { listedKeys?: Uint8Array[] } = {}) => {
    const b = new RoomBuilder().create(alice);
    b.thirdPartyInviteAndJoin(alice, bob, { isKey, ...opts });
    return b;
  };
  /** Replace the m.room.third_party_invite's content (re-signed by Alice). */
  const tpiContent = (b: RoomBuilder, f: (c: JsonObject) => void) => {
    const { signatures: _s, ...content } = b.find("$3").content;
    f(content);
    b.find("$3").content = sign(content, alice);
  };
  const bad = { status: "rejected", reason: "threepid_bad_signature", event: "$4" };

  it("the cap of 16 listed identity-server keys: a signature by the 17th is not believed", () => {
    const listed = Array.from({ length: 17 }, (_, i) => signingKeyFromSeed(seedFrom(`listed ${i}`)));
    const by16 = tpiRoom({ listedKeys: listed.map((k) => k.publicKey) });
    setSigned(by16, rebind(by16, {}, "ed25519:0", listed[15]!));
    expect(v(by16.room())[bob.userId]?.status).toBe("verified");
    const by17 = tpiRoom({ listedKeys: listed.map((k) => k.publicKey) });
    setSigned(by17, rebind(by17, {}, "ed25519:0", listed[16]!));
    expect(v(by17.room())[bob.userId]).toStrictEqual(bad);
  });

  it("listed keys: none, an object in place of the list, and entries that are not objects", () => {
    const none = tpiRoom();
    tpiContent(none, (c) => {
      delete c.public_key;
      c.public_keys = [];
    });
    expect(v(none.room())[bob.userId]).toStrictEqual(bad);
    const object = tpiRoom();
    tpiContent(object, (c) => {
      delete c.public_key;
      c.public_keys = { length: 1, 0: { public_key: encodeBase64(isKey.publicKey) } };
    });
    expect(v(object.room())[bob.userId]).toStrictEqual(bad);
    const holes = tpiRoom();
    tpiContent(holes, (c) => {
      delete c.public_key;
      c.public_keys = [null, 5, { public_key: encodeBase64(isKey.publicKey) }];
    });
    expect(v(holes.room())[bob.userId]?.status).toBe("verified");
  });

  it("the identity server's signatures: key IDs, texts and entities that do not count, and those after them", () => {
    const good = tpiRoom();
    const valid = (signedOf(good).signatures as Record<string, Record<string, string>>)["id.example"]!["ed25519:0"]!;
    const { signatures: _s, ...binding } = signedOf(good);
    const withSignatures = (signatures: unknown) => {
      const b = tpiRoom();
      setSigned(b, { ...binding, signatures } as JsonObject);
      return v(b.room())[bob.userId];
    };
    expect(withSignatures({ "id.example": { "curve25519:0": valid } })).toStrictEqual(bad);
    expect(withSignatures({ "id.example": { "ed25519:1": 5, "ed25519:2": "!!!", "ed25519:0": valid } })?.status).toBe(
      "verified",
    );
    expect(withSignatures({ first: "x".repeat(20), "id.example": { "ed25519:0": valid } })?.status).toBe("verified");
    expect(withSignatures({ first: 5, "id.example": { "ed25519:0": valid } })?.status).toBe("verified");
    expect(withSignatures(5)).toStrictEqual(bad);
  });

  it("signed data that is not canonical JSON, a token that differs, mixed field forms", () => {
    const float = tpiRoom();
    setSigned(float, { ...signedOf(float), extra: 1.5 });
    expect(v(float.room())[bob.userId]).toStrictEqual(bad);
    const token = tpiRoom();
    setSigned(token, rebind(token, { token: "another" }));
    expect(v(token.room())[bob.userId]).toStrictEqual({
      status: "rejected",
      reason: "threepid_token_mismatch",
      event: "$4",
    });
    const numeric = tpiRoom();
    setSigned(numeric, rebind(numeric, { token: 5 }));
    expect(v(numeric.room())[bob.userId]).toMatchObject({ reason: "threepid_token_mismatch" });
    const mixed = tpiRoom();
    setSigned(mixed, rebind(mixed, { "org.matrix.msc3917.v1.user_key": encodeBase64(bob.msk.publicKey) }));
    expect(v(mixed.room())[bob.userId]).toStrictEqual({ status: "rejected", reason: "mixed_field_forms", event: "$4" });
  });

  it("an invite whose user_key is not a key is not for this user", () => {
    const b = aliceAndBob();
    const { signatures: _s, ...content } = b.find("$3").content;
    b.find("$3").content = sign({ ...content, user_key: 5 }, alice);
    expect(v(b.room())[bob.userId]).toStrictEqual({ status: "rejected", reason: "invite_wrong_msk", event: "$3" });
  });

  const other = new RoomBuilder({ label: "other", firstId: 100 }).create(carol);
  other.inviteAndJoin(carol, bob);
  const restricted = (allow: unknown[], proof: JsonObject[] | undefined = other.proofFor(bob)) => {
    const b = new RoomBuilder().create(alice);
    const rule = b.joinRules(alice, "restricted", [other.roomId]);
    const { signatures: _s, ...content } = rule.content;
    rule.content = sign({ ...content, allow } as JsonObject, alice);
    const join = b.joinVia(rule, bob, proof);
    return { b, rule, join };
  };
  const member = { type: "m.room_membership", room_id: other.roomId };

  it("restricted rules: a legacy room, an empty proof, a proof without its create event", () => {
    const legacy = restricted([{ type: "m.room_membership", room_id: "!old:example.org" }]);
    expect(v(legacy.b.room())[bob.userId]).toMatchObject({ status: "verified", parent: legacy.rule.event_id });
    const empty = restricted([member], []);
    expect(v(empty.b.room())[bob.userId]).toStrictEqual({
      status: "unknown",
      reason: "parent_missing",
      event: empty.join.event_id,
    });
    const noCreate = restricted(
      [member],
      other.proofFor(bob).filter((e) => e.type !== "m.room.create"),
    );
    expect(v(noCreate.b.room())[bob.userId]).toMatchObject({ status: "unknown", reason: "parent_missing" });
    const ok = restricted([member]);
    expect(v(ok.b.room())[bob.userId]).toMatchObject({ status: "verified", parent: ok.rule.event_id });
  });

  it("a restricted rule without an allow list allows no room", () => {
    const r = restricted([member]);
    const { signatures: _s, allow: _a, ...content } = r.rule.content;
    r.rule.content = sign(content as JsonObject, alice);
    expect(v(r.b.room())[bob.userId]).toStrictEqual({
      status: "rejected",
      reason: "restricted_room_not_allowed",
      event: r.join.event_id,
      detail: other.roomId,
    });
  });

  it("a session starts again when the room's create event changes, and when it goes", () => {
    const b = new RoomBuilder().create(alice, { plainJoin: true });
    const session = new MembershipSession(b.rrk.publicKey);
    expect(session.verify(b.room()).members[alice.userId]?.status).toBe("verified");
    const r = b.room();
    const otherCreate = { ...b.find("$1"), event_id: "$other", sender: bob.userId };
    const changed = {
      ...r,
      state: [otherCreate, ...r.state.filter((e) => (e as { event_id: string }).event_id !== "$1")],
    };
    expect(session.verify(changed).members[alice.userId]).toMatchObject({
      status: "rejected",
      reason: "join_wrong_rrk",
    });
    expect(() => session.verify(b.room({ withhold: ["$1"] }))).not.toThrow();
  });

  it("a plain join whose create event's ID is ambiguous", () => {
    const b = new RoomBuilder().create(alice, { plainJoin: true });
    const r = b.room();
    const twin = { ...b.find("$1"), content: { ...b.find("$1").content, extra: 1 } };
    expect(v({ ...r, events: [...(r.events ?? []), twin] })[alice.userId]).toStrictEqual({
      status: "rejected",
      reason: "malformed",
      event: "$1",
      detail: "two different events share this event ID",
    });
  });

  it("restricted rules: the rule's own sender check, and the proof room's create signature", () => {
    const r = restricted([member]);
    r.rule.content = { ...r.rule.content, reason: "changed after signing" };
    expect(v(r.b.room())[bob.userId]).toStrictEqual({
      status: "rejected",
      reason: "sender_bad_signature",
      event: r.rule.event_id,
      detail: "bad_signature",
    });
    const proof = other.proofFor(bob);
    const create = proof.find((e) => e.type === "m.room.create")!;
    const forged = proof.map((e) =>
      e === create ? { ...e, content: { ...(e.content as JsonObject), extra: "not signed" } } : e,
    );
    expect(v(restricted([member], forged).b.room())[bob.userId]).toMatchObject({
      status: "rejected",
      reason: "restricted_proof_failed",
      event: create.event_id,
    });
  });

  it("restricted rules: allow entries that are not room memberships make the rule unknown, named by the first", () => {
    const unknownRule = (allow: unknown[]) => {
      const r = restricted(allow);
      return { got: v(r.b.room())[bob.userId], rule: r.rule.event_id };
    };
    const a = unknownRule([null, { type: "m.foo" }]);
    expect(a.got).toStrictEqual({
      status: "unknown",
      reason: "join_rule_unsupported",
      event: a.rule,
      detail: "allow[0]: not an object",
    });
    const b = unknownRule([{ type: "m.foo", room_id: other.roomId }, member]);
    expect(b.got).toMatchObject({ reason: "join_rule_unsupported", detail: 'allow[0]: type "m.foo"' });
    const c = unknownRule([member, { type: "m.room_membership", room_id: 5 }, { type: "m.bar" }]);
    expect(c.got).toMatchObject({ detail: "allow[1]: room_id is not a string" });
  });

  it("pins: a Map, an object with a prototype, an object without one, a key of the wrong length", () => {
    const b = aliceAndBob();
    expect(v(b.room(), { pinned: new Map([[bob.userId, carol.msk.publicKey]]) })[bob.userId]).toMatchObject({
      reason: "join_wrong_msk",
    });
    expect(v(b.room(), { pinned: new Map([[bob.userId, bob.msk.publicKey]]) })[bob.userId]?.status).toBe("verified");
    const withProto = Object.create({ inherited: true }) as Record<string, Uint8Array>;
    withProto[bob.userId] = bob.msk.publicKey;
    expect(() => verifyMembership(b.room(), { pinned: withProto })).toThrow(/must be a Map or a plain object/);
    const bare = Object.create(null) as Record<string, Uint8Array>;
    bare[bob.userId] = carol.msk.publicKey;
    expect(v(b.room(), { pinned: bare })[bob.userId]).toMatchObject({ reason: "join_wrong_msk" });
    expect(() => verifyMembership(b.room(), { pinned: { [bob.userId]: new Uint8Array(31) } })).toThrow(
      /not a 32-byte key/,
    );
    expect(() => verifyMembership({ ...b.room(), roomRootKey: "short" })).toThrow(/^verifyMembership: /);
  });

  it("the backend given is the one used", () => {
    let calls = 0;
    const counting = {
      ...nodeBackend,
      name: "counting",
      verifyEquation: (s: Uint8Array, m: Uint8Array, p: Uint8Array) => (calls++, nodeBackend.verifyEquation(s, m, p)),
    };
    expect(v(aliceAndBob().room(), { backend: counting })[bob.userId]?.status).toBe("verified");
    expect(calls).toBeGreaterThan(0);
  });

  it("only joins in m.room.member events with a state_key get verdicts; unreadable ones by their first event", () => {
    const r = aliceAndBob().room();
    const extra = [
      { event_id: "$c", type: "m.custom", state_key: "@c:x", sender: "@c:x", content: { membership: "join" } },
      { event_id: "$l", type: "m.room.member", state_key: "@l:x", sender: "@l:x", content: { membership: "leave" } },
      { event_id: "$n", type: "m.room.member", sender: "@n:x", content: { membership: "join" } },
      { event_id: 5, type: "m.room.member", state_key: "@u:x", sender: "@u:x" },
      { event_id: 5, type: "m.room.member", state_key: "@u2:x", content: { membership: "leave" } },
      { event_id: 5, type: "m.other", state_key: "@u3:x", content: { membership: "join" } },
      { event_id: 5, type: "m.room.member", state_key: 7, content: { membership: "join" } },
      { event_id: 5, type: "m.room.member", state_key: "@e:x", content: { membership: "join" } },
      { event_id: "$e", type: "m.room.member", state_key: "@e:x", sender: 7, content: { membership: "join" } },
    ];
    const out = verifyMembership({ ...r, state: [...extra, ...[...r.state].reverse()] }).members;
    expect(Object.keys(out)).toEqual(["@alice:example.org", "@bob:example.org", "@e:x"]);
    expect(out["@e:x"]).toStrictEqual({ status: "rejected", reason: "malformed", event: "(no event_id)" });
  });

  it("the room's create event is the first readable m.room.create with an empty state_key", () => {
    const b = aliceAndBob();
    const r = b.room();
    const fake = { event_id: "$f", type: "m.room.create", state_key: "x", sender: alice.userId, content: {} };
    const pl = { event_id: "$p", type: "m.room.power_levels", state_key: "", sender: alice.userId, content: {} };
    const out = verifyMembership({ ...r, state: [5, { event_id: 1 }, fake, pl, ...r.state] });
    expect(out.room).toStrictEqual({ status: "verified", event: "$1" });
    expect(out.members[alice.userId]?.status).toBe("verified");
  });

  it("a signed join whose user_key is not a key, in a room without a create event, is rejected for it", () => {
    const b = aliceAndBob();
    bobsJoin(b, { user_key: 5 });
    expect(v(b.room({ withhold: ["$1"] }))[bob.userId]).toStrictEqual({
      status: "rejected",
      reason: "join_wrong_msk",
      event: "$4",
      detail: "user_key is not a key",
    });
  });

  it("an event that throws when read gives verifier_error, with what was thrown", () => {
    const b = aliceAndBob();
    const r = b.room();
    const hostile = (thrown: unknown) => ({
      event_id: "$3",
      get content(): never {
        throw thrown;
      },
    });
    const run = (thrown: unknown) =>
      v({
        ...r,
        events: (r.events ?? []).map((e) => ((e as { event_id: string }).event_id === "$3" ? hostile(thrown) : e)),
      })[bob.userId];
    expect(run(new Error("hostile getter"))).toStrictEqual({
      status: "unknown",
      reason: "verifier_error",
      event: "$4",
      detail: "hostile getter",
    });
    expect(run(null)).toStrictEqual({ status: "unknown", reason: "verifier_error", event: "$4", detail: "null" });
  });
});
