/**
 * One test per edge of MSC3917's flowchart (§Membership Event Signature Tree). Each reject test
 * builds a room that takes exactly that edge for one user, and checks the reason code and the
 * event; the users around it must keep their verdicts. Node names are the flowchart's mermaid IDs.
 */
import * as ed from "@noble/ed25519";
import { describe, expect, it } from "vitest";
import { RoomBuilder, makeUser, seedFrom } from "../../test-support/room-builder.ts";
import { encodeBase64 } from "./base64.ts";
import type { JsonObject } from "./canonical-json.ts";
import { keyIdOf, makeCrossSigningKey } from "./cross-signing.ts";
import { backends, signingKeyFromSeed } from "./ed25519.ts";
import {
  buildCreateContent,
  buildMemberContent,
  buildThirdPartySuccessorInviteContent,
  signThirdPartyBinding,
} from "./events.ts";
import { REASONS } from "./membership-reasons.ts";
import { signJson } from "./signing.ts";
import { type MemberVerdict, type RoomView, type VerifyOptions, verifyMembership } from "./verify-membership.ts";

const alice = makeUser("@alice:example.org");
const bob = makeUser("@bob:example.org");
const carol = makeUser("@carol:example.org");
const mallory = makeUser("@mallory:evil.example");
const isKey = signingKeyFromSeed(seedFrom("identity server"));

function verdicts(room: RoomView, opts: VerifyOptions = {}): Record<string, MemberVerdict> {
  return verifyMembership(room, { chains: true, ...opts }).members;
}

/** A room where Alice created, and invited Bob. */
function aliceAndBob(): RoomBuilder {
  const b = new RoomBuilder().create(alice);
  b.inviteAndJoin(alice, bob);
  return b;
}

function expectRejected(v: MemberVerdict | undefined, reason: string, event: string): void {
  expect(v).toMatchObject({ status: "rejected", reason, event });
}

