/**
 * A control for the benchmarks' 2-worker ratios: what this machine gives, in the same run, for
 * work that has nothing of ours in it. The same fixed loop runs in one worker_thread, then in two
 * at once, and the ratio is (2 × one's time) / both's time, taking turns over a few rounds (the
 * median). Two loops:
 * - `compute`: integer arithmetic in registers. No memory, no garbage: the most a second core can
 *   add (2.0× on two idle cores).
 * - `alloc`: short-lived objects, strings and arrays, as a simulation makes them. V8 collects the
 *   young generation on helper threads that both isolates share with each other, so this is what
 *   two allocating isolates can reach on this machine.
 * Measured on the 2-core machines of this project (2026-12-03): compute 1.96–2.00×, alloc
 * 1.23–1.34×, and alloc 1.74–1.97× when the process runs with --single-threaded-gc (each isolate
 * then collects on its own thread, and one worker alone is ~20% slower). A ratio of ours far below
 * `compute` but near `alloc` is the machine's, not a pool that waits.
 */
import { Worker } from "node:worker_threads";

const LOOP = `
const { parentPort, workerData } = require("node:worker_threads");
let x = 1;
if (workerData.kind === "compute") {
  for (let i = 0; i < workerData.n; i++) x = (x * 1103515245 + 12345) % 2147483647;
} else {
  let keep = [];
  for (let i = 0; i < workerData.n; i++) {
    const o = { a: i, b: [i, i + 1], c: "k" + (i & 1023) };
    if ((i & 7) === 0) keep.push(o);
    if (keep.length > 200000) keep = [];
  }
  x = keep.length;
}
parentPort.postMessage(x);
`;

/**
 * Iterations of each loop: about a second of one core each, on the machines of this project
 * (BENCH_CONTROL_SCALE scales them: the README's quick bench runs a sliver).
 */
const SCALE = Number(process.env.BENCH_CONTROL_SCALE ?? 1);
if (!(SCALE > 0))
  throw new Error(`BENCH_CONTROL_SCALE must be a positive number, got ${process.env.BENCH_CONTROL_SCALE}`);
const ITERATIONS = { compute: Math.ceil(4e7 * SCALE), alloc: Math.ceil(2.5e7 * SCALE) };
export type ControlKind = keyof typeof ITERATIONS;

/** Run `workers` copies of a loop at once; milliseconds until the last finished. */
async function timeLoops(kind: ControlKind, workers: number): Promise<number> {
  const started = performance.now();
  await Promise.all(
    Array.from(
      { length: workers },
      () =>
        new Promise<void>((resolve, reject) => {
          const w = new Worker(LOOP, { eval: true, workerData: { kind, n: ITERATIONS[kind] } });
          let done = false;
          w.once("message", () => {
            done = true;
            resolve();
            void w.terminate();
          });
          w.once("error", reject);
          // A worker that stops without its answer (killed, out of memory) must not leave the bench waiting.
          w.once("exit", (code) => {
            if (!done)
              reject(new Error(`machine control: a ${kind} loop's worker exited (code ${code}) without finishing`));
          });
        }),
    ),
  );
  return performance.now() - started;
}

/** The middle value (the upper one of an even count), as the benchmarks report rounds. */
export const median = (xs: readonly number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;

/** The median over `rounds` of (2 × one loop's time) / (two loops' time), for each kind. */
export async function parallelControl(rounds = 3): Promise<Record<ControlKind, number>> {
  const out = {} as Record<ControlKind, number>;
  for (const kind of Object.keys(ITERATIONS) as ControlKind[]) {
    const ratios: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const one = await timeLoops(kind, 1);
      const two = await timeLoops(kind, 2);
      ratios.push((2 * one) / two);
    }
    out[kind] = median(ratios);
  }
  return out;
}

/** One line for a benchmark's output. */
export const controlLine = (c: Record<ControlKind, number>): string =>
  `machine control, same run (bench/parallel-control.ts): 2 worker_threads / 1 on a fixed loop: ${c.compute.toFixed(2)}x computing in registers, ${c.alloc.toFixed(2)}x allocating short-lived objects`;
