import { describe, expect, it } from "vitest";
import { Rng } from "../../world/rng.ts";
import {
  type AccessControl,
  type GroupSecrets,
  type PgsDevice,
  PgsServer,
  decryptMemberEntry,
  deriveGroupSecrets,
  encryptMemberEntry,
  messageRecipients,
  newMasterKey,
  viewMembers,
} from "./engine.ts";

const ACCESS: AccessControl = { add: 50, remove: 50, changeLevels: 100, joinByLink: false };
const [ALICE, BOB, CAROL, MALLORY] = [
  "@alice:a.example",
  "@bob:b.example",
  "@carol:c.example",
  "@mallory:evil.example",
];

/** Alice's group with Bob and Carol, on a server that enforces access control or not. */
function world(seed: number, enforce = true) {
  const rng = new Rng(seed);
  const secrets = deriveGroupSecrets(newMasterKey(rng, "signal-pgs master key r1"));
  const server = new PgsServer(enforce);
  const entry = (u: string, s: GroupSecrets = secrets) => encryptMemberEntry(s, u);
  expect(server.createGroup(secrets.groupId, entry(ALICE), 100, ACCESS)).toEqual({ ok: true });
  expect(server.add(secrets.groupId, entry(ALICE), entry(BOB))).toEqual({ ok: true });
  expect(server.add(secrets.groupId, entry(ALICE), entry(CAROL))).toEqual({ ok: true });
  const members = () => viewMembers(secrets, server.list(secrets.groupId));
  return { rng, secrets, server, entry, members, g: secrets.groupId };
}

describe("signal-pgs engine: honest group", () => {
  it("members see every added member; a removal deletes the entry; the server hides user IDs", () => {
    const { server, entry, members, g, secrets } = world(1);
    expect(members()).toEqual({ members: [ALICE, BOB, CAROL], undecryptable: [], duplicates: [] });
    for (const e of server.list(g)) expect(new TextDecoder().decode(e)).not.toContain("example");
    expect(server.remove(g, entry(ALICE), entry(BOB))).toEqual({ ok: true });
    expect(members().members).toEqual([ALICE, CAROL]);
    // The master key is not changed on removal: Bob's copy still derives the same group.
    expect(deriveGroupSecrets(secrets.masterKey).groupId).toBe(g);
  });

  it("the honest server enforces the power levels on every request", () => {
    const { server, entry, g } = world(2);
    expect(server.add(g, entry(CAROL), entry(MALLORY))).toEqual({ ok: false, refusal: "insufficient_level" });
    expect(server.remove(g, entry(BOB), entry(CAROL))).toEqual({ ok: false, refusal: "insufficient_level" });
    expect(server.remove(g, entry(BOB), entry(ALICE))).toEqual({ ok: false, refusal: "insufficient_level" });
    expect(server.remove(g, entry(BOB), entry(BOB))).toEqual({ ok: true }); // a leave
    expect(server.add(g, entry(BOB), entry(MALLORY))).toEqual({ ok: false, refusal: "not_a_member" });
    expect(server.add(g, entry(ALICE), entry(CAROL))).toEqual({ ok: false, refusal: "already_member" });
  });

  it("levels change only at the power-level level; a group link lets a master-key holder add themselves", () => {
    const { server, entry, members, g } = world(12);
    expect(server.setLevel(g, entry(BOB), entry(BOB), 50)).toEqual({ ok: false, refusal: "insufficient_level" });
    expect(server.setLevel(g, entry(ALICE), entry(CAROL), 50)).toEqual({ ok: true });
    expect(server.add(g, entry(CAROL), entry(MALLORY))).toEqual({ ok: true });
    const dave = "@dave:d.example";
    expect(server.add(g, entry(dave), entry(dave))).toEqual({ ok: false, refusal: "not_a_member" });
    expect(server.setAccess(g, entry(CAROL), { ...ACCESS, joinByLink: true })).toEqual({
      ok: false,
      refusal: "insufficient_level",
    });
    expect(server.setAccess(g, entry(ALICE), { ...ACCESS, joinByLink: true })).toEqual({ ok: true });
    expect(server.add(g, entry(dave), entry(dave), 50)).toEqual({ ok: false, refusal: "not_a_member" });
    expect(server.add(g, entry(dave), entry(dave))).toEqual({ ok: true });
    expect(members().members).toEqual([ALICE, BOB, CAROL, MALLORY, dave]);
  });

  it("the same seed gives the same master key, group ID and entries; another seed does not", () => {
    const a = world(7),
      b = world(7),
      c = world(8);
    expect(b.secrets.masterKey).toEqual(a.secrets.masterKey);
    expect(b.server.list(b.g)).toEqual(a.server.list(a.g));
    expect(c.g).not.toBe(a.g);
    expect(a.rng.trace).toEqual(["signal-pgs master key r1"]);
  });

  it("room messages go to the listed devices of accepted members, filtered by the device check", () => {
    const { members } = world(3);
    const devices: Record<string, PgsDevice[]> = {
      [ALICE]: [{ user: ALICE, device: "A1" }],
      [BOB]: [
        { user: BOB, device: "B1" },
        { user: BOB, device: "EVIL" },
      ],
      [CAROL]: [
        { user: CAROL, device: "C1" },
        { user: MALLORY, device: "M1" },
      ],
    };
    const all = messageRecipients(members(), (u) => devices[u] ?? []);
    // A device listed under another user is dropped.
    expect(all.map((d) => d.device)).toEqual(["A1", "B1", "EVIL", "C1"]);
    // Device insertion (T8): PGS trusts the server's device list unless the adapter checks devices.
    const signed = messageRecipients(
      members(),
      (u) => devices[u] ?? [],
      (d) => d.device !== "EVIL",
    );
    expect(signed.map((d) => d.device)).toEqual(["A1", "B1", "C1"]);
  });
});

