/**
 * The cost of the Element engine on the real matrix-sdk-crypto (run: `npx tsx
 * sim/models/element/element.bench.ts`): loading the WebAssembly, making machines, and one small
 * scripted flow (`smallFlow`: 3 users, 5 devices, 3 servers, 3 messages, one inserted device),
 * per run, under each sharing strategy; and the memory a run leaves behind.
 *
 * A script, not a timed test: it prints figures. The adapters' benchmark will put a run of a
 * scripted scenario next to `baseline` on the same scenario, in the same process, as a ratio.
 * Then a bigger room: ELEMENT_BENCH_USERS users (default 10) on two servers, one device each;
 * each sends one message to all, and every device reads every message.
 * ELEMENT_BENCH_RUNS sets the runs per strategy (default 10).
 */
import { DeviceId, OlmMachine, UserId } from "@matrix-org/matrix-sdk-crypto-wasm";
import { Scene, smallFlow } from "./scene.ts";
import { loadCrypto } from "./wasm.ts";

const RUNS = Number(process.env.ELEMENT_BENCH_RUNS ?? 10);
const ms = (t: number) => `${t.toFixed(1)} ms`;
const mb = (b: number) => `${(b / 1e6).toFixed(0)} MB`;

let t = performance.now();
await loadCrypto();
console.log(`initAsync (once per process)      ${ms(performance.now() - t)}`);

t = performance.now();
const first = await OlmMachine.initialize(new UserId("@bench:bench.example"), new DeviceId("FIRST"));
console.log(`first OlmMachine.initialize       ${ms(performance.now() - t)}`);
first.close();
const MACHINES = 20;
t = performance.now();
for (let i = 0; i < MACHINES; i++) {
  (await OlmMachine.initialize(new UserId(`@b${i}:bench.example`), new DeviceId("D"))).close();
}
console.log(`later OlmMachine.initialize       ${ms((performance.now() - t) / MACHINES)} each (${MACHINES})`);

// One warm-up run, then the measured runs.
await smallFlow("bench warm-up", "all-devices");
const rssBefore = process.memoryUsage().rss;
for (const strategy of ["all-devices", "identity-based"] as const) {
  const times: number[] = [];
  const cpu = process.cpuUsage();
  for (let i = 0; i < RUNS; i++) {
    t = performance.now();
    await smallFlow(`bench ${i}`, strategy);
    times.push(performance.now() - t);
  }
  // CPU time is less disturbed than wall time by other processes on a shared machine.
  const used = process.cpuUsage(cpu);
  const cpuPerRun = (used.user + used.system) / 1000 / RUNS;
  times.sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  const median = times[Math.floor(times.length / 2)]!;
  const line = `mean ${ms(mean)}, median ${ms(median)}, min ${ms(times[0]!)}, cpu ${ms(cpuPerRun)} (${RUNS} runs)`;
  console.log(`smallFlow ${strategy.padEnd(15)}        ${line}`);
}
const mem = process.memoryUsage();
const grown = mb(mem.rss - rssBefore);
console.log(`memory after the runs             rss ${mb(mem.rss)} (+${grown} over the runs), heap ${mb(mem.heapUsed)}`);

const USERS = Number(process.env.ELEMENT_BENCH_USERS ?? 10);
t = performance.now();
const scene = new Scene("bench room");
scene.server("one.example");
scene.server("two.example");
const members = Array.from({ length: USERS }, (_, i) => `@u${i}:${i % 2 ? "two" : "one"}.example`);
for (const u of members) await scene.device(u, "DEVICE");
await scene.track(members);
const setUp = performance.now() - t;
for (const u of members) await scene.send(`${u}|DEVICE`, members, "identity-based", `from ${u}`);
const sent = performance.now() - t - setUp;
const readings = await scene.readings();
const total = performance.now() - t;
const read = Object.values(readings)
  .flatMap((r) => Object.values(r))
  .filter((x) => x === "read").length;
scene.close();
const detail = `set-up ${ms(setUp)}, ${USERS} sends ${ms(sent)}, reading ${ms(total - setUp - sent)}`;
console.log(`room of ${USERS} users                total ${ms(total)} (${detail}); ${read}/${USERS * USERS} read`);
console.log(`memory at the end                 rss ${mb(process.memoryUsage().rss)}`);
