/**
 * `npm run bench` (part 3): the cost of one scenario run per defence model, as ratios to
 * `baseline` (issue 16) and to `membership-tree` (issue 15: goal at most 5x) measured in the same run, on the same scripted scenarios (the threat catalogue's
 * basic forms, plus the honest ones). The models take turns scenario by scenario, so drift in the
 * machine's speed falls on all of them. CPU time is reported besides wall time: on a shared
 * machine it is the steadier of the two. BENCH_MODEL_ROUNDS sets the rounds (default 1), after
 * a warm-up run of the first scenario under each model (which also loads matrix-sdk-crypto's
 * WebAssembly, once per process).
 */
import { join } from "node:path";
import { forgetKeyChecks } from "../sim/core/ed25519.ts";
import { MODEL_IDS, type ModelId } from "../sim/models/index.ts";
import { loadScenario, scenarioFiles } from "../scenarios/cli.ts";
import { runScenario } from "../scenarios/runner.ts";
import { REPO } from "../test-support/vectors.ts";

const ROUNDS = Number(process.env.BENCH_MODEL_ROUNDS ?? 1);
const scenarios = [
  ...scenarioFiles(join(REPO, "scenarios", "attacks")),
  ...scenarioFiles(join(REPO, "scenarios")).filter((f) => /honest-/.test(f)),
]
  .slice(0, Number(process.env.BENCH_MODEL_SCENARIOS ?? Infinity)) // a quick run's subset (scripts/readme.test.ts)
  .map(loadScenario);

const wall = new Map<ModelId, number>();
const cpu = new Map<ModelId, number>();
for (const model of MODEL_IDS) await runScenario(scenarios[0]!, model); // warm-up
for (let round = 0; round < ROUNDS; round++) {
  for (const s of scenarios) {
    for (const model of MODEL_IDS) {
      // Each run meets its keys and messages for the first time, as it would on its own: the models
      // share a scenario's seed, so the core's key objects and signatures would carry over from one
      // model's run to the next (flattering every model after the first).
      forgetKeyChecks();
      const t = performance.now();
      const c = process.cpuUsage();
      await runScenario(s, model);
      const used = process.cpuUsage(c);
      wall.set(model, (wall.get(model) ?? 0) + performance.now() - t);
      cpu.set(model, (cpu.get(model) ?? 0) + (used.user + used.system) / 1000);
    }
  }
}
const runs = ROUNDS * scenarios.length;
console.log(
  `Scenario runs per model: ${scenarios.length} scripted scenarios x ${ROUNDS} round(s), after a warm-up run`,
);
for (const model of MODEL_IDS) {
  const w = wall.get(model)! / runs;
  const c = cpu.get(model)! / runs;
  const toBaseline = c / (cpu.get("baseline")! / runs);
  const toTree = c / (cpu.get("membership-tree")! / runs);
  console.log(
    `  ${model.padEnd(24)} ${w.toFixed(1).padStart(7)} ms/run wall, ${c.toFixed(1).padStart(7)} ms/run cpu, ` +
      `cpu ratio to baseline ${toBaseline.toFixed(1)}x, to membership-tree ${toTree.toFixed(2)}x`,
  );
}
console.log(`  memory at the end: rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