describe("signal-pgs engine: a malicious server", () => {
  it("T1: entries the server makes itself do not decrypt, and are reported", () => {
    const { server, members, g, rng, entry } = world(4, false);
    const own = deriveGroupSecrets(newMasterKey(rng, "evil master key"));
    const other = world(5).secrets; // a real group elsewhere, where Mallory is a member
    server.insert(g, encryptMemberEntry(own, MALLORY));
    server.insert(g, encryptMemberEntry(other, MALLORY)); // cross-group copy: the group ID is the AD
    server.insert(g, rng.bytes("garbage entry", 40));
    server.insert(g, new Uint8Array(3));
    const v = members();
    expect(v.members).toEqual([ALICE, BOB, CAROL]);
    expect(v.undecryptable).toHaveLength(4);
    // A flipped bit in a real entry does not decrypt either.
    const forged = entry(BOB).slice();
    forged[forged.length - 1]! ^= 1;
    expect(decryptMemberEntry(world(4).secrets, forged)).toBeUndefined();
  });

  it("T2: a banned member's entry is refused by the honest server, and replayed by a malicious one", () => {
    const honest = world(6);
    expect(honest.server.remove(honest.g, honest.entry(ALICE), honest.entry(BOB), true)).toEqual({ ok: true });
    expect(honest.members().members).toEqual([ALICE, CAROL]);
    expect(honest.server.add(honest.g, honest.entry(ALICE), honest.entry(BOB))).toEqual({
      ok: false,
      refusal: "banned",
    });
    // The malicious server replays what it stored before: deterministic encryption, same bytes.
    const old = honest.server.replayable(honest.g).find((e) => decryptMemberEntry(honest.secrets, e) === BOB)!;
    honest.server.insert(honest.g, old);
    const v = honest.members();
    expect(v.members).toEqual([ALICE, CAROL, BOB]);
    expect(v.undecryptable).toEqual([]); // nothing for a client to notice
  });

  it("T3: a removed member keeps the master key and makes valid entries the malicious server stores", () => {
    const { server, entry, members, g, secrets } = world(9, true);
    const bobsCopy = deriveGroupSecrets(Uint8Array.from(secrets.masterKey)); // what Bob kept
    expect(server.remove(g, entry(ALICE), entry(BOB))).toEqual({ ok: true });
    // Bob still reads the member list, and the honest server refuses his request.
    expect(viewMembers(bobsCopy, server.list(g)).members).toEqual([ALICE, CAROL]);
    expect(server.add(g, entry(BOB), encryptMemberEntry(bobsCopy, MALLORY))).toEqual({
      ok: false,
      refusal: "not_a_member",
    });
    // The malicious server stores Bob's entry for Mallory: clients accept it.
    server.insert(g, encryptMemberEntry(bobsCopy, MALLORY));
    expect(members().members).toEqual([ALICE, CAROL, MALLORY]);
    expect(members().undecryptable).toEqual([]);
  });

  it("T4: an unprivileged member's add is refused by the honest server, accepted by one that does not enforce", () => {
    const honest = world(10, true);
    expect(honest.server.add(honest.g, honest.entry(CAROL), honest.entry(MALLORY))).toEqual({
      ok: false,
      refusal: "insufficient_level",
    });
    expect(honest.members().members).not.toContain(MALLORY);
    const evil = world(10, false);
    expect(evil.server.add(evil.g, evil.entry(CAROL), evil.entry(MALLORY))).toEqual({ ok: true });
    expect(evil.members().members).toContain(MALLORY);
  });

  it("split view: the server deletes a member from one client's list only; nothing in PGS compares lists", () => {
    const { server, secrets, g, entry } = world(11, false);
    const full = server.list(g);
    const trimmed = full.filter((e) => decryptMemberEntry(secrets, e) !== CAROL);
    server.delete(g, entry(CAROL));
    expect(server.list(g)).toEqual(trimmed);
    const alice = viewMembers(secrets, trimmed),
      carol = viewMembers(secrets, full);
    expect(alice.members).toEqual([ALICE, BOB]);
    expect(carol.members).toEqual([ALICE, BOB, CAROL]);
    expect(alice.undecryptable.length + carol.undecryptable.length).toBe(0);
  });

  it("rejects a master key of the wrong length", () => {
    expect(() => deriveGroupSecrets(new Uint8Array(31))).toThrow(/32 bytes/);
  });
});
