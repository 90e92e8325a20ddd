import { describe, expect, it } from "vitest";
import { signingKeyFromSeed } from "../../core/ed25519.ts";
import { Rng } from "../../world/rng.ts";
import { type Delivery, DeliveryService, deviceKey } from "./delivery-service.ts";
import { type AuthenticationService, DEFAULT_POLICY, MlsDevice, type MlsPolicy, forgeExternalAdd } from "./engine.ts";
import type { RoomPolicy } from "./room-policy.ts";

const [ALICE, BOB, CAROL, DAVE, MALLORY] = [
  "@alice:a.example",
  "@bob:b.example",
  "@carol:c.example",
  "@dave:d.example",
  "@mallory:evil.example",
];
const ROOM = "!room:a.example";
const LEVELS: RoomPolicy = {
  users: { [ALICE]: 100, [DAVE]: 50 },
  usersDefault: 0,
  invite: 50,
  kick: 50,
  powerLevels: 100,
  joinRule: "invite",
};
const LIBRARY: MlsPolicy = { externalProposals: "accept", powerLevels: "library-default", retainOldEpochs: true };

/** Who read a message: the devices that decrypted it. */
const readers = (ds: readonly Delivery[]) => ds.filter((d) => d.result.kind === "application").map((d) => d.to);

/** Alice's room with Bob and Carol (and Dave, level 50, when asked), through an honest DS. */
async function room(
  seed: number,
  policy: MlsPolicy = DEFAULT_POLICY,
  opts: { dave?: boolean; auth?: AuthenticationService } = {},
) {
  const rng = new Rng(seed);
  const ds = new DeliveryService();
  const device = async (user: string, id: string, p = policy) => {
    const d = await MlsDevice.create(rng, { user, device: id }, p, opts.auth);
    ds.connect(d);
    return d;
  };
  const alice = await device(ALICE, "A1"),
    bob = await device(BOB, "B1"),
    carol = await device(CAROL, "C1");
  const dave = opts.dave ? await device(DAVE, "D1") : undefined;
  await alice.createGroup(ROOM, LEVELS);
  const invited = dave ? [bob, carol, dave] : [bob, carol];
  const kps: Uint8Array[] = [];
  for (const d of invited) kps.push(await d.newKeyPackage());
  const c = await alice.commit({ add: kps });
  const r = await ds.submit(alice, c.commit, { bytes: c.welcome!, to: invited });
  expect(r.accepted).toBe(true);
  const say = async (from: MlsDevice, text: string) =>
    readers((await ds.submit(from, await from.send(text))).deliveries);
  return { rng, ds, device, alice, bob, carol, dave: dave!, say };
}

