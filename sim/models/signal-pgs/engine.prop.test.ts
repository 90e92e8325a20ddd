import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fcParams } from "../../../test-support/fast-check.ts";
import { Rng } from "../../world/rng.ts";
import {
  PgsServer,
  decryptMemberEntry,
  deriveGroupSecrets,
  encryptMemberEntry,
  newMasterKey,
  viewMembers,
} from "./engine.ts";

const USERS = ["@a:x", "@b:x", "@c:x", "@d:x", "@e:x"];
const user = fc.constantFrom(...USERS);
const op = fc.oneof(
  fc.record({ kind: fc.constant("add" as const), by: user, who: user, level: fc.constantFrom(0, 50) }),
  fc.record({ kind: fc.constant("remove" as const), by: user, who: user, ban: fc.boolean() }),
  fc.record({ kind: fc.constant("level" as const), by: user, who: user, level: fc.constantFrom(0, 50, 100) }),
  // The adversary's writes (ignored by an honest server's run): a forged entry, an entry a master-key
  // holder made, and a replay of anything the group ever stored.
  fc.record({ kind: fc.constant("forge" as const), who: user }),
  fc.record({ kind: fc.constant("holder" as const), who: user }),
  fc.record({ kind: fc.constant("replay" as const), pick: fc.nat() }),
);

type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

function run(ops: readonly Op[], enforce: boolean) {
  const rng = new Rng(1);
  const secrets = deriveGroupSecrets(newMasterKey(rng, "signal-pgs master key prop"));
  const evil = deriveGroupSecrets(newMasterKey(rng, "signal-pgs evil key prop"));
  const server = new PgsServer(enforce);
  const e = (u: string) => encryptMemberEntry(secrets, u);
  server.createGroup(secrets.groupId, e(USERS[0]!), 100, { add: 50, remove: 50, changeLevels: 100, joinByLink: false });
  /** The members as the server's own answers say (an independent, simpler account than its rules). */
  const answered = new Set([USERS[0]!]);
  const madeByHolders = new Set([USERS[0]!]);
  for (const o of ops) {
    const before = server.list(secrets.groupId);
    let r: { ok: boolean } | undefined;
    switch (o.kind) {
      case "add":
        r = server.add(secrets.groupId, e(o.by), e(o.who), o.level);
        madeByHolders.add(o.who);
        break;
      case "remove":
        r = server.remove(secrets.groupId, e(o.by), e(o.who), o.ban);
        break;
      case "level":
        r = server.setLevel(secrets.groupId, e(o.by), e(o.who), o.level);
        break;
      case "forge":
        if (!enforce) server.insert(secrets.groupId, encryptMemberEntry(evil, o.who));
        break;
      case "holder":
        if (!enforce) server.insert(secrets.groupId, e(o.who));
        madeByHolders.add(o.who);
        break;
      case "replay": {
        const seen = server.replayable(secrets.groupId);
        if (!enforce) server.insert(secrets.groupId, seen[o.pick % seen.length]!);
        break;
      }
    }
    if (r && !r.ok) expect(server.list(secrets.groupId)).toEqual(before); // a refusal changes nothing
    if (r?.ok && o.kind === "add") answered.add(o.who);
    if (r?.ok && o.kind === "remove") answered.delete(o.who);
  }
  return { view: viewMembers(secrets, server.list(secrets.groupId)), answered, madeByHolders, server, secrets };
}

describe("signal-pgs engine properties", () => {
  it("an honest server's list is exactly what its answers say, with no duplicates or undecryptable entries", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 25 }), (ops) => {
        const { view, answered } = run(ops, true);
        expect(new Set(view.members)).toEqual(answered);
        expect(view.undecryptable).toEqual([]);
        expect(view.duplicates).toEqual([]);
      }),
      fcParams(60),
    );
  });

  it("whatever a malicious server does, clients accept only users some master-key holder made an entry for", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 25 }), (ops) => {
        const { view, madeByHolders, server, secrets } = run(ops, false);
        for (const u of view.members) expect(madeByHolders.has(u)).toBe(true);
        const forged = server.list(secrets.groupId).filter((x) => decryptMemberEntry(secrets, x) === undefined);
        expect(view.undecryptable).toHaveLength(forged.length);
      }),
      fcParams(60),
    );
  });
});
