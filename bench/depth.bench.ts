/**
 * `npm run bench` (depth): a linear invitation chain 100,000 deep verifies, iteratively. Moved
 * here from the tests (it took a third of the suite); the tests keep a 10,000-deep chain. Fake
 * signatures (test-support/fake-backend.ts), real structure.
 */
import { verifyMembership } from "../sim/core/verify-membership.ts";
import { fakeBackend } from "../test-support/fake-backend.ts";
import { RoomBuilder, makeUser } from "../test-support/room-builder.ts";

const depth = Number(process.env.BENCH_DEPTH ?? 100_000);
const backend = fakeBackend();
const started = process.hrtime.bigint();
const users = Array.from({ length: depth + 1 }, (_, i) =>
  makeUser(`@d${i}:example.org`, { backend, sharedKeys: true }),
);
const b = new RoomBuilder({ backend }).create(users[0]!);
for (let i = 1; i <= depth; i++) b.inviteAndJoin(users[i - 1]!, users[i]!);
const built = process.hrtime.bigint();
const result = verifyMembership(b.room(), { backend });
const verified = process.hrtime.bigint();
const last = result.members[users[depth]!.userId];
const ok =
  last?.status === "verified" &&
  last.chain_length === 2 * depth + 1 &&
  Object.values(result.members).every((v) => v.status === "verified");
console.log(
  `A ${depth}-deep invitation chain: built in ${(Number(built - started) / 1e9).toFixed(1)} s, ${depth + 1} members verified in ${(Number(verified - built) / 1e9).toFixed(1)} s: ${ok ? "all verified, the last with chain_length " + (2 * depth + 1) : "FAILED"}`,
);
if (!ok) process.exitCode = 1;
