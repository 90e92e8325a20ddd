/**
 * `npm run bench` (search): the search's speed (issue 14 §5), in one run. The same cells (every
 * threat of the catalogue under the simulated models, a small budget each) are searched with one
 * worker (this thread) and then with two (this thread and one worker_thread); it prints scenario runs per second for
 * each, their ratio (goal: at least 1.8× on 2 cores), the CPU time each took (every thread of the
 * process), and checks that both gave identical results.
 * Goal for one worker: at least 100 scenario runs per second per core. BENCH_SEARCH_RUNS sets the
 * budget per cell (default 6).
 */
import { cpus, loadavg } from "node:os";
import { CATALOGUE } from "../attacks/catalogue.ts";
import { searchCells } from "../attacks/search/pool.ts";
import { cellsOf } from "../attacks/sweep.ts";
import { SIMULATED_MODEL_IDS } from "../sim/models/index.ts";

const RUNS = Number(process.env.BENCH_SEARCH_RUNS ?? 6);
const cells = cellsOf({
  threats: CATALOGUE,
  models: SIMULATED_MODEL_IDS,
  runs: RUNS,
  libraryRuns: 1,
  seed: 3917,
  shrink: 10,
});

async function timed(workers: number) {
  const t = performance.now();
  const cpu = process.cpuUsage();
  const results = await searchCells(cells, workers);
  const s = (performance.now() - t) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuS = (used.user + used.system) / 1e6; // every thread of the process: V8's own helpers too
  const runs = results.reduce((n, c) => n + c.tally.trials + c.tally.shrink_runs, 0);
  return { results, s, runs, rate: runs / s, cpuS };
}

await searchCells(cells.slice(0, 1), 1); // warm-up
const one = await timed(1);
const two = await timed(2);
const same = JSON.stringify(one.results) === JSON.stringify(two.results);
console.log(
  `Search speed: ${cells.length} cells (${CATALOGUE.length} threats x ${SIMULATED_MODEL_IDS.length} simulated models), ${RUNS} runs each plus shrinking; ${cpus().length} CPUs, load average ${loadavg()[0]!.toFixed(1)} before`,
);
const cores = (r: { s: number; cpuS: number }) => `${r.cpuS.toFixed(1)} CPU s, ${(r.cpuS / r.s).toFixed(2)} cores busy`;
console.log(
  `  1 worker:  ${one.runs} scenario runs in ${one.s.toFixed(1)} s: ${one.rate.toFixed(0)} runs/s (goal: at least 100 per core); ${cores(one)}`,
);
console.log(
  `  2 workers: ${two.runs} scenario runs in ${two.s.toFixed(1)} s: ${two.rate.toFixed(0)} runs/s; ${cores(two)}`,
);
console.log(
  `  per CPU second: ${(one.runs / one.cpuS).toFixed(0)} runs with 1 worker, ${(two.runs / two.cpuS).toFixed(0)} with 2 (one worker's thread is not one core: V8 compiles and collects garbage on helper threads)`,
);
console.log(`  ratio 2 workers / 1: ${(two.rate / one.rate).toFixed(2)}x (goal: at least 1.8x on 2 cores)`);
console.log(`  identical results with 1 and 2 workers: ${same ? "yes" : "NO"}`);
if (!same) process.exitCode = 1;