describe("accept paths", () => {
  it("create (creator's signed join, parent = create): create_rrk → create_sig → accept", () => {
    const b = new RoomBuilder().create(alice);
    expect(verdicts(b.room())[alice.userId]).toEqual({
      status: "verified",
      msk: encodeBase64(alice.msk.publicKey),
      cause: "$2",
      parent: "$1",
      chain_length: 2,
      chain: ["$2", "$1"],
    });
  });

  it("create (creator's plain join): rests on the create event", () => {
    const b = new RoomBuilder().create(alice, { plainJoin: true });
    expect(verdicts(b.room())[alice.userId]).toMatchObject({ status: "verified", cause: "$2", chain: ["$2", "$1"] });
  });

  it("create signed under the creator's user ID, as in the proposal's example event", () => {
    const b = new RoomBuilder().create(alice);
    const create = b.find("$1");
    const { signatures: _s, ...unsigned } = create.content;
    create.content = signJson(unsigned, alice.userId, "ed25519:rrk", b.rrk);
    expect(verdicts(b.room())[alice.userId]?.status).toBe("verified");
  });

  it("join ← invite sent by a user: join_rrk → join_sig → join_rsk_msk → invite_rrk → check_sender → sender_rsk_msk → sender_recurse → accept", () => {
    const b = aliceAndBob();
    expect(verdicts(b.room())[bob.userId]).toEqual({
      status: "verified",
      msk: encodeBase64(bob.msk.publicKey),
      cause: "$4",
      parent: "$3",
      chain_length: 3,
      chain: ["$4", "$3", "$1"],
    });
  });

  it("a chain three invitations deep", () => {
    const b = aliceAndBob();
    b.inviteAndJoin(bob, carol);
    expect(verdicts(b.room())[carol.userId]).toMatchObject({
      status: "verified",
      chain: ["$6", "$5", "$4", "$3", "$1"],
    });
  });

  it("join ← invite made by the homeserver from a third-party invite: idserver_sig → threepid_signed_msk → lookup_threepid → threepid_token → check_sender → accept", () => {
    const b = new RoomBuilder().create(alice);
    b.thirdPartyInviteAndJoin(alice, bob, { isKey });
    expect(verdicts(b.room())[bob.userId]).toMatchObject({ status: "verified", chain: ["$5", "$4", "$3", "$1"] });
  });

  it("join ← public join rule: join_rule_type (public) → check_sender → accept", () => {
    const b = new RoomBuilder().create(alice);
    b.joinVia(b.joinRules(alice, "public"), bob);
    expect(verdicts(b.room())[bob.userId]).toMatchObject({ status: "verified", chain: ["$4", "$3", "$1"] });
  });

  it("join ← restricted rule listing only RRK rooms: any_old_rooms (no) → join_state → joinrule_match → check_sender → accept", () => {
    const other = new RoomBuilder({ label: "other", firstId: 100 }).create(carol);
    other.inviteAndJoin(carol, bob);
    const b = new RoomBuilder().create(alice);
    b.joinVia(b.joinRules(alice, "restricted", [other.roomId]), bob, other.proofFor(bob));
    expect(verdicts(b.room())[bob.userId]).toMatchObject({ status: "verified", chain: ["$4", "$3", "$1"] });
  });

  it("join ← restricted rule listing a legacy room: any_old_rooms (yes) → check_sender only → accept, with no proof", () => {
    const b = new RoomBuilder().create(alice);
    b.joinVia(b.joinRules(alice, "restricted", ["!legacy:example.org"]), bob);
    expect(verdicts(b.room())[bob.userId]?.status).toBe("verified");
  });

  it.each(["stable", "unstable"] as const)("every kind of join in the %s field form", (fields) => {
    const other = new RoomBuilder({ label: "other", firstId: 100, fields }).create(carol);
    other.inviteAndJoin(carol, mallory);
    const b = new RoomBuilder({ fields }).create(alice);
    b.inviteAndJoin(alice, bob);
    b.thirdPartyInviteAndJoin(bob, carol, { isKey });
    b.joinVia(b.joinRules(alice, "restricted", [other.roomId]), mallory, other.proofFor(mallory));
    if (fields === "unstable") expect(Object.keys(b.find("$4").content)).toContain("org.matrix.msc3917.v1.user_key");
    const v = verdicts(b.room());
    expect(Object.values(v).map((x) => x.status)).toEqual(["verified", "verified", "verified", "verified"]);
  });
});

