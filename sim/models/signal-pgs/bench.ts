/**
 * Micro-benchmark of the `signal-pgs` engine (not a test): `npx tsx sim/models/signal-pgs/bench.ts`.
 * A scripted flow per group size N (BENCH_SIZES, default 3,10,30): a master key, the creator
 * adds N-1 members through the enforcing server, every member decrypts the whole list and picks
 * the recipients of one message, the creator removes one member, every remaining member decrypts
 * the list again. Prints the time of each phase, so the flow can later be set against the
 * membership-tree model's scripted scenarios.
 */
import { Rng } from "../../world/rng.ts";
import {
  PgsServer,
  deriveGroupSecrets,
  encryptMemberEntry,
  messageRecipients,
  newMasterKey,
  viewMembers,
} from "./engine.ts";

const SIZES = (process.env.BENCH_SIZES ?? "3,10,30").split(",").map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);

function flow(n: number, seed: number): Record<string, number> {
  const t: Record<string, number> = {};
  let mark = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    t[name] = (t[name] ?? 0) + now - mark;
    mark = now;
  };
  const users = Array.from({ length: n }, (_, i) => `@u${i}:example.org`);
  const secrets = deriveGroupSecrets(newMasterKey(new Rng(seed), "signal-pgs master key bench"));
  const server = new PgsServer(true);
  const entries = users.map((u) => encryptMemberEntry(secrets, u));
  server.createGroup(secrets.groupId, entries[0]!, 100, { add: 50, remove: 50, changeLevels: 100, joinByLink: false });
  lap("setup (master key, N entries)");
  for (const e of entries.slice(1)) if (!server.add(secrets.groupId, entries[0]!, e).ok) throw new Error("add refused");
  lap("adds (N-1, access-checked)");
  let recipients = 0;
  for (let i = 0; i < n; i++) {
    const view = viewMembers(secrets, server.list(secrets.groupId));
    recipients += messageRecipients(view, (u) => [{ user: u, device: "D" }]).length;
  }
  lap(`views 1 (${n} clients decrypt the list)`);
  if (!server.remove(secrets.groupId, entries[0]!, entries[1]!).ok) throw new Error("remove refused");
  for (let i = 0; i < n - 1; i++) recipients += viewMembers(secrets, server.list(secrets.groupId)).members.length;
  lap(`views 2 (${n - 1} clients, after a removal)`);
  if (recipients !== n * n + (n - 1) * (n - 1)) throw new Error(`bench flow: ${recipients} recipients`);
  return t;
}

for (const n of SIZES) {
  flow(n, 0); // warm-up
  const sums: Record<string, number> = {};
  let total = 0;
  for (let r = 0; r < ROUNDS; r++) {
    for (const [k, v] of Object.entries(flow(n, r + 1))) {
      sums[k] = (sums[k] ?? 0) + v;
      total += v;
    }
  }
  console.log(
    `signal-pgs engine, N = ${n} members, mean of ${ROUNDS} runs: ${(total / ROUNDS).toFixed(2)} ms per flow`,
  );
  for (const [k, v] of Object.entries(sums)) console.log(`  ${k.padEnd(44)} ${(v / ROUNDS).toFixed(2).padStart(9)} ms`);
}
console.log(`heap used: ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MB`);
