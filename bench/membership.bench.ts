/**
 * `npm run bench` (part 2): the cost of verifying a room's whole membership against the raw
 * signature checks it needs (DESIGN.md §11 budget: at most 1.15x), on the node backend.
 *
 * The raw checks are *the same ones*: a recording backend captures every (signature, message, key)
 * the verifier asks about, and the benchmark replays exactly those through `verifyEd25519`. The
 * two sides take turns, so drift in the machine's speed falls on both.
 */
import { type Ed25519Backend, nodeBackend, verifyEd25519 } from "../sim/core/ed25519.ts";
import { MembershipSession, verifyMembership } from "../sim/core/verify-membership.ts";
import { RoomBuilder, makeUser } from "../test-support/room-builder.ts";

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

// A binary invitation tree: member i was invited by member floor((i-1)/2).
const users = Array.from({ length: MEMBERS }, (_, i) => makeUser(`@m${i}:example.org`));
const b = new RoomBuilder().create(users[0]!);
for (let i = 1; i < MEMBERS; i++) b.inviteAndJoin(users[Math.floor((i - 1) / 2)]!, users[i]!);
const room = b.room();

const calls: [Uint8Array, Uint8Array, Uint8Array][] = [];
const recording: Ed25519Backend = {
  ...nodeBackend,
  name: "recording",
  verifyEquation(sig, msg, pub) {
    calls.push([sig, msg, pub]);
    return nodeBackend.verifyEquation(sig, msg, pub);
  },
};
const check = verifyMembership(room, { backend: recording, chains: "length" });
if (!Object.values(check.members).every((v) => v.status === "verified")) throw new Error("benchmark room did not verify");
const checks = calls.length;

let verifyNs = 0n;
let rawNs = 0n;
for (let round = 0; round < ROUNDS; round++) {
  let t = process.hrtime.bigint();
  verifyMembership(room, { backend: nodeBackend, chains: "length" });
  verifyNs += process.hrtime.bigint() - t;
  t = process.hrtime.bigint();
  for (const [sig, msg, pub] of calls) if (!verifyEd25519(sig, msg, pub, nodeBackend).ok) throw new Error("replayed check failed");
  rawNs += process.hrtime.bigint() - t;
}

const ms = (ns: bigint) => (Number(ns) / 1e6 / ROUNDS).toFixed(1);
console.log(`Membership verification, ${MEMBERS} members (binary invite tree, ${room.state.length + (room.events?.length ?? 0)} events), node backend, ${ROUNDS} rounds`);
console.log(`  signature checks the verifier made: ${checks} (${(checks / MEMBERS).toFixed(2)} per member: join, invite, and the RSK->MSK once per user)`);
console.log(`  verifyMembership:            ${ms(verifyNs)} ms per room`);
console.log(`  the same checks, raw:        ${ms(rawNs)} ms`);
console.log(`  ratio verify/raw: ${(Number(verifyNs) / Number(rawNs)).toFixed(3)}x (budget 1.15x)`);

// Adding one join to a room a session has verified (DESIGN.md §11: O(1) signature checks).
const counted = { calls: 0 };
const counting: Ed25519Backend = { ...nodeBackend, name: "counting", verifyEquation: (s, m, p) => (counted.calls++, nodeBackend.verifyEquation(s, m, p)) };
const session = new MembershipSession(b.rrk.publicKey, { backend: counting, chains: "length" });
let t = process.hrtime.bigint();
session.verify(room);
const firstNs = process.hrtime.bigint() - t;
const firstChecks = counted.calls;
const newcomer = makeUser(`@m${MEMBERS}:example.org`);
b.inviteAndJoin(users[0]!, newcomer);
const grown = b.room();
counted.calls = 0;
t = process.hrtime.bigint();
const again = session.verify(grown);
const addNs = process.hrtime.bigint() - t;
if (again.members[newcomer.userId]?.status !== "verified") throw new Error("the new member did not verify");
console.log(`Incremental: a session verified the room with ${firstChecks} checks in ${(Number(firstNs) / 1e6).toFixed(1)} ms; one more join then took ${counted.calls} checks and ${(Number(addNs) / 1e6).toFixed(1)} ms (the ${MEMBERS + 1} verdicts are still rebuilt: linear, but without crypto)`);