describe("reject edges", () => {
  it("create_rrk → reject (create_wrong_rrk): the create event names another RRK", () => {
    const b = new RoomBuilder().create(alice);
    const forgedRrk = signingKeyFromSeed(seedFrom("forged rrk"));
    b.find("$1").content = buildCreateContent({ rrk: forgedRrk, creatorMsk: alice.msk.publicKey });
    expectRejected(verdicts(b.room())[alice.userId], "create_wrong_rrk", "$1");
  });

  it("create_rrk → reject (create_wrong_creator): a join claims the create event as its parent for someone else", () => {
    const b = new RoomBuilder().create(alice);
    b.member("join", bob, bob, b.createId);
    expectRejected(verdicts(b.room())[bob.userId], "create_wrong_creator", "$1");
    expect(verdicts(b.room())[alice.userId]?.status).toBe("verified");
  });

  it("join_rrk → reject (join_wrong_rrk): a plain join, as servers insert members today, by someone other than the creator", () => {
    const b = new RoomBuilder().create(alice);
    b.add({ type: "m.room.member", state_key: bob.userId, sender: bob.userId, content: { membership: "join" } });
    expectRejected(verdicts(b.room())[bob.userId], "join_wrong_rrk", "$3");
  });

  it("create_sig → reject (create_bad_signature): the create content changed after the RRK signed it", () => {
    const b = new RoomBuilder().create(alice);
    b.find("$1").content.room_version = "10";
    expectRejected(verdicts(b.room())[alice.userId], "create_bad_signature", "$1");
  });

  it("join_rrk → reject (join_wrong_rrk): the join carries another RRK", () => {
    const b = aliceAndBob();
    const otherRrk = signingKeyFromSeed(seedFrom("elsewhere")).publicKey;
    b.find("$4").content = buildMemberContent({
      membership: "join",
      signer: bob,
      parentEventId: "$3",
      userKey: bob.msk.publicKey,
      rrk: otherRrk,
    });
    expectRejected(verdicts(b.room())[bob.userId], "join_wrong_rrk", "$4");
  });

  it("join_rrk → reject (join_wrong_msk): the join's user_key is not the MSK the client pinned", () => {
    const b = aliceAndBob();
    expectRejected(
      verdicts(b.room(), { pinned: { [bob.userId]: mallory.msk.publicKey } })[bob.userId],
      "join_wrong_msk",
      "$4",
    );
  });

  it("join_sig → reject (join_bad_signature): the join changed after Bob signed it", () => {
    const b = aliceAndBob();
    b.find("$4").content.displayname = "Mallory";
    expectRejected(verdicts(b.room())[bob.userId], "join_bad_signature", "$4");
  });

  it("join_sig → reject (join_bad_signature): sender_key is someone else's RSK", () => {
    const b = aliceAndBob();
    b.find("$4").content = buildMemberContent({
      membership: "join",
      signer: alice,
      parentEventId: "$3",
      userKey: bob.msk.publicKey,
      rrk: b.rrk.publicKey,
    });
    expectRejected(verdicts(b.room())[bob.userId], "join_bad_signature", "$4");
  });

  it("join_rsk_msk → reject (join_rsk_not_signed): Bob's RSK is signed by another MSK", () => {
    const b = aliceAndBob();
    const fake = { ...bob, rskCrossSigningKey: makeCrossSigningKey(bob.userId, "room_signing", bob.rsk, mallory.msk) };
    b.find("$4").content = buildMemberContent({
      membership: "join",
      signer: fake,
      parentEventId: "$3",
      userKey: bob.msk.publicKey,
      rrk: b.rrk.publicKey,
    });
    expectRejected(verdicts(b.room())[bob.userId], "join_rsk_not_signed", "$4");
  });

  it("invite_rrk → reject (invite_wrong_rrk): the invite carries another RRK", () => {
    const b = aliceAndBob();
    const otherRrk = signingKeyFromSeed(seedFrom("elsewhere")).publicKey;
    b.find("$3").content = buildMemberContent({
      membership: "invite",
      signer: alice,
      parentEventId: "$1",
      userKey: bob.msk.publicKey,
      rrk: otherRrk,
    });
    expectRejected(verdicts(b.room())[bob.userId], "invite_wrong_rrk", "$3");
  });

  it("invite_rrk → reject (invite_wrong_msk): Alice invited another MSK than the one Bob joins with", () => {
    const b = aliceAndBob();
    b.find("$3").content = buildMemberContent({
      membership: "invite",
      signer: alice,
      parentEventId: "$1",
      userKey: mallory.msk.publicKey,
      rrk: b.rrk.publicKey,
    });
    expectRejected(verdicts(b.room())[bob.userId], "invite_wrong_msk", "$3");
  });

  it("invite_rrk → reject (invite_wrong_msk): Bob joins with an invite that was for Carol", () => {
    const b = new RoomBuilder().create(alice);
    const invite = b.member("invite", alice, carol, "$1");
    b.member("join", bob, bob, invite.event_id);
    expectRejected(verdicts(b.room())[bob.userId], "invite_wrong_msk", invite.event_id);
  });

  it("check_sender → reject (sender_bad_signature): the invite changed after Alice signed it", () => {
    const b = aliceAndBob();
    b.find("$3").content.reason = "added by the server";
    expectRejected(verdicts(b.room())[bob.userId], "sender_bad_signature", "$3");
  });

  it("sender_rsk_msk → reject (sender_rsk_not_signed): the server fabricates an invite 'from' Alice with an RSK it made", () => {
    const b = new RoomBuilder().create(alice);
    const fakeAlice = makeUser(alice.userId, { label: "server-made alice" });
    const invite = b.member("invite", fakeAlice, mallory, "$1");
    b.member("join", mallory, mallory, invite.event_id);
    const v = verdicts(b.room());
    expectRejected(v[mallory.userId], "sender_rsk_not_signed", invite.event_id);
    expect(v[alice.userId]?.status).toBe("verified");
  });

  it("sender_recurse → reject: the inviter's own cause fails, and the failure is reported where it happened", () => {
    const b = aliceAndBob();
    b.inviteAndJoin(bob, carol);
    b.find("$4").content.displayname = "changed"; // Bob's join
    const v = verdicts(b.room());
    expectRejected(v[carol.userId], "join_bad_signature", "$4");
    expectRejected(v[bob.userId], "join_bad_signature", "$4");
  });

  it("idserver_sig → reject (threepid_bad_signature): the identity server's signature is by a key the inviter did not list", () => {
    const b = new RoomBuilder().create(alice);
    const serverChosen = signingKeyFromSeed(seedFrom("server's own identity server"));
    b.thirdPartyInviteAndJoin(alice, bob, { isKey: serverChosen, listedKeys: [isKey.publicKey] });
    expectRejected(verdicts(b.room())[bob.userId], "threepid_bad_signature", "$4");
  });

  it("idserver_sig → reject (threepid_bad_signature): the signed data was altered", () => {
    const b = new RoomBuilder().create(alice);
    b.thirdPartyInviteAndJoin(alice, bob, { isKey });
    const tpi = b.find("$4").content.third_party_invite as { signed: JsonObject };
    tpi.signed.extra = "changed";
    expectRejected(verdicts(b.room())[bob.userId], "threepid_bad_signature", "$4");
  });

  it("threepid_signed_msk → reject (threepid_wrong_msk): the identity server signed another MSK", () => {
    const b = new RoomBuilder().create(alice);
    b.thirdPartyInviteAndJoin(alice, bob, { isKey });
    const signed = signThirdPartyBinding({
      mxid: bob.userId,
      token: `tok-${bob.userId}`,
      userKey: mallory.msk.publicKey,
      identityServer: "id.example",
      keyId: "ed25519:0",
      key: isKey,
    });
    b.find("$4").content = buildThirdPartySuccessorInviteContent({
      thirdPartyInviteEventId: "$3",
      displayName: "x",
      signed,
    });
    expectRejected(verdicts(b.room())[bob.userId], "threepid_wrong_msk", "$4");
  });

  it("threepid_token → reject (threepid_token_mismatch): the signed token is not the third-party invite's", () => {
    const b = new RoomBuilder().create(alice);
    b.thirdPartyInviteAndJoin(alice, bob, { isKey });
    const signed = signThirdPartyBinding({
      mxid: bob.userId,
      token: "another-token",
      userKey: bob.msk.publicKey,
      identityServer: "id.example",
      keyId: "ed25519:0",
      key: isKey,
    });
    b.find("$4").content = buildThirdPartySuccessorInviteContent({
      thirdPartyInviteEventId: "$3",
      displayName: "x",
      signed,
    });
    expectRejected(verdicts(b.room())[bob.userId], "threepid_token_mismatch", "$4");
  });

  it("lookup_threepid → reject (wrong_parent_kind): the successor invite's parent is not an m.room.third_party_invite", () => {
    const b = new RoomBuilder().create(alice);
    b.thirdPartyInviteAndJoin(alice, bob, { isKey });
    const tpi = b.find("$4").content.third_party_invite as { signed: JsonObject };
    b.find("$4").content = buildThirdPartySuccessorInviteContent({
      thirdPartyInviteEventId: "$2",
      displayName: "x",
      signed: tpi.signed,
    });
    expectRejected(verdicts(b.room())[bob.userId], "wrong_parent_kind", "$2");
  });

  it("check_sender on the third-party invite → reject (sender_bad_signature): the server swapped the listed identity key", () => {
    const b = new RoomBuilder().create(alice);
    const serverChosen = signingKeyFromSeed(seedFrom("server's own identity server"));
    b.thirdPartyInviteAndJoin(alice, bob, { isKey: serverChosen, listedKeys: [isKey.publicKey] });
    const tpi = b.find("$3").content;
    tpi.public_key = encodeBase64(serverChosen.publicKey);
    tpi.public_keys = [{ public_key: encodeBase64(serverChosen.publicKey) }];
    expectRejected(verdicts(b.room())[bob.userId], "sender_bad_signature", "$3");
  });

  it("join_rule_type → reject (join_rule_not_joinable): the parent is an invite-only join rule", () => {
    const b = new RoomBuilder().create(alice);
    const content: JsonObject = {
      join_rule: "invite",
      sender_key: alice.rskCrossSigningKey,
      parent_event_id: b.cause(alice),
    };
    const rule = b.add({
      type: "m.room.join_rules",
      state_key: "",
      sender: alice.userId,
      content: signJson(content, alice.userId, keyIdOf(alice.rsk.publicKey), alice.rsk),
    });
    b.joinVia(rule, bob);
    expectRejected(verdicts(b.room())[bob.userId], "join_rule_not_joinable", rule.event_id);
  });

  it("join_rule_type (public) → check_sender → reject (sender_bad_signature): the server flipped the rule to public", () => {
    const b = new RoomBuilder().create(alice);
    const rule = b.joinRules(alice, "restricted", ["!legacy:example.org"]);
    rule.content.join_rule = "public";
    b.joinVia(rule, mallory);
    expectRejected(verdicts(b.room())[mallory.userId], "sender_bad_signature", rule.event_id);
  });

  it("join_state → reject (restricted_proof_failed): the proof from the other room is forged", () => {
    const other = new RoomBuilder({ label: "other", firstId: 100 }).create(carol);
    const fakeCarol = makeUser(carol.userId, { label: "fake carol" });
    const invite = other.member("invite", fakeCarol, mallory, other.cause(carol));
    const join = other.member("join", mallory, mallory, invite.event_id);
    other.causes.set(mallory.userId, join.event_id);
    const b = new RoomBuilder().create(alice);
    b.joinVia(b.joinRules(alice, "restricted", [other.roomId]), mallory, other.proofFor(mallory));
    expect(verdicts(b.room())[mallory.userId]).toEqual({
      status: "rejected",
      reason: "restricted_proof_failed",
      event: invite.event_id,
      detail: "sender_rsk_not_signed",
    });
  });

  it("join_state → unknown (parent_missing): the server stripped the proof", () => {
    const other = new RoomBuilder({ label: "other", firstId: 100 }).create(carol);
    other.inviteAndJoin(carol, bob);
    const b = new RoomBuilder().create(alice);
    const join = b.joinVia(b.joinRules(alice, "restricted", [other.roomId]), bob, other.proofFor(bob));
    delete join.content.unsigned;
    expect(verdicts(b.room())[bob.userId]).toEqual({
      status: "unknown",
      reason: "parent_missing",
      event: join.event_id,
    });
  });

  it("joinrule_match → reject (restricted_room_not_allowed): a valid proof, but for a room the rule does not list", () => {
    const other = new RoomBuilder({ label: "other", firstId: 100 }).create(carol);
    other.inviteAndJoin(carol, mallory);
    const allowed = new RoomBuilder({ label: "allowed", firstId: 200 });
    const b = new RoomBuilder().create(alice);
    const join = b.joinVia(b.joinRules(alice, "restricted", [allowed.roomId]), mallory, other.proofFor(mallory));
    expectRejected(verdicts(b.room())[mallory.userId], "restricted_room_not_allowed", join.event_id);
  });

  it("why_join → reject (wrong_parent_kind): a join whose parent is a power-levels event", () => {
    const b = new RoomBuilder().create(alice);
    const pl = b.add({ type: "m.room.power_levels", state_key: "", sender: alice.userId, content: { users: {} } });
    b.member("join", bob, bob, pl.event_id);
    expectRejected(verdicts(b.room())[bob.userId], "wrong_parent_kind", pl.event_id);
  });

  it("lookup_sender_cause → reject (wrong_parent_kind): an invite whose parent is another user's join", () => {
    const b = aliceAndBob();
    const invite = b.member("invite", alice, carol, "$4"); // $4 is Bob's join, not Alice's cause
    b.member("join", carol, carol, invite.event_id);
    expectRejected(verdicts(b.room())[carol.userId], "wrong_parent_kind", "$4");
  });

  it("start → reject (wrong_parent_kind): a sender's 'cause' that is an invite, with Alice pinned", () => {
    const b = aliceAndBob();
    const invite = b.member("invite", alice, carol, "$3"); // $3 is Alice's invite of Bob
    b.member("join", carol, carol, invite.event_id);
    expectRejected(
      verdicts(b.room(), { pinned: { [alice.userId]: alice.msk.publicKey } })[carol.userId],
      "wrong_parent_kind",
      "$3",
    );
  });

  it("parent_cycle: two invitations that point at each other's joins", () => {
    const b = new RoomBuilder().create(alice);
    // Bob's join ← invite by Carol (parent: Carol's join $6) ; Carol's join ← invite by Bob (parent: Bob's join $4)
    b.member("invite", carol, bob, "$6");
    b.member("join", bob, bob, "$3");
    b.member("invite", bob, carol, "$4");
    b.member("join", carol, carol, "$5");
    const v = verdicts(b.room());
    expect(v[bob.userId]).toMatchObject({ status: "rejected", reason: "parent_cycle" });
    expect(v[carol.userId]).toMatchObject({ status: "rejected", reason: "parent_cycle" });
    expect(v[alice.userId]?.status).toBe("verified");
  });

  it("parent_missing → unknown: the server withheld the invite", () => {
    const b = aliceAndBob();
    expect(verdicts(b.room({ withhold: ["$3"] }))[bob.userId]).toEqual({
      status: "unknown",
      reason: "parent_missing",
      event: "$3",
    });
  });

  it("malformed: parent_event_id is not a string", () => {
    const b = aliceAndBob();
    b.find("$4").content.parent_event_id = 3;
    // The signature no longer matches either; the verifier checks the signature first.
    expectRejected(verdicts(b.room())[bob.userId], "join_bad_signature", "$4");
    const c = aliceAndBob();
    const { signatures: _s, ...content } = c.find("$4").content;
    c.find("$4").content = signJson(
      { ...content, parent_event_id: 3 },
      bob.userId,
      keyIdOf(bob.rsk.publicKey),
      bob.rsk,
    );
    expectRejected(verdicts(c.room())[bob.userId], "malformed", "$4");
  });

  it("malformed: two different events share the invite's event ID", () => {
    const b = aliceAndBob();
    const room = b.room();
    const duplicate = { ...b.find("$3"), content: { ...b.find("$3").content, membership: "invite", reason: "other" } };
    expectRejected(verdicts({ ...room, events: [...(room.events ?? []), duplicate] })[bob.userId], "malformed", "$3");
  });

  it("mixed_field_forms: a join that uses both field forms", () => {
    const b = aliceAndBob();
    const { signatures: _s, ...content } = b.find("$4").content;
    b.find("$4").content = signJson(
      { ...content, "org.matrix.msc3917.v1.user_key": content.user_key! },
      bob.userId,
      keyIdOf(bob.rsk.publicKey),
      bob.rsk,
    );
    expectRejected(verdicts(b.room())[bob.userId], "mixed_field_forms", "$4");
  });

  it("the client believes in another RRK: every member is rejected at their join", () => {
    const b = aliceAndBob();
    const v = verdicts(b.room({ rrk: signingKeyFromSeed(seedFrom("substituted")).publicKey }));
    expectRejected(v[alice.userId], "join_wrong_rrk", "$2");
    expectRejected(v[bob.userId], "join_wrong_rrk", "$4");
  });

  it("reason codes are one closed, documented set", () => {
    for (const info of Object.values(REASONS)) expect(info.node.length).toBeGreaterThan(0);
  });
});

