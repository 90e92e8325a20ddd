/**
 * `npm run bench` (search): the search's speed (issue 14 §5), in one run. The same cells (every
 * threat of the catalogue under the simulated models, a small budget each) are searched with one
 * worker (this thread) and then with two (this thread and one worker_thread); it prints scenario
 * runs per second for each, their ratio (goal: at least 1.8× on 2 cores), the CPU time each took
 * (every thread of the process), and checks that both gave identical results.
 *
 * Each pool first searches the same cells under two other seeds, untimed but for the first (V8
 * was still re-optimizing the simulation through the second), then the timed rounds alternate
 * between the pools. A search of the full budget runs for minutes on one pool, so its speed is the
 * warm one; the first search of a fresh pool also pays for starting the worker (loading the
 * modules) and for V8 compiling the simulation, while a single worker's compiler threads use part
 * of the second core, so cold figures understate what a second core adds. The cold pass is
 * printed too.
 * Goal for one worker: at least 100 scenario runs per second per core. BENCH_SEARCH_RUNS sets the
 * budget per cell (default 6), BENCH_SEARCH_ROUNDS the timed rounds (default 3).
 * Last, a control (parallel-control.ts): the ratio this machine gives, in the same run, for a loop
 * that only computes and for one that allocates short-lived objects; the search allocates about
 * 2.1 GB per search here, and its young-generation collections run on helper threads that the two
 * workers share.
 */
import { cpus, loadavg } from "node:os";
import { CATALOGUE } from "../attacks/catalogue.ts";
import { SearchPool } from "../attacks/search/pool.ts";
import { cellsOf } from "../attacks/sweep.ts";
import { SIMULATED_MODEL_IDS } from "../sim/models/index.ts";
import { controlLine, median, parallelControl } from "./parallel-control.ts";

const RUNS = Number(process.env.BENCH_SEARCH_RUNS ?? 6);
const ROUNDS = Number(process.env.BENCH_SEARCH_ROUNDS ?? 3);
const cellsFor = (seed: number) =>
  cellsOf({ threats: CATALOGUE, models: SIMULATED_MODEL_IDS, runs: RUNS, libraryRuns: 1, seed, shrink: 10 });
const cells = cellsFor(3917);
const warmUps = [cellsFor(1), cellsFor(2)];

async function timedSearch(pool: SearchPool, of: typeof cells) {
  const t = performance.now();
  const cpu = process.cpuUsage();
  const results = await pool.search(of);
  const s = (performance.now() - t) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuS = (used.user + used.system) / 1e6; // every thread of the process: V8's own helpers too
  const runs = results.reduce((n, c) => n + c.tally.trials + c.tally.shrink_runs, 0);
  return { results, s, runs, rate: runs / s, cpuS };
}

const cores = (r: { s: number; cpuS: number }) => `${r.cpuS.toFixed(1)} CPU s, ${(r.cpuS / r.s).toFixed(2)} cores busy`;
const loadBefore = loadavg()[0]!;

// One worker is this thread alone; two are this thread and one worker_thread. The first search of
// each pool is printed as the cold figure (for the two-worker pool this thread is already warm,
// its worker is not); then both search a second seed, so that the worker has been warmed as far as
// this thread.
const one = new SearchPool(1);
const two = new SearchPool(2);
try {
  const cold1 = await timedSearch(one, warmUps[0]!);
  const cold2 = await timedSearch(two, warmUps[0]!);
  for (const more of warmUps.slice(1)) {
    await one.search(more);
    await two.search(more);
  }
  // The timed rounds alternate, so that a change in the machine's speed during the run weighs on
  // both; each round's ratio is of its own pair, and the figures are the medians.
  const rounds: { one: Awaited<ReturnType<typeof timedSearch>>; two: Awaited<ReturnType<typeof timedSearch>> }[] = [];
  for (let r = 0; r < ROUNDS; r++)
    rounds.push({ one: await timedSearch(one, cells), two: await timedSearch(two, cells) });
  const reference = JSON.stringify(rounds[0]!.one.results);
  const same = rounds.every(
    (r) => JSON.stringify(r.one.results) === reference && JSON.stringify(r.two.results) === reference,
  );
  const runs = rounds[0]!.one.runs;
  console.log(
    `Search speed: ${cells.length} cells (${CATALOGUE.length} threats x ${SIMULATED_MODEL_IDS.length} simulated models), ${RUNS} runs each plus shrinking (${runs} scenario runs a search); ${ROUNDS} timed rounds of 1 and 2 workers, alternating, after two warm-up searches; ${cpus().length} CPUs, load average ${loadBefore.toFixed(1)} before`,
  );
  rounds.forEach((r, i) =>
    console.log(
      `  round ${i + 1}: 1 worker ${r.one.s.toFixed(1)} s (${r.one.rate.toFixed(0)} runs/s; ${cores(r.one)}), 2 workers ${r.two.s.toFixed(1)} s (${r.two.rate.toFixed(0)} runs/s; ${cores(r.two)}): ${(r.two.rate / r.one.rate).toFixed(2)}x`,
    ),
  );
  const rate1 = median(rounds.map((r) => r.one.rate));
  const perCpu1 = median(rounds.map((r) => r.one.runs / r.one.cpuS));
  console.log(
    `  1 worker:  ${rate1.toFixed(0)} runs/s, ${perCpu1.toFixed(0)} per CPU second (goal: at least 100 per core; V8 compiles and collects garbage on helper threads, so one worker's thread is not all of its CPU time)`,
  );
  console.log(`  2 workers: ${median(rounds.map((r) => r.two.rate)).toFixed(0)} runs/s`);
  const ratio = median(rounds.map((r) => r.two.rate / r.one.rate));
  console.log(
    `  ratio 2 workers / 1: ${ratio.toFixed(2)}x, the median of the rounds' (goal: at least 1.8x on 2 cores)`,
  );
  console.log(
    `  cold (each pool's first search, another seed; this thread already warm for the 2-worker pool): ${cold1.rate.toFixed(0)} runs/s with 1 worker (${cores(cold1)}), ${cold2.rate.toFixed(0)} with 2 (${cores(cold2)})`,
  );
  console.log(`  identical results in every search of the timed cells, 1 and 2 workers: ${same ? "yes" : "NO"}`);
  // Not a goal: what the machine itself gives two threads, so that the ratio above can be read.
  console.log(`  ${controlLine(await parallelControl())}`);
  const missed = [
    ...(perCpu1 < 100 ? [`${perCpu1.toFixed(0)} runs per CPU second with 1 worker (goal 100)`] : []),
    ...(ratio < 1.8 ? [`ratio ${ratio.toFixed(2)}x (goal 1.8x)`] : []),
  ];
  console.log(`  goals: ${missed.length === 0 ? "met" : `MISSED: ${missed.join("; ")}`}`);
  if (!same || missed.length > 0) process.exitCode = 1;
} finally {
  await Promise.all([one.close(), two.close()]);
}
