/**
 * Properties of the membership-tree verifier:
 * (a) random valid invite trees verify every member, in both field forms;
 * (b) mutating one signed field of one event rejects exactly that event's subtree;
 * (c) random parent graphs, with cycles and dangling IDs, always terminate with a verdict;
 * and a 100,000-deep invitation chain verifies without overflowing the stack.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fcParams } from "../../test-support/fast-check.ts";
import { fakeBackend } from "../../test-support/fake-backend.ts";
import { RoomBuilder, type TestUser, makeUser, seedFrom } from "../../test-support/room-builder.ts";
import { matrixJson } from "../../test-support/arbitraries.ts";
import { encodeBase64 } from "./base64.ts";
import type { JsonObject, JsonValue } from "./canonical-json.ts";
import { keyIdOf } from "./cross-signing.ts";
import { signingKeyFromSeed } from "./ed25519.ts";
import type { ClientEvent } from "./events.ts";
import { signJson } from "./signing.ts";
import { type MemberVerdict, verifyMembership } from "./verify-membership.ts";

const USERS = Array.from({ length: 12 }, (_, i) => makeUser(`@u${i}:example.org`));
const OLIVIA = makeUser("@olivia:other.example");
const IS_KEY = signingKeyFromSeed(seedFrom("identity server"));

type JoinMethod = "invite" | "public" | "restricted" | "threepid";

/** A valid room: u0 creates; each next user joins by `method`, sponsored by an earlier member. */
const treeSpec = fc.record({
  fields: fc.constantFrom("stable" as const, "unstable" as const),
  joins: fc.array(
    fc.record({ sponsor: fc.nat(), method: fc.constantFrom<JoinMethod>("invite", "public", "restricted", "threepid") }),
    { minLength: 1, maxLength: USERS.length - 1 },
  ),
});

function buildTree(spec: {
  fields: "stable" | "unstable";
  joins: { sponsor: number; method: JoinMethod }[];
}): RoomBuilder {
  const other = new RoomBuilder({ label: "other", fields: spec.fields, firstId: 10_000 }).create(OLIVIA);
  const b = new RoomBuilder({ fields: spec.fields }).create(USERS[0]!);
  spec.joins.forEach(({ sponsor, method }, i) => {
    const user = USERS[i + 1]!;
    const by = USERS[sponsor % (i + 1)]!;
    if (method === "invite") b.inviteAndJoin(by, user);
    else if (method === "public") b.joinVia(b.joinRules(by, "public"), user);
    else if (method === "threepid") b.thirdPartyInviteAndJoin(by, user, { isKey: IS_KEY });
    else {
      other.inviteAndJoin(OLIVIA, user);
      b.joinVia(b.joinRules(by, "restricted", [other.roomId]), user, other.proofFor(user));
    }
  });
  return b;
}

