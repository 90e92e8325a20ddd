/**
 * `npm run bench` (membership): what verifying a room's whole membership costs, as ratios
 * measured in this run (DESIGN.md §11).
 *
 * 1. Against the floor: the raw `crypto.verify` calls on ready key objects. A recording backend
 *    captures every (signature, message, key) the verifier asks about; the floor replays exactly
 *    those. Budget: at most 1.10×. Both sides are single-threaded and measured in CPU time, taking
 *    turns, so that other work on a shared machine falls on neither.
 * 2. `verifyMembershipParallel` with 2 worker threads against `verifyMembership`, on a
 *    20,000-member room, in wall time (that is the point of threads), with identical verdicts.
 *    Budget: at least 1.8× on 2 cores. A machine whose cores are busy with other work cannot show
 *    this, so the load average is printed with it.
 * 3. A session: one more join costs O(1) signature checks.
 */
import { createPublicKey, type KeyObject, verify as nodeVerify } from "node:crypto";
import { readFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { type Ed25519Backend, nodeBackend } from "../sim/core/ed25519.ts";
import { verifyMembershipParallel } from "../sim/core/parallel-verify.ts";
import { parseRoomFile } from "../sim/core/room-file.ts";
import { MembershipSession, type RoomView, verifyMembership } from "../sim/core/verify-membership.ts";
import { RoomBuilder, makeUser } from "../test-support/room-builder.ts";
import { buildRoomFile } from "./rooms.ts";

const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 2000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const PARALLEL_MEMBERS = Number(process.env.BENCH_PARALLEL_MEMBERS ?? 20_000);
const cpuMs = (since: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
};
let failed = false;

// 1. The floor.
const users = Array.from({ length: MEMBERS }, (_, i) => makeUser(`@m${i}:example.org`));
const b = new RoomBuilder().create(users[0]!);
for (let i = 1; i < MEMBERS; i++) b.inviteAndJoin(users[Math.floor((i - 1) / 2)]!, users[i]!);
const room = b.room();
const text = JSON.stringify({ room_root_key: room.roomRootKey, state: room.state, events: room.events });
const fresh = (): RoomView => {
  const r = parseRoomFile("bench", text);
  if (!r.ok) throw new Error(r.error);
  return r.value;
};

const calls: { sig: Uint8Array; msg: Uint8Array; key: KeyObject }[] = [];
const recording: Ed25519Backend = {
  ...nodeBackend,
  name: "recording",
  verifyEquation(sig, msg, pub) {
    calls.push({
      sig,
      msg,
      key: createPublicKey({
        key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(pub).toString("base64url") },
        format: "jwk",
      }),
    });
    return nodeBackend.verifyEquation(sig, msg, pub);
  },
};
const check = verifyMembership(fresh(), { backend: recording });
if (!Object.values(check.members).every((v) => v.status === "verified"))
  throw new Error("benchmark room did not verify");

let verifyMs = 0;
let rawMs = 0;
verifyMembership(fresh()); // warm up
for (let round = 0; round < ROUNDS; round++) {
  const input = fresh(); // each round verifies objects it has never seen (no per-object cache helps)
  let t = process.cpuUsage();
  verifyMembership(input);
  verifyMs += cpuMs(t);
  t = process.cpuUsage();
  for (const c of calls) if (!nodeVerify(null, c.msg, c.key, c.sig)) throw new Error("replayed check failed");
  rawMs += cpuMs(t);
}
const ratio = verifyMs / rawMs;
failed ||= ratio > 1.1;
console.log(
  `Membership verification, ${MEMBERS} members (binary invite tree, ${room.state.length + (room.events?.length ?? 0)} events), node backend, ${ROUNDS} rounds, CPU time`,
);
console.log(
  `  signature checks the verifier made: ${calls.length} (${(calls.length / MEMBERS).toFixed(2)} per member: join, invite, and the RSK->MSK once per user)`,
);
console.log(`  verifyMembership:                       ${(verifyMs / ROUNDS).toFixed(1)} ms per room`);
console.log(`  floor: the same crypto.verify calls, raw: ${(rawMs / ROUNDS).toFixed(1)} ms`);
console.log(`  ratio verify/floor: ${ratio.toFixed(3)}x (budget 1.10x)${ratio > 1.1 ? "  OVER BUDGET" : ""}`);

// 2. Worker threads.
const big = readFileSync(buildRoomFile("binary", PARALLEL_MEMBERS), "utf8");
const load = (): RoomView => {
  const r = parseRoomFile("bench", big);
  if (!r.ok) throw new Error(r.error);
  return r.value;
};
let syncMs = 0;
let parMs = 0;
let same = true;
const PAR_ROUNDS = Number(process.env.BENCH_PARALLEL_ROUNDS ?? 2);
const loadBefore = loadavg()[0]!;
for (let round = 0; round < PAR_ROUNDS; round++) {
  const a = load();
  let t = process.hrtime.bigint();
  const one = verifyMembership(a);
  syncMs += Number(process.hrtime.bigint() - t) / 1e6;
  const c = load();
  t = process.hrtime.bigint();
  const two = await verifyMembershipParallel(c, { workers: 2 });
  parMs += Number(process.hrtime.bigint() - t) / 1e6;
  same &&= JSON.stringify(one) === JSON.stringify(two);
}
const speedup = syncMs / parMs;
failed ||= speedup < 1.8 || !same;
console.log(
  `Worker threads, ${PARALLEL_MEMBERS} members, ${PAR_ROUNDS} rounds, wall time (${availableParallelism()} cores; load average ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after)`,
);
console.log(`  verifyMembership:                        ${(syncMs / PAR_ROUNDS / 1000).toFixed(2)} s`);
console.log(`  verifyMembershipParallel, workers: 2:    ${(parMs / PAR_ROUNDS / 1000).toFixed(2)} s`);
console.log(
  `  speedup: ${speedup.toFixed(2)}x (budget >= 1.8x on 2 idle cores); verdicts identical: ${same}${speedup < 1.8 ? "  UNDER BUDGET" : ""}`,
);

// 3. Adding one join to a room a session has verified (DESIGN.md §11: O(1) signature checks).
const counted = { calls: 0 };
const counting: Ed25519Backend = {
  ...nodeBackend,
  name: "counting",
  verifyEquation: (s, m, p) => (counted.calls++, nodeBackend.verifyEquation(s, m, p)),
};
const session = new MembershipSession(b.rrk.publicKey, { backend: counting });
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
console.log(
  `Incremental: a session verified the room with ${firstChecks} checks in ${(Number(firstNs) / 1e6).toFixed(1)} ms; one more join then took ${counted.calls} checks and ${(Number(addNs) / 1e6).toFixed(1)} ms (the ${MEMBERS + 1} verdicts are still rebuilt: linear, but without crypto)`,
);
if (failed) process.exitCode = 1;
