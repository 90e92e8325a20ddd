/**
 * Micro-benchmark of the `mls` engine (not a test): `npx tsx sim/models/mls/bench.ts`.
 * A scripted flow per group size N (BENCH_SIZES, default 3,10): create, one Commit adding N-1
 * devices, every device sends one message that all others decrypt, the creator removes one
 * device, every remaining device sends again. Prints the time of each phase and per operation,
 * so the flow can later be set against the membership-tree model's scripted scenarios.
 */
import { Rng } from "../../world/rng.ts";
import { DeliveryService } from "./delivery-service.ts";
import { DEFAULT_POLICY, MlsDevice } from "./engine.ts";

const SIZES = (process.env.BENCH_SIZES ?? "3,10").split(",").map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

async function flow(n: number, seed: number) {
  const t: Record<string, number> = {};
  let mark = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    t[name] = (t[name] ?? 0) + now - mark;
    mark = now;
  };
  const rng = new Rng(seed);
  const ds = new DeliveryService();
  const devices: MlsDevice[] = [];
  for (let i = 0; i < n; i++)
    devices.push(await MlsDevice.create(rng, { user: `@u${i}:example.org`, device: "D" }, DEFAULT_POLICY));
  ds.connect(...devices);
  const [creator, ...rest] = devices as [MlsDevice, ...MlsDevice[]];
  const users = Object.fromEntries(devices.map((d, i) => [d.id.user, i === 0 ? 100 : 0]));
  await creator.createGroup("!bench:example.org", {
    users,
    usersDefault: 0,
    invite: 50,
    kick: 50,
    powerLevels: 100,
    joinRule: "invite",
  });
  const kps: Uint8Array[] = [];
  for (const d of rest) kps.push(await d.newKeyPackage());
  lap("setup (keys, KeyPackages, group)");
  const add = await creator.commit({ add: kps });
  lap("add Commit (create)");
  await ds.submit(creator, add.commit, { bytes: add.welcome!, to: rest });
  lap("add Commit (deliver) + Welcomes");
  let reads = 0;
  for (const d of devices)
    reads += (await ds.submit(d, await d.send("m1"))).deliveries.filter((x) => x.result.kind === "application").length;
  lap(`messages 1 (${n} sent)`);
  const rm = await creator.commit({ remove: [rest[0]!.id] });
  await ds.submit(creator, rm.commit);
  lap("remove Commit (create + deliver)");
  for (const d of [creator, ...rest.slice(1)])
    reads += (await ds.submit(d, await d.send("m2"))).deliveries.filter((x) => x.result.kind === "application").length;
  lap(`messages 2 (${n - 1} sent)`);
  const expected = n * (n - 1) + (n - 1) * (n - 2);
  if (reads !== expected) throw new Error(`bench flow: ${reads} decryptions, expected ${expected}`);
  return { t, reads };
}

for (const n of SIZES) {
  await flow(n, 0); // warm-up
  const sums: Record<string, number> = {};
  let total = 0;
  let reads = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const { t, reads: k } = await flow(n, r + 1);
    reads = k;
    for (const [k2, v] of Object.entries(t)) {
      sums[k2] = (sums[k2] ?? 0) + v;
      total += v;
    }
  }
  console.log(
    `mls engine, N = ${n} devices, mean of ${ROUNDS} runs: ${(total / ROUNDS).toFixed(1)} ms per flow,`,
    `${reads} decryptions`,
  );
  for (const [k, v] of Object.entries(sums)) console.log(`  ${k.padEnd(36)} ${(v / ROUNDS).toFixed(1).padStart(8)} ms`);
}
console.log(`heap used: ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MB`);
