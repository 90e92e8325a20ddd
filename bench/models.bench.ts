/**
 * `npm run bench` (part 3): each defence model's run time on the catalogue's scripted scenarios
 * (the basic form of T1-T18), as a ratio to the membership-tree model's in the same run (issue 15:
 * goal at most 5x). The models take turns scenario by scenario, round by round, so drift in the
 * machine's speed falls on all of them. The first round warms up and is not counted.
 */
import { CATALOGUE } from "../attacks/catalogue.ts";
import { loadScenario } from "../scenarios/cli.ts";
import { runScenario } from "../scenarios/runner.ts";
import { MODEL_IDS } from "../sim/models/index.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const GOAL = 5;
const scenarios = CATALOGUE.map((t) => loadScenario(t.scenario));
const ns = new Map(MODEL_IDS.map((m) => [m, 0n]));

for (let round = 0; round <= ROUNDS; round++) {
  for (const s of scenarios) {
    for (const m of MODEL_IDS) {
      const t = process.hrtime.bigint();
      await runScenario(s, m);
      if (round > 0) ns.set(m, ns.get(m)! + (process.hrtime.bigint() - t));
    }
  }
}

const ms = (m: (typeof MODEL_IDS)[number]) => Number(ns.get(m)!) / 1e6 / ROUNDS;
const reference = ms("membership-tree");
console.log(
  `Defence models on the catalogue's ${scenarios.length} scripted scenarios, ${ROUNDS} rounds (after one warm-up)`,
);
for (const m of MODEL_IDS) {
  const ratio = ms(m) / reference;
  const goal = (["signal-pgs", "mls"] as string[]).includes(m)
    ? ` (goal ${GOAL}x: ${ratio <= GOAL ? "met" : "NOT met"})`
    : "";
  console.log(
    `  ${m.padEnd(16)} ${ms(m).toFixed(0).padStart(6)} ms per pass   ratio to membership-tree ${ratio.toFixed(2)}x${goal}`,
  );
}
