/** `verifyMembershipParallel` (worker threads) gives exactly the verdicts of `verifyMembership`. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fcParams } from "../../test-support/fast-check.ts";
import { RoomBuilder, makeUser, seedFrom } from "../../test-support/room-builder.ts";
import * as ed from "@noble/ed25519";
import { encodeY } from "../../test-support/ed25519-edge-cases.ts";
import { encodeBase64 } from "./base64.ts";
import { checkPublicKey, forgetKeyChecks, signingKeyFromSeed } from "./ed25519.ts";
import { verifyMembershipParallel } from "./parallel-verify.ts";
import { verifyMembership } from "./verify-membership.ts";

const USERS = Array.from({ length: 8 }, (_, i) => makeUser(`@p${i}:example.org`));
const IS_KEY = signingKeyFromSeed(seedFrom("identity server"));

describe("verifyMembershipParallel", () => {
  it("gives identical verdicts to verifyMembership, on valid rooms and on rooms with flipped signature bytes", async () => {
    let withBad = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ sponsor: fc.nat(), method: fc.constantFrom("invite", "public", "threepid") }), {
          minLength: 1,
          maxLength: 7,
        }),
        fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat(255)), { maxLength: 3 }),
        fc.constantFrom(2, 3),
        async (joins, flips, workers) => {
          const b = new RoomBuilder().create(USERS[0]!);
          joins.forEach(({ sponsor, method }, i) => {
            const by = USERS[sponsor % (i + 1)]!;
            const u = USERS[i + 1]!;
            if (method === "invite") b.inviteAndJoin(by, u);
            else if (method === "public") b.joinVia(b.joinRules(by, "public"), u);
            else b.thirdPartyInviteAndJoin(by, u, { isKey: IS_KEY });
          });
          // Flip one character of a signature.
          for (const [e, which, bit] of flips) {
            const ev = b.events[e % b.events.length]!;
            const sigs = ev.content.signatures as Record<string, Record<string, string>> | undefined;
            const entity = sigs ? Object.keys(sigs)[0] : undefined;
            if (sigs && entity && which % 2 === 0) {
              const k = Object.keys(sigs[entity]!)[0]!;
              const t = sigs[entity]![k]!;
              const i = bit % 40;
              sigs[entity]![k] = t.slice(0, i) + (t[i] === "A" ? "B" : "A") + t.slice(i + 1);
              withBad++;
            }
          }
          const room = b.room();
          const one = verifyMembership(room);
          const two = await verifyMembershipParallel(room, { workers });
          expect(two).toEqual(one);
        },
      ),
      fcParams(25),
    );
    expect(withBad).toBeGreaterThan(0);
  }, 120_000);

  it("a key that is not on the curve, met first by the workers, keeps its verdict and the serial verdicts", async () => {
    // A canonical encoding that is no curve point: only the equation, or the full check, finds out.
    let off: Uint8Array | undefined;
    for (let y = 5n; off === undefined; y++) {
      const key = encodeY(y * 7919n, 0);
      try {
        ed.Point.fromBytes(key, false);
      } catch {
        off = key;
      }
    }
    const b = new RoomBuilder().create(USERS[0]!);
    for (let i = 1; i < 6; i++) b.inviteAndJoin(USERS[i - 1]!, USERS[i]!);
    // Member 3's master key becomes the off-curve key, everywhere it is named.
    const msk = encodeBase64(USERS[3]!.msk.publicKey);
    const room = JSON.parse(JSON.stringify(b.room()).replaceAll(msk, encodeBase64(off)));
    forgetKeyChecks();
    const two = await verifyMembershipParallel(room, { workers: 2 });
    expect(checkPublicKey(off)).toBe("key_not_on_curve");
    forgetKeyChecks();
    const one = verifyMembership(room);
    expect(two).toEqual(one);
    expect(one.members[USERS[3]!.userId]?.status).not.toBe("verified");
  });

  it("falls back to verifyMembership with workers below 2 or another backend", async () => {
    const b = new RoomBuilder().create(USERS[0]!);
    b.inviteAndJoin(USERS[0]!, USERS[1]!);
    expect(await verifyMembershipParallel(b.room(), { workers: 1 })).toEqual(verifyMembership(b.room()));
  });
});
