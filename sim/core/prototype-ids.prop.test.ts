/**
 * User IDs and event IDs are data (DESIGN.md §12): IDs such as `__proto__`, `constructor` and
 * `toString` must work at every place an ID becomes a key: pins (Map and plain object), verdicts,
 * the event index, the session, and the room file reader.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fcParams } from "../../test-support/fast-check.ts";
import { RoomBuilder, type TestUser, makeUser, seedFrom } from "../../test-support/room-builder.ts";
import { encodeBase64 } from "./base64.ts";
import { signingKeyFromSeed } from "./ed25519.ts";
import { parseRoomFile } from "./room-file.ts";
import { MembershipSession, normalizePins, verifyMembership } from "./verify-membership.ts";

const PROTO = [
  "__proto__",
  "constructor",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "__defineGetter__",
  "isPrototypeOf",
];
const USER_POOL = [...PROTO, "@alice:example.org", "@bob:example.org", "@carol:example.org"];
const USERS = new Map(USER_POOL.map((id) => [id, makeUser(id)]));
const IS_KEY = signingKeyFromSeed(seedFrom("identity server"));

const spec = fc.record({
  users: fc.uniqueArray(fc.constantFrom(...USER_POOL), { minLength: 2, maxLength: 6 }),
  sponsors: fc.array(fc.nat(), { minLength: 5, maxLength: 5 }),
  methods: fc.array(fc.constantFrom("invite", "public", "threepid"), { minLength: 5, maxLength: 5 }),
  // Which event numbers get a prototype name as their event ID.
  protoEvents: fc.array(fc.tuple(fc.nat(30), fc.constantFrom(...PROTO)), { maxLength: 4 }),
  pinned: fc.nat(),
  pinAs: fc.constantFrom("map", "object"),
});

type Spec = typeof spec extends fc.Arbitrary<infer T> ? T : never;

function build(s: Spec): { b: RoomBuilder; users: TestUser[] } {
  const names = new Map<number, string>();
  const taken = new Set<string>();
  for (const [n, name] of s.protoEvents)
    if (!taken.has(name) && !names.has(n + 1)) names.set(n + 1, name), taken.add(name);
  const users = s.users.map((id) => USERS.get(id)!);
  const b = new RoomBuilder({ eventId: (n) => names.get(n) ?? `$${n}` }).create(users[0]!);
  users.slice(1).forEach((u, i) => {
    const by = users[s.sponsors[i]! % (i + 1)]!;
    const m = s.methods[i]!;
    if (m === "invite") b.inviteAndJoin(by, u);
    else if (m === "public") b.joinVia(b.joinRules(by, "public"), u);
    else b.thirdPartyInviteAndJoin(by, u, { isKey: IS_KEY });
  });
  return { b, users };
}

describe("prototype keys as user IDs and event IDs", () => {
  it("every member gets an own verdict and verifies; the session and the room file reader agree", () => {
    fc.assert(
      fc.property(spec, (s) => {
        const { b, users } = build(s);
        const room = b.room();
        const result = verifyMembership(room);
        expect(Object.keys(result.members).sort()).toEqual(users.map((u) => u.userId).sort());
        for (const u of users) {
          expect(Object.hasOwn(result.members, u.userId), u.userId).toBe(true);
          expect(result.members[u.userId], u.userId).toMatchObject({
            status: "verified",
            msk: encodeBase64(u.msk.publicKey),
          });
        }
        expect(new MembershipSession(b.rrk.publicKey).verify(room)).toEqual(result);
        const file = parseRoomFile(
          "room",
          JSON.stringify({ room_root_key: room.roomRootKey, state: room.state, events: room.events }),
        );
        expect(file.ok && verifyMembership(file.value)).toEqual(result);
      }),
      fcParams(40),
    );
  });

  it("a pin for any of them holds, given as a Map, a plain object or in a room file: a wrong pinned MSK is refused", () => {
    fc.assert(
      fc.property(spec, (s) => {
        const { b, users } = build(s);
        const room = b.room();
        const target = users[s.pinned % users.length]!;
        const wrong = USERS.get(target.userId === "@alice:example.org" ? "@bob:example.org" : "@alice:example.org")!.msk
          .publicKey;
        const pinned =
          s.pinAs === "map" ? new Map([[target.userId, wrong]]) : Object.fromEntries([[target.userId, wrong]]);
        const v = verifyMembership(room, { pinned }).members;
        expect(v[target.userId]?.status, target.userId).toBe("rejected");
        const text = `{"room_root_key":"${room.roomRootKey}","state":${JSON.stringify(room.state)},"events":${JSON.stringify(room.events)},"master_keys":{${JSON.stringify(target.userId)}:"${encodeBase64(wrong)}"}}`;
        const file = parseRoomFile("room", text);
        expect(file.ok && file.value.pinned.get(target.userId)).toEqual(wrong);
        expect(
          file.ok && verifyMembership(file.value, { pinned: file.value.pinned }).members[target.userId]?.status,
        ).toBe("rejected");
      }),
      fcParams(40),
    );
  });

  it("an object literal with a __proto__ key, which sets a prototype instead of pinning, is refused", () => {
    const key = USERS.get("@alice:example.org")!.msk.publicKey;
    expect(() => normalizePins({ __proto__: { x: key } } as unknown as Record<string, Uint8Array>)).toThrow(TypeError);
    expect(normalizePins(Object.fromEntries([["__proto__", key]])).get("__proto__")).toEqual(key);
  });
});