describe("mls engine: honest group", () => {
  it("adds, messages and removes through an honest DS", async () => {
    const { ds, alice, bob, carol, say } = await room(1);
    for (const d of [alice, bob, carol]) expect(d.epoch()).toBe(1n);
    expect(bob.members().map((m) => m.user)).toEqual([ALICE, BOB, CAROL]);
    expect(await say(alice, "hello")).toEqual([`${BOB}/B1`, `${CAROL}/C1`]);
    const got = await bob.receive(await carol.send("from carol"));
    expect(got).toMatchObject({ kind: "application", sender: { user: CAROL, device: "C1" }, text: "from carol" });
    const rm = await alice.commit({ remove: [{ user: BOB, device: "B1" }] });
    expect((await ds.submit(alice, rm.commit)).accepted).toBe(true);
    expect(alice.members().map((m) => m.user)).toEqual([ALICE, CAROL]);
    expect(carol.epoch()).toBe(2n);
    expect([bob.removed(), carol.removed()]).toEqual([true, false]);
    await expect(bob.send("still here?")).rejects.toThrow(/removed/);
    expect(await say(alice, "without bob")).toEqual([`${CAROL}/C1`]);
    for (const d of [alice, carol]) expect(d.alarms).toEqual([]);
  });

  it("the same seed gives byte-identical messages and the same draws; another seed does not", async () => {
    const transcript = async (seed: number) => {
      const w = await room(seed);
      await w.say(w.alice, "one");
      const rm = await w.alice.commit({ remove: [{ user: BOB, device: "B1" }] });
      await w.ds.submit(w.alice, rm.commit);
      await w.say(w.carol, "two");
      return { log: w.ds.log.map((b) => Buffer.from(b).toString("hex")), trace: w.rng.trace };
    };
    const a = await transcript(5),
      b = await transcript(5),
      c = await transcript(6);
    expect(b).toEqual(a);
    expect(a.log).toHaveLength(5); // add Commit, its Welcome, a message, remove Commit, a message
    expect(c.log[0]).not.toEqual(a.log[0]);
    expect(a.trace.every((l) => l.startsWith("mls "))).toBe(true);
  });

  it("old-epoch keys: kept by the library (a removed member is read), cleared by the policy", async () => {
    for (const [policy, read] of [
      [LIBRARY, true],
      [DEFAULT_POLICY, false],
    ] as const) {
      const { ds, alice, bob, carol } = await room(2, policy);
      // Bob's client ignores its removal and keeps the state it had (a honest one could not send:
      // ts-mls marks the state "removedFromGroup" when it processes the Commit).
      await ds.relay(
        (await alice.commit({ remove: [{ user: BOB, device: "B1" }] })).commit,
        [alice, carol].map(deviceKey),
      );
      expect([alice.epoch(), bob.epoch(), carol.epoch()]).toEqual([2n, 1n, 2n]);
      const late = await carol.receive(await bob.send("still here?"));
      expect(late.kind === "application").toBe(read);
      // Either way Bob reads nothing of the new epoch.
      expect((await bob.receive(await alice.send("after"))).kind).toBe("error");
    }
  });

  it("power levels change by Commit: Carol, raised by Alice, may add; raising herself is refused", async () => {
    const { ds, device, alice, bob, carol } = await room(14);
    const self = await carol.commit({ policy: { ...LEVELS, users: { ...LEVELS.users, [CAROL]: 50 } } });
    expect((await ds.submit(carol, self.commit)).accepted).toBe(false);
    const up = await alice.commit({ policy: { ...LEVELS, users: { ...LEVELS.users, [CAROL]: 50 } } });
    expect((await ds.submit(alice, up.commit)).accepted).toBe(true);
    expect(bob.roomPolicy()?.users[CAROL]).toBe(50);
    const dave = await device(DAVE, "D1");
    const add = await carol.commit({ add: [await dave.newKeyPackage()] });
    expect((await ds.submit(carol, add.commit, { bytes: add.welcome!, to: [dave] })).accepted).toBe(true);
    expect(dave.members().map((m) => m.user)).toEqual([ALICE, BOB, CAROL, DAVE]);
  });

  it("a leave: Bob proposes his own removal and Carol (level 0) commits it", async () => {
    const { ds, alice, bob, carol, say } = await room(16);
    const leave = await bob.proposeLeave();
    expect((await ds.submit(bob, leave)).deliveries.map((d) => d.result.kind)).toEqual(["proposal", "proposal"]);
    const c = await carol.commit({});
    expect((await ds.submit(carol, c.commit)).accepted).toBe(true);
    expect(alice.members().map((m) => m.user)).toEqual([ALICE, CAROL]);
    expect(await say(alice, "bye bob")).toEqual([`${CAROL}/C1`]);
  });

  it("a device can sign with its Matrix device key, which the authentication service then checks", async () => {
    const { ds, alice, bob } = await room(18);
    const key = signingKeyFromSeed(new Rng(180).bytes("device key", 32));
    const b2 = await MlsDevice.create(new Rng(181), { user: BOB, device: "B2" }, DEFAULT_POLICY, undefined, key);
    ds.connect(b2);
    expect(b2.signaturePublicKey).toEqual(key.publicKey);
    const c = await bob.commit({ add: [await b2.newKeyPackage()] }); // Bob adds his own new device
    expect((await ds.submit(bob, c.commit, { bytes: c.welcome!, to: [b2] })).accepted).toBe(true);
    expect((await b2.receive(await alice.send("to both of bob's"))).kind).toBe("application");
    const wrong = { seed: key.seed, publicKey: alice.signaturePublicKey };
    await expect(
      MlsDevice.create(new Rng(182), { user: BOB, device: "B3" }, DEFAULT_POLICY, undefined, wrong),
    ).rejects.toThrow(/does not match/);
  });

  it("untrusted bytes give a verdict, never a throw, and change nothing", async () => {
    const { rng, alice, bob } = await room(15);
    const real = await alice.send("x");
    const inputs = [
      new Uint8Array(),
      rng.bytes("garbage", 200),
      real.slice(0, real.length - 1),
      Uint8Array.of(0, 1, 0, 2),
      new Uint8Array(5000),
    ];
    for (const b of inputs) expect((await bob.receive(b)).kind).toMatch(/^(error|ignored)$/);
    expect(bob.epoch()).toBe(1n);
    expect((await bob.receive(real)).kind).toBe("application");
  });

  it("T18 background: ts-mls's Ed25519 check accepts R = identity, S = 0 for the identity key", async () => {
    const d = await MlsDevice.create(new Rng(17), { user: ALICE, device: "A1" });
    const identity = new Uint8Array(32);
    identity[0] = 1;
    const universal = new Uint8Array(64);
    universal[0] = 1;
    expect(await d.cs.signature.verify(identity, new TextEncoder().encode("any message"), universal)).toBe(true);
  });

  it("a replayed application message is refused", async () => {
    const { alice, bob } = await room(3);
    const m = await alice.send("once");
    expect((await bob.receive(m)).kind).toBe("application");
    expect((await bob.receive(m)).kind).toBe("error");
  });
});