describe("pinned MSKs", () => {
  it("a pinned inviter whose real RSK signed the invite verifies; a colluder's invite of a fake 'Alice' does not", () => {
    const b = aliceAndBob();
    const fakeAlice = makeUser(alice.userId, { label: "fake alice" });
    // Bob (colluding) invites a second @alice with an MSK the server made: a valid chain, but not the MSK the client pinned.
    const room = b.room();
    expect(verdicts(room, { pinned: { [alice.userId]: alice.msk.publicKey } })[bob.userId]?.status).toBe("verified");
    const c = aliceAndBob();
    const invite = c.member("invite", bob, fakeAlice, "$4");
    c.add({
      type: "m.room.member",
      state_key: alice.userId,
      sender: alice.userId,
      content: buildMemberContent({
        membership: "join",
        signer: fakeAlice,
        parentEventId: invite.event_id,
        userKey: fakeAlice.msk.publicKey,
        rrk: c.rrk.publicKey,
      }),
    });
    expect(verdicts(c.room())[alice.userId]?.status).toBe("verified"); // TOFU: the chain is valid
    expectRejected(
      verdicts(c.room(), { pinned: { [alice.userId]: alice.msk.publicKey } })[alice.userId],
      "join_wrong_msk",
      "$6",
    );
  });
});