describe("membership verifier properties", () => {
  it("(a) random valid trees of invites, public, restricted and third-party joins verify every member, in both field forms", () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(treeSpec, (spec) => {
        const b = buildTree(spec);
        const members = verifyMembership(b.room()).members;
        expect(Object.keys(members)).toHaveLength(spec.joins.length + 1);
        for (const [user, v] of Object.entries(members)) {
          expect(v, user).toMatchObject({ status: "verified" });
          const u = USERS.find((x) => x.userId === user)!;
          expect(v.status === "verified" && v.msk).toBe(encodeBase64(u.msk.publicKey));
        }
        spec.joins.forEach((j) => seen.add(`${spec.fields}/${j.method}`));
      }),
      fcParams(60),
    );
    expect(seen.size).toBe(8); // every join method, in both forms
  });

  it("(b) mutating one signed field of one event rejects that event's subtree, and nobody else changes", () => {
    fc.assert(
      fc.property(treeSpec, fc.nat(), fc.nat(), matrixJson, (spec, pickEvent, pickField, value) => {
        const b = buildTree(spec);
        const before = verifyMembership(b.room(), { chains: true }).members;
        // Signed things: content signed by a member's RSK or the RRK, or the identity server's signed block.
        const targets = b.events.flatMap((e): { event: ClientEvent; obj: JsonObject }[] => {
          const tpi = e.content.third_party_invite as { signed?: JsonObject } | undefined;
          if (tpi?.signed) return [{ event: e, obj: tpi.signed }];
          return e.content.signatures ? [{ event: e, obj: e.content }] : [];
        });
        const { event, obj } = targets[pickEvent % targets.length]!;
        const fields = Object.keys(obj).filter((k) => k !== "signatures" && k !== "unsigned" && k !== "membership");
        const field =
          pickField % (fields.length + 1) === fields.length ? "added_field" : fields[pickField % (fields.length + 1)]!;
        fc.pre(JSON.stringify(obj[field]) !== JSON.stringify(value));
        obj[field] = value;
        const after = verifyMembership(b.room(), { chains: true }).members;
        for (const [user, v] of Object.entries(before)) {
          const inSubtree = v.status === "verified" && v.chain!.includes(event.event_id);
          if (inSubtree) expect(after[user]?.status, `${user} rests on ${event.event_id} (${field})`).toBe("rejected");
          else expect(after[user], `${user} does not rest on ${event.event_id}`).toEqual(v);
        }
      }),
      fcParams(100),
    );
  });

  it("(c) random parent graphs with cycles and dangling IDs: verification terminates and never throws", () => {
    // Each user i has a join J_i whose parent is an invite I_i, sent by user p(i) with parent J_p(i),
    // or the create event, or an ID nobody has. A random p has cycles; noise rewires parents and
    // kinds, and drops signatures.
    const users = USERS.slice(0, 6);
    const rrk = signingKeyFromSeed(seedFrom("room/rrk"));
    const create = new RoomBuilder().create(users[0]!).events[0]!;
    const reasons = new Map<string, number>();
    const person = fc.record({
      inviter: fc.nat(users.length + 1), // users.length: the create event; users.length + 1: dangling
      rewire: fc.option(fc.nat(), { freq: 4 }),
      kind: fc.constantFrom(
        "m.room.member",
        "m.room.member",
        "m.room.member",
        "m.room.join_rules",
        "m.room.power_levels",
      ),
      sign: fc.oneof(fc.constant(true), fc.constant(true), fc.constant(false)),
    });
    fc.assert(
      fc.property(fc.array(person, { minLength: 1, maxLength: users.length }), fc.boolean(), (people, withCreate) => {
        const ids = people.flatMap((_, i) => [`$J${i}`, `$I${i}`]);
        const sign = (content: JsonObject, by: TestUser, yes: boolean) =>
          yes ? signJson(content, by.userId, keyIdOf(by.rsk.publicKey), by.rsk) : content;
        const state: unknown[] = withCreate ? [create] : [];
        const events: unknown[] = [];
        people.forEach((p, i) => {
          const user = users[i]!;
          const inviterIndex = p.inviter < people.length ? p.inviter : undefined;
          const inviter = inviterIndex !== undefined ? users[inviterIndex]! : users[0]!;
          const inviteParent =
            inviterIndex !== undefined
              ? `$J${inviterIndex}`
              : p.inviter === users.length
                ? create.event_id
                : "$nowhere";
          const joinParent = p.rewire === null ? `$I${i}` : ids[p.rewire % ids.length]!;
          const common = { room_root_key: encodeBase64(rrk.publicKey), user_key: encodeBase64(user.msk.publicKey) };
          events.push({
            event_id: `$I${i}`,
            type: p.kind,
            state_key: p.kind === "m.room.member" ? user.userId : "",
            sender: inviter.userId,
            content: sign(
              {
                membership: "invite",
                join_rule: "public",
                sender_key: inviter.rskCrossSigningKey,
                parent_event_id: inviteParent,
                ...common,
              },
              inviter,
              p.sign,
            ),
          });
          state.push({
            event_id: `$J${i}`,
            type: "m.room.member",
            state_key: user.userId,
            sender: user.userId,
            content: sign(
              { membership: "join", sender_key: user.rskCrossSigningKey, parent_event_id: joinParent, ...common },
              user,
              p.sign,
            ),
          });
        });
        const result = verifyMembership({ roomRootKey: rrk.publicKey, state, events });
        expect(Object.keys(result.members)).toHaveLength(people.length);
        for (const v of Object.values(result.members) as MemberVerdict[]) {
          expect(v.status === "unknown" && v.reason === "verifier_error", JSON.stringify(v)).toBe(false);
          const key = v.status === "verified" ? "verified" : v.reason;
          reasons.set(key, (reasons.get(key) ?? 0) + 1);
        }
      }),
      fcParams(300),
    );
    console.log(`(c) verdicts over random parent graphs: ${JSON.stringify(Object.fromEntries([...reasons].sort()))}`);
    // The generator must reach the interesting places, or the property says little.
    for (const r of ["verified", "parent_cycle", "parent_missing", "wrong_parent_kind", "join_bad_signature"]) {
      expect(reasons.get(r) ?? 0, `${r} never happened: ${JSON.stringify([...reasons])}`).toBeGreaterThan(0);
    }
  });

  it("(c) hostile values in every field never throw", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            matrixJson,
            fc.record({
              event_id: fc.string(),
              type: fc.constantFrom("m.room.member", "m.room.create", "m.room.join_rules"),
              state_key: fc.constantFrom("@u0:example.org", ""),
              sender: fc.constantFrom("@u0:example.org"),
              content: fc.dictionary(
                fc.constantFrom(
                  "membership",
                  "parent_event_id",
                  "user_key",
                  "room_root_key",
                  "sender_key",
                  "signatures",
                  "unsigned",
                  "org.matrix.msc3917.v1.user_key",
                ),
                matrixJson as fc.Arbitrary<JsonValue>,
              ),
            }),
          ),
        ),
        (state) => {
          const result = verifyMembership({ roomRootKey: USERS[0]!.msk.publicKey, state, events: state });
          for (const v of Object.values(result.members))
            expect(v.status === "unknown" && v.reason === "verifier_error").toBe(false);
        },
      ),
      fcParams(300),
    );
  });
});

describe("depth", () => {
  // The 100,000-deep chain is in the benchmark (bench/depth.bench.ts); 10,000 is enough to show
  // that nothing recurses (V8's stack gives out at a few thousand frames).
  it("a linear invitation chain 10,000 deep verifies, iteratively (fake signatures; real structure)", () => {
    const depth = 10_000;
    const backend = fakeBackend();
    const started = process.hrtime.bigint();
    const users = Array.from({ length: depth + 1 }, (_, i) =>
      makeUser(`@d${i}:example.org`, { backend, sharedKeys: true }),
    );
    const b = new RoomBuilder({ backend }).create(users[0]!);
    for (let i = 1; i <= depth; i++) b.inviteAndJoin(users[i - 1]!, users[i]!);
    const built = process.hrtime.bigint();
    const result = verifyMembership(b.room(), { backend, chains: "length" });
    const verified = process.hrtime.bigint();
    const last = result.members[users[depth]!.userId];
    expect(last).toMatchObject({ status: "verified", chain_length: 2 * depth + 1, parent: `$${2 * depth + 1}` });
    expect(Object.values(result.members).every((v) => v.status === "verified")).toBe(true);
    console.log(
      `depth ${depth}: built in ${Number(built - started) / 1e9}s, verified ${depth + 1} members in ${Number(verified - built) / 1e9}s`,
    );
  }, 300_000);
});
