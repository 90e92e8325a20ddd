/**
 * The engine on the real matrix-sdk-crypto against servers with `lieAboutKeys`: devices they
 * insert, master keys they substitute (before first contact, after the library pinned the real
 * one, after the user was verified), and messages from their devices.
 */
import { TrustRequirement } from "@matrix-org/matrix-sdk-crypto-wasm";
import { describe, expect, it } from "vitest";
import { Scene, threeUsers } from "./scene.ts";

const ALICE = "@alice:a.example";
const BOB = "@bob:b.example";
const CAROL = "@carol:c.example";
const MALLORY = "@mallory:evil.example";
const STRATEGIES = ["all-devices", "identity-based"] as const;

describe("a server that lies about keys", () => {
  it("a device it inserts gets the key under all-devices, and is withheld from under identity-based", async () => {
    const readings: Record<string, unknown> = {};
    for (const strategy of STRATEGIES) {
      const scene = await threeUsers(["b.example"]);
      const inserted = await scene.forge("b.example", BOB, "INSERTED");
      const m = await scene.send(`${ALICE}|ALICE1`, [ALICE, BOB, CAROL], strategy, "secret");
      const read = (await inserted.decrypt(m.event!)).ok;
      readings[strategy] = { share: m.share, inserted: read, told: inserted.withheldNotices };
      scene.close();
    }
    expect(readings["all-devices"]).toEqual({
      share: { keyTo: [`${BOB}|BOB1`, `${BOB}|INSERTED`, `${CAROL}|CAROL1`], withheldTo: [] },
      inserted: true,
      told: [],
    });
    expect(readings["identity-based"]).toEqual({
      share: {
        keyTo: [`${BOB}|BOB1`, `${CAROL}|CAROL1`],
        withheldTo: [{ device: `${BOB}|INSERTED`, code: "m.unverified" }],
      },
      inserted: false,
      told: [{ sender: ALICE, code: "m.unverified" }],
    });
  });

  it("a device inserted for a verified user: shared with, withheld from, or refused, by strategy", async () => {
    const shares: Record<string, unknown> = {};
    for (const strategy of [...STRATEGIES, "error-on-verified-user-problem"] as const) {
      const scene = await threeUsers(["b.example"]);
      await scene.get(`${ALICE}|ALICE1`).verifyUser(BOB);
      await scene.forge("b.example", BOB, "INSERTED");
      shares[strategy] = (await scene.send(`${ALICE}|ALICE1`, [ALICE, BOB], strategy, "secret")).share;
      scene.close();
    }
    expect(shares).toEqual({
      "all-devices": { keyTo: [`${BOB}|BOB1`, `${BOB}|INSERTED`], withheldTo: [] },
      "identity-based": { keyTo: [`${BOB}|BOB1`], withheldTo: [{ device: `${BOB}|INSERTED`, code: "m.unverified" }] },
      "error-on-verified-user-problem": { keyTo: [], withheldTo: [], refused: "verified-user-unsigned-device" },
    });
  });

  it("a lie about a remote user reaches only the lying server's own clients", async () => {
    const scene = await threeUsers(["c.example"]);
    await scene.forge("c.example", BOB, "INSERTED");
    await scene.settle();
    expect(await scene.get(`${CAROL}|CAROL1`).devicesOf(BOB)).toEqual([`${BOB}|BOB1`, `${BOB}|INSERTED`]);
    expect(await scene.get(`${ALICE}|ALICE1`).devicesOf(BOB)).toEqual([`${BOB}|BOB1`]);
    const fromAlice = await scene.send(`${ALICE}|ALICE1`, [ALICE, BOB, CAROL], "all-devices", "a");
    const fromCarol = await scene.send(`${CAROL}|CAROL1`, [ALICE, BOB, CAROL], "all-devices", "c");
    expect(fromAlice.share.keyTo).not.toContain(`${BOB}|INSERTED`);
    expect(fromCarol.share.keyTo).toContain(`${BOB}|INSERTED`);
    const r = await scene.readings();
    expect(r[`${BOB}|INSERTED`]).toEqual({ [fromAlice.eventId]: "MissingRoomKey", [fromCarol.eventId]: "read" });
    scene.close();
  });

  it("a master key substituted before first contact is trusted on first use by both strategies", async () => {
    for (const strategy of STRATEGIES) {
      const scene = new Scene("substitution before contact");
      scene.server("a.example");
      scene.server("evil.example", true);
      await scene.device(ALICE, "ALICE1");
      await scene.device(MALLORY, "REAL");
      const fake = await scene.forge("evil.example", MALLORY, "FAKE", { substituteIdentity: true });
      await scene.track([ALICE, MALLORY]);
      const seen = await scene.get(`${ALICE}|ALICE1`).identityOf(MALLORY);
      expect(seen?.master).not.toBe(scene.masterKeyOf(MALLORY));
      expect(seen?.needsApproval).toBe(false);
      const m = await scene.send(`${ALICE}|ALICE1`, [ALICE, MALLORY], strategy, "s");
      expect(m.share.keyTo).toEqual([`${MALLORY}|FAKE`]);
      expect((await fake.decrypt(m.event!)).ok).toBe(true);
      scene.close();
    }
  });

  it("a master key substituted after pinning: flagged, yet shared with unless the user was verified", async () => {
    const outcomes: Record<string, unknown> = {};
    for (const verified of [false, true]) {
      for (const strategy of [...STRATEGIES, "error-on-verified-user-problem"] as const) {
        const scene = new Scene("substitution after pinning");
        scene.server("a.example");
        scene.server("evil.example", true);
        const alice = await scene.device(ALICE, "ALICE1");
        await scene.device(MALLORY, "REAL");
        await scene.track([ALICE, MALLORY]);
        if (verified) await alice.verifyUser(MALLORY);
        const fake = await scene.forge("evil.example", MALLORY, "FAKE", { substituteIdentity: true });
        await scene.settle();
        const identity = await alice.identityOf(MALLORY);
        const m = await scene.send(`${ALICE}|ALICE1`, [ALICE, MALLORY], strategy, "s");
        outcomes[`${verified ? "verified" : "pinned"} ${strategy}`] = {
          needsApproval: identity?.needsApproval,
          violation: identity?.violation,
          share: m.share,
          fakeReads: m.event ? (await fake.decrypt(m.event)).ok : false,
        };
        scene.close();
      }
    }
    const toFake = { keyTo: [`${MALLORY}|FAKE`], withheldTo: [] };
    expect(outcomes).toEqual({
      "pinned all-devices": { needsApproval: true, violation: false, share: toFake, fakeReads: true },
      "pinned identity-based": { needsApproval: true, violation: false, share: toFake, fakeReads: true },
      "pinned error-on-verified-user-problem": {
        needsApproval: true,
        violation: false,
        share: toFake,
        fakeReads: true,
      },
      "verified all-devices": { needsApproval: true, violation: true, share: toFake, fakeReads: true },
      "verified error-on-verified-user-problem": {
        needsApproval: true,
        violation: true,
        share: { keyTo: [], withheldTo: [], refused: "verified-user-changed-identity" },
        fakeReads: false,
      },
      "verified identity-based": {
        needsApproval: true,
        violation: true,
        share: { keyTo: [], withheldTo: [], refused: "verified-user-changed-identity" },
        fakeReads: false,
      },
    });
  });

  it("a message from an inserted device is refused under CrossSignedOrLegacy and read under Untrusted", async () => {
    const scene = await threeUsers(["b.example"]);
    const strict = await scene.device(ALICE, "ALICESTRICT", { trust: TrustRequirement.CrossSignedOrLegacy });
    const inserted = await scene.forge("b.example", BOB, "INSERTED");
    await inserted.track([ALICE]);
    const m = await scene.send(`${BOB}|INSERTED`, [ALICE], "all-devices", "from the server");
    expect(await strict.decrypt(m.event!)).toEqual({ ok: false, code: "UnsignedSenderDevice" });
    expect((await scene.get(`${ALICE}|ALICE1`).decrypt(m.event!)).ok).toBe(true);
    scene.close();
  });

  it("a substitute identity drawn from the adversary's seeds is the one the library sees", async () => {
    const scene = await threeUsers(["b.example"]);
    const substitute = scene.crossSigningSeeds("substitute for @bob:b.example");
    const fake = await scene.forge("b.example", BOB, "FAKE", { substituteIdentity: substitute });
    await scene.settle();
    const carolSees = await scene.get(`${CAROL}|CAROL1`).identityOf(BOB);
    expect(carolSees?.master).toBe(scene.masterKeyOf("substitute for @bob:b.example"));
    expect(carolSees?.needsApproval).toBe(true);
    expect(await scene.get(`${CAROL}|CAROL1`).crossSignedByOwner(BOB, "FAKE")).toBe(true);
    const m = await scene.send(`${CAROL}|CAROL1`, [ALICE, BOB, CAROL], "identity-based", "to bob");
    expect(m.share.keyTo).toContain(`${BOB}|FAKE`);
    expect((await fake.decrypt(m.event!)).ok).toBe(true);
    scene.close();
  });

  it("finds the users whose library master key is not the one the world expects", async () => {
    const scene = await threeUsers(["b.example"]);
    await scene.forge("b.example", BOB, "FAKE", { substituteIdentity: true });
    const carol = scene.get(`${CAROL}|CAROL1`);
    await scene.settle();
    const expected = new Map([ALICE, BOB, CAROL, "@nobody:a.example"].map((u) => [u, scene.masterKeyOf(u)]));
    const mismatches = await carol.masterKeyMismatches(expected);
    expect(mismatches.map((m) => m.user)).toEqual(["@bob:b.example", "@nobody:a.example"]);
    expect(mismatches[0]!.library).toBe(await carol.masterKeyOf(BOB));
    expect(mismatches[1]!.library).toBeUndefined();
    scene.close();
  });

  it("a master key it substitutes for a remote user fools its own clients only", async () => {
    const scene = await threeUsers(["c.example"]);
    await scene.forge("c.example", BOB, "FAKE", { substituteIdentity: scene.crossSigningSeeds("substitute") });
    await scene.settle();
    expect((await scene.get(`${CAROL}|CAROL1`).identityOf(BOB))?.master).toBe(scene.masterKeyOf("substitute"));
    expect((await scene.get(`${ALICE}|ALICE1`).identityOf(BOB))?.master).toBe(scene.masterKeyOf(BOB));
    const m = await scene.send(`${CAROL}|CAROL1`, [ALICE, BOB, CAROL], "identity-based", "x");
    expect(m.share).toEqual({ keyTo: [`${ALICE}|ALICE1`, `${BOB}|FAKE`], withheldTo: [] });
    const r = await scene.readings();
    expect([r[`${BOB}|FAKE`]![m.eventId], r[`${BOB}|BOB1`]![m.eventId]]).toEqual(["read", "MissingRoomKey"]);
    scene.close();
  });
});