describe("torsion keys", () => {
  it.each(Object.values(backends).map((b) => [b.name, b] as const))(
    "an RSK that is a torsion point, with a 'universal' signature, is rejected (%s)",
    (_name, backend) => {
      // The identity point as RSK, signed by Bob's real MSK; signature R = identity, S = 0 "verifies" any message under raw OpenSSL.
      const identity = ed.Point.ZERO.toBytes();
      const universal = encodeBase64(new Uint8Array([...identity, ...new Uint8Array(32)]));
      const b = aliceAndBob();
      const pub = encodeBase64(identity);
      const torsionRsk = signJson(
        { user_id: bob.userId, usage: ["room_signing"], keys: { [`ed25519:${pub}`]: pub } },
        bob.userId,
        keyIdOf(bob.msk.publicKey),
        bob.msk,
      );
      const content: JsonObject = {
        membership: "join",
        sender_key: torsionRsk,
        parent_event_id: "$3",
        user_key: encodeBase64(bob.msk.publicKey),
        room_root_key: encodeBase64(b.rrk.publicKey),
      };
      content.signatures = { [bob.userId]: { [`ed25519:${pub}`]: universal } };
      b.find("$4").content = content;
      expect(verifyMembership(b.room(), { backend }).members[bob.userId]).toMatchObject({
        status: "rejected",
        reason: "join_bad_signature",
        event: "$4",
      });
    },
  );
});

