import { describe, expect, it } from "vitest";
import {
  type RoomPolicy,
  checkCommit,
  decodeIdentity,
  decodeRoomPolicy,
  encodeIdentity,
  encodeRoomPolicy,
} from "./room-policy.ts";

const P: RoomPolicy = {
  users: { "@a:x": 100, "@d:x": 50 },
  usersDefault: 0,
  invite: 50,
  kick: 50,
  powerLevels: 100,
  joinRule: "invite",
};
const id = (user: string, device = "D") => ({ user, device });
const gce = (next: RoomPolicy | undefined | "absent") => () => next;
/** A remove of `user`, proposed by `by` (inline in a Commit: the committer). */
const rm = (user: string, by: string) => ({
  proposal: { proposalType: "remove" as const, remove: { removed: 1 } },
  proposer: id(by),
  subject: id(user),
});
const gc = {
  proposal: { proposalType: "group_context_extensions" as const, groupContextExtensions: { extensions: [] } },
  proposer: id("@a:x"),
};

describe("room policy", () => {
  it("round-trips, and refuses bytes that are not a policy without throwing", () => {
    expect(decodeRoomPolicy(encodeRoomPolicy(P))).toEqual(P);
    const bad = [
      "",
      "null",
      "[]",
      '{"users":[]}',
      '{"users":{"@a":"100"}}',
      JSON.stringify({ ...P, joinRule: "knock" }),
      JSON.stringify({ ...P, kick: 1.5 }),
    ];
    for (const b of bad) expect(decodeRoomPolicy(new TextEncoder().encode(b))).toBeUndefined();
    expect(decodeRoomPolicy(new Uint8Array([0xff, 0xfe]))).toBeUndefined();
    expect(decodeIdentity(encodeIdentity(id("@a:x", "A1")))).toEqual(id("@a:x", "A1"));
    expect(decodeIdentity(new TextEncoder().encode('["@a:x"]'))).toBeUndefined();
  });

  it("applies Matrix's kick and power-level rules to Commits", () => {
    expect(checkCommit(P, id("@d:x"), [rm("@b:x", "@d:x")], gce("absent"))).toEqual({ ok: true });
    expect(checkCommit(P, id("@d:x"), [rm("@a:x", "@d:x")], gce("absent"))).toMatchObject({ ok: false });
    expect(checkCommit(P, id("@b:x"), [rm("@b:x", "@b:x")], gce("absent"))).toEqual({ ok: true }); // own device
    // Bob's leave, committed by Carol:
    expect(checkCommit(P, id("@c:x"), [rm("@b:x", "@b:x")], gce("absent"))).toEqual({ ok: true });
    expect(checkCommit(P, id("@c:x"), [rm("@b:x", "@c:x")], gce("absent"))).toMatchObject({ ok: false });
    expect(checkCommit(P, id("@a:x"), [gc], gce({ ...P, users: { ...P.users, "@b:x": 50 } }))).toEqual({ ok: true });
    expect(checkCommit(P, id("@d:x"), [gc], gce({ ...P, users: { ...P.users, "@d:x": 100 } }))).toMatchObject({
      ok: false,
    });
    expect(
      checkCommit(
        { ...P, powerLevels: 50 },
        id("@d:x"),
        [gc],
        gce({ ...P, powerLevels: 50, users: { "@a:x": 0, "@d:x": 50 } }),
      ),
    ).toMatchObject({
      ok: false,
      reason: "@d:x may not change the level of @a:x",
    });
    expect(checkCommit(P, id("@a:x"), [gc], gce(undefined))).toMatchObject({ ok: false });
    expect(checkCommit(P, id("@a:x"), [gc], gce("absent"))).toMatchObject({ ok: false });
    const ext = {
      proposal: { proposalType: "external_init" as const, externalInit: { kemOutput: new Uint8Array() } },
      proposer: undefined,
    };
    expect(checkCommit(P, id("@m:x"), [ext], gce("absent"))).toMatchObject({
      ok: false,
      reason: "external join into a room that is not public",
    });
    expect(checkCommit({ ...P, joinRule: "public" }, id("@m:x"), [ext], gce("absent"))).toEqual({ ok: true });
    expect(
      checkCommit({ ...P, joinRule: "public" }, id("@m:x"), [ext, rm("@b:x", "@m:x")], gce("absent")),
    ).toMatchObject({ ok: false });
  });
});