describe("mls engine: a malicious Delivery Service", () => {
  it("T1: an injected external add is bundled into the next Commit if accepted, refused by policy", async () => {
    for (const [externalProposals, breach] of [
      ["accept", true],
      ["reject", false],
    ] as const) {
      const policy = { ...DEFAULT_POLICY, externalProposals };
      const { ds, device, alice, bob, carol, say } = await room(4, policy);
      const mallory = await device(MALLORY, "M1");
      const inject = await forgeExternalAdd({ groupId: ROOM, epoch: 1n }, mallory);
      const seen = await ds.relay(inject, [alice, bob, carol].map(deviceKey));
      expect(
        seen.every((d) => d.result.kind === "proposal" && d.result.outcome === (breach ? "stored" : "rejected")),
      ).toBe(true);
      // Alice's next Commit (an honest one, removing nobody) bundles whatever proposals she stored.
      const c = await alice.commit({});
      const r = await ds.submit(alice, c.commit, c.welcome ? { bytes: c.welcome, to: [mallory] } : undefined);
      expect(r.accepted).toBe(true);
      expect(alice.members().some((m) => m.user === MALLORY)).toBe(breach);
      expect((await say(alice, "secret")).includes(deviceKey(mallory))).toBe(breach);
    }
  });

  it("T1: a Commit the DS tampers with or forges is refused by the library", async () => {
    const { ds, device, alice, bob, carol } = await room(5);
    const mallory = await device(MALLORY, "M1");
    const c = await alice.commit({ add: [await mallory.newKeyPackage()] });
    const tampered = c.commit.slice();
    tampered[tampered.length - 5]! ^= 1;
    for (const d of await ds.relay(tampered, [bob, carol].map(deviceKey))) expect(d.result.kind).toBe("error");
    expect(bob.epoch()).toBe(1n);
    // A Commit from a group the DS made itself, under the same group ID: signed by no member.
    await mallory.createGroup(ROOM, { ...LEVELS, users: { [MALLORY]: 100 } });
    await mallory.receive((await mallory.commit({})).commit); // its own epoch 1
    const evil = await mallory.commit({});
    for (const d of await ds.relay(evil.commit, [bob, carol].map(deviceKey))) expect(d.result.kind).toBe("error");
    expect(bob.members().map((m) => m.user)).toEqual([ALICE, BOB, CAROL]);
  });

  it("T2: a replayed old add Commit is refused; a new KeyPackage as external add follows the policy", async () => {
    for (const [externalProposals, back] of [
      ["accept", true],
      ["reject", false],
    ] as const) {
      const { ds, alice, bob, carol, say } = await room(6, { ...DEFAULT_POLICY, externalProposals });
      await ds.submit(alice, (await alice.commit({ remove: [{ user: BOB, device: "B1" }] })).commit);
      const addBob = ds.log[0]!; // the Commit that added Bob and Carol
      const replay = await ds.relay(addBob, [alice, carol].map(deviceKey));
      expect(replay.map((d) => d.result)).toEqual([
        { kind: "commit", outcome: "rejected", epoch: 2n, reason: "replay of an applied Commit" },
        { kind: "commit", outcome: "rejected", epoch: 2n, reason: "Commit for a past epoch" },
      ]);
      const fresh = await MlsDevice.create(new Rng(60), { user: BOB, device: "B1" }, DEFAULT_POLICY); // Bob, anew
      ds.connect(fresh);
      await ds.relay(await forgeExternalAdd({ groupId: ROOM, epoch: 2n }, fresh), [alice, carol].map(deviceKey));
      const c = await alice.commit({});
      await ds.submit(alice, c.commit, c.welcome ? { bytes: c.welcome, to: [fresh] } : undefined);
      expect(carol.members().some((m) => m.user === BOB)).toBe(back);
      expect((await say(alice, "after the ban")).includes(deviceKey(fresh))).toBe(back);
    }
  });

  it("T3: a removed member's old-epoch Commit and external join on an old GroupInfo are refused", async () => {
    const { ds, device, alice, bob, carol } = await room(7);
    const oldInfo = await bob.groupInfo(); // published while Bob was a member
    // Bob's client ignores its removal (withheld from it by the colluding DS).
    await ds.relay(
      (await alice.commit({ remove: [{ user: BOB, device: "B1" }] })).commit,
      [alice, carol].map(deviceKey),
    );
    const mallory = await device(MALLORY, "M1");
    const c = await bob.commit({ add: [await mallory.newKeyPackage()] });
    expect((await ds.relay(c.commit, [deviceKey(carol)]))[0]!.result).toMatchObject({
      kind: "commit",
      outcome: "rejected",
    });
    const rejoin = await mallory.joinExternal(oldInfo);
    expect((await ds.relay(rejoin, [deviceKey(carol)]))[0]!.result).toMatchObject({
      kind: "commit",
      outcome: "rejected",
    });
    expect(carol.members().map((m) => m.user)).toEqual([ALICE, CAROL]);
  });

  it("external joins: allowed if the join rule is public; the library alone accepts both", async () => {
    const cases = [
      [DEFAULT_POLICY, "public", true],
      [DEFAULT_POLICY, "invite", false],
      [LIBRARY, "invite", true],
    ] as const;
    for (const [policy, joinRule, joined] of cases) {
      const { ds, device, alice, carol, say } = await room(8, policy);
      if (joinRule === "public")
        await ds.submit(alice, (await alice.commit({ policy: { ...LEVELS, joinRule } })).commit);
      const info = await alice.groupInfo(); // the DS holds it, whatever the join rule
      const mallory = await device(MALLORY, "M1", policy);
      const r = await ds.submit(mallory, await mallory.joinExternal(info));
      expect(r.accepted).toBe(joined);
      expect(carol.members().some((m) => m.user === MALLORY)).toBe(joined);
      expect((await say(alice, "who reads?")).includes(deviceKey(mallory))).toBe(joined);
    }
  });

  it("T7: the DS cannot forge a member's leave: an external Remove under its own key is refused", async () => {
    for (const policy of [DEFAULT_POLICY, LIBRARY]) {
      const { ds, device, alice, carol } = await room(19, policy);
      const evil = await device(MALLORY, "M1");
      const forged = await evil.proposeAsExternalSender(
        { groupId: ROOM, epoch: 1n },
        { proposalType: "remove", remove: { removed: 1 } },
      );
      for (const d of await ds.relay(forged, [alice, carol].map(deviceKey))) expect(d.result.kind).toBe("error");
      const c = await alice.commit({});
      expect((await ds.submit(alice, c.commit)).accepted).toBe(true);
      expect(carol.members().map((m) => m.user)).toEqual([ALICE, BOB, CAROL]);
    }
  });

  it("T9: a joiner handed the DS's own GroupInfo under the room's ID joins the DS's group unawares", async () => {
    const { ds, device, alice, say } = await room(20);
    await ds.submit(alice, (await alice.commit({ policy: { ...LEVELS, joinRule: "public" } })).commit);
    const mallory = await device(MALLORY, "M1");
    await mallory.createGroup(ROOM, { ...LEVELS, users: { [MALLORY]: 100 }, joinRule: "public" });
    const dave = await device(DAVE, "D1");
    const join = await dave.joinExternal(await mallory.groupInfo()); // instead of Alice's
    await ds.relay(join, [mallory, dave].map(deviceKey));
    expect(dave.members().map((m) => m.user)).toEqual([MALLORY, DAVE]);
    const m = await dave.send("hello room");
    expect(readers(await ds.relay(m, [alice, mallory].map(deviceKey)))).toEqual([deviceKey(mallory)]);
    expect(dave.alarms).toEqual([]);
    expect(await say(alice, "anyone new?")).not.toContain(deviceKey(dave));
  });

  it("T4: an unprivileged member's add is refused by every member; only the library default accepts it", async () => {
    for (const [policy, breach] of [
      [DEFAULT_POLICY, false],
      [LIBRARY, true],
    ] as const) {
      const { ds, device, alice, bob, carol, say } = await room(9, policy);
      const mallory = await device(MALLORY, "M1");
      const c = await carol.commit({ add: [await mallory.newKeyPackage()] });
      const r = await ds.submit(carol, c.commit, { bytes: c.welcome!, to: [mallory] });
      expect(r.accepted).toBe(breach);
      if (!breach) {
        expect(r.deliveries.map((d) => d.result)).toMatchObject([
          { kind: "commit", outcome: "rejected", reason: `${CAROL} (level 0) may not add ${MALLORY}: invite is 50` },
          { kind: "commit", outcome: "rejected" },
        ]);
        expect(alice.alarms.map((a) => a.cause)).toEqual(["rejected-commit"]);
        expect(carol.epoch()).toBe(1n); // abandoned: Carol is not forked off
      }
      expect((await say(alice, "who reads?")).includes(deviceKey(mallory))).toBe(breach);
      expect(bob.members().some((m) => m.user === MALLORY)).toBe(breach);
    }
  });

  it("T4, colluding DS: the refused Commit forks Carol and Mallory off; Mallory reads no honest message", async () => {
    const { ds, device, alice, bob, carol, say } = await room(10);
    const mallory = await device(MALLORY, "M1");
    const c = await carol.commit({ add: [await mallory.newKeyPackage()] });
    await ds.relay(c.commit, [alice, bob, carol].map(deviceKey)); // echoed to Carol regardless
    await ds.relay(c.welcome!, [deviceKey(mallory)]);
    expect(carol.epoch()).toBe(2n);
    expect(mallory.epoch()).toBe(2n);
    expect(alice.epoch()).toBe(1n);
    expect(await say(alice, "honest")).toEqual([`${BOB}/B1`]); // Carol is on the other branch now
    expect(mallory.alarms).toEqual([]);
  });

  it("T8: a DS-made device for Bob gets in only with external proposals accepted and no AS", async () => {
    const genuine = new Map<string, string>();
    const auth: AuthenticationService = (id, key) =>
      genuine.get(`${id.user}/${id.device}`) === Buffer.from(key).toString("hex");
    const cases = [
      ["accept", undefined, true],
      ["accept", auth, false],
      ["reject", undefined, false],
    ] as const;
    for (const [externalProposals, as, breach] of cases) {
      const { ds, alice, bob, carol, say } = await room(11, { ...DEFAULT_POLICY, externalProposals }, { auth: as });
      for (const d of [alice, bob, carol]) genuine.set(deviceKey(d), Buffer.from(d.signaturePublicKey).toString("hex"));
      const evil = await MlsDevice.create(new Rng(110), { user: BOB, device: "EVIL" }); // made by the DS
      ds.connect(evil);
      await ds.relay(await forgeExternalAdd({ groupId: ROOM, epoch: 1n }, evil), [alice, bob, carol].map(deviceKey));
      const c = await alice.commit({});
      await ds.submit(alice, c.commit, c.welcome ? { bytes: c.welcome, to: [evil] } : undefined);
      expect((await say(alice, "to bob")).includes(deviceKey(evil))).toBe(breach);
      // A KeyPackage the DS substitutes for a new device: the committer's own AS check refuses it.
      if (as)
        await expect(alice.commit({ add: [await evil.newKeyPackage()] })).rejects.toThrow(/authentication service/);
    }
  });

  it("withheld Commit: a member unaware of Bob's removal sends to him, and raises 'behind' later", async () => {
    const { ds, alice, bob, carol } = await room(12);
    const rm = await alice.commit({ remove: [{ user: BOB, device: "B1" }] });
    await ds.relay(rm.commit, [deviceKey(alice)]); // to Alice only: withheld from Carol
    expect(alice.epoch()).toBe(2n);
    expect(carol.epoch()).toBe(1n);
    expect((await bob.receive(await carol.send("for the room"))).kind).toBe("application"); // Bob reads it
    expect((await carol.receive(await alice.send("epoch 2"))).kind).toBe("error");
    expect(carol.alarms.map((a) => a.cause)).toEqual(["behind"]);
  });

  it("DS fork: two Commits for one epoch; the removed member reads one branch; cross-branch alarms", async () => {
    const { ds, alice, bob, carol, dave } = await room(13, DEFAULT_POLICY, { dave: true });
    const a = await alice.commit({ remove: [{ user: BOB, device: "B1" }] });
    const d = await dave.commit({}); // an honest Commit by Dave (level 50) for the same epoch
    await ds.relay(a.commit, [deviceKey(alice)]);
    await ds.relay(d.commit, [bob, carol, dave].map(deviceKey));
    expect([alice, bob, carol, dave].map((x) => x.epoch())).toEqual([2n, 2n, 2n, 2n]);
    expect(alice.members().some((m) => m.user === BOB)).toBe(false);
    expect(carol.members().some((m) => m.user === BOB)).toBe(true);
    const fromCarol = await carol.send("carol's branch");
    expect(readers(await ds.relay(fromCarol, [alice, bob, dave].map(deviceKey)))).toEqual([`${BOB}/B1`, `${DAVE}/D1`]);
    expect(alice.alarms.map((x) => x.cause)).toEqual(["undecryptable"]);
    // Dave's Commit, relayed to Alice too, shows her the fork: a second Commit for epoch 1.
    await ds.relay(d.commit, [deviceKey(alice)]);
    expect(alice.alarms.map((x) => x.cause)).toEqual(["undecryptable", "fork"]);
  });
});