describe("chains option", () => {
  it('by default (and with chains: "length" or false) a verdict gives parent and chain_length, not the chain', () => {
    const b = aliceAndBob();
    b.inviteAndJoin(bob, carol);
    const want = {
      status: "verified",
      msk: encodeBase64(carol.msk.publicKey),
      cause: "$6",
      parent: "$5",
      chain_length: 5,
    };
    expect(verifyMembership(b.room()).members[carol.userId]).toEqual(want);
    expect(verifyMembership(b.room(), { chains: "length" }).members[carol.userId]).toEqual(want);
    expect(verifyMembership(b.room(), { chains: false }).members[carol.userId]).toEqual(want);
    expect(verifyMembership(b.room(), { chains: "full" }).members[carol.userId]).toEqual({
      ...want,
      chain: ["$6", "$5", "$4", "$3", "$1"],
    });
  });

  it("parent is the next event up: the invite, the third-party invite's successor, the join rule, or the create event", () => {
    const b = new RoomBuilder().create(alice);
    b.inviteAndJoin(alice, bob);
    b.thirdPartyInviteAndJoin(alice, carol, { isKey });
    const rule = b.joinRules(alice, "public");
    b.joinVia(rule, mallory);
    const v = verifyMembership(b.room()).members;
    expect(v[alice.userId]).toMatchObject({ cause: "$2", parent: "$1", chain_length: 2 });
    expect(v[bob.userId]).toMatchObject({ cause: "$4", parent: "$3", chain_length: 3 });
    expect(v[carol.userId]).toMatchObject({ cause: "$7", parent: "$6", chain_length: 4 });
    expect(v[mallory.userId]).toMatchObject({
      cause: `$${Number(rule.event_id.slice(1)) + 1}`,
      parent: rule.event_id,
      chain_length: 3,
    });
  });
});
