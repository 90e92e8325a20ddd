/**
 * Running a property over generated scenarios, and what happens on a failure (DESIGN.md §9,
 * STYLE.md on fast-check): the report is built from fast-check's `RunDetails`, never by parsing
 * error text. A failure prints the seed, the path and a one-line replay command, and saves the
 * shrunk case as a scenario file that `npm run scenarios -- FILE` replays.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import fc from "fast-check";
import type { PlantedBug } from "../test-support/planted-bugs.ts";
import type { Scenario, Step } from "../scenarios/format.ts";
import { REPO, outDir } from "../scenarios/out-dir.ts";
import { runScenario } from "../scenarios/runner.ts";
import { scenarioOf, stepsArbitrary } from "./generate.ts";

export { REPO };

export interface PropertyRun {
  name: string;
  adversarial: boolean;
  seed: number;
  runs: number;
  faults?: PlantedBug[];
  /** Where to save a counterexample (default: reports/out/counterexamples). */
  dir?: string;
}

export type PropertyResult =
  | { ok: true; runs: number }
  | {
      ok: false;
      runs: number;
      seed: number;
      path: string;
      violation: string;
      scenario: Scenario;
      file: string;
      replay: string;
      report: string;
    };

/** The first property violation of a generated scenario, or null. */
export async function violationOf(scenario: Scenario): Promise<string | null> {
  const run = await runScenario(scenario, "membership-tree");
  return run.property_violations[0] ?? null;
}

/** Scenario files are data for people too: one step a line. */
export function scenarioText(s: Scenario): string {
  const entries = Object.entries(s).map(([k, v]) =>
    k === "steps"
      ? ` "steps": [\n${(v as Step[]).map((x) => `  ${JSON.stringify(x)}`).join(",\n")}\n ]`
      : ` ${JSON.stringify(k)}: ${JSON.stringify(v)}`,
  );
  return `{\n${entries.join(",\n")}\n}\n`;
}

/** Check the membership properties over generated scenarios; on failure, save and describe the shrunk case. */
export async function checkProperty(p: PropertyRun): Promise<PropertyResult> {
  const make = (steps: Step[]): Scenario => ({
    ...scenarioOf(p.name, steps, p.adversarial),
    ...(p.faults ? { faults: p.faults } : {}),
  });
  const details = await fc.check(
    // The proposal's own gaps (T19-T21) are measured by their scenarios, not searched here (generate.ts).
    fc.asyncProperty(
      stepsArbitrary(p.adversarial, 16, { proposalGaps: false }),
      async (steps) => (await violationOf(make(steps))) === null,
    ),
    { seed: p.seed, numRuns: p.runs },
  );
  if (!details.failed || !details.counterexample) return { ok: true, runs: details.numRuns };
  const scenario = make(details.counterexample[0]);
  scenario.description = `Counterexample to ${p.adversarial ? "soundness" : "soundness/completeness"} found by attacks/ (fast-check seed ${details.seed}, path ${details.counterexamplePath}), shrunk to ${scenario.steps.length} steps.${p.faults ? ` With planted bug(s): ${p.faults.join(", ")}.` : ""}`;
  const violation = (await violationOf(scenario)) ?? "(did not reproduce)";
  const dir = p.dir ?? join(outDir(), "counterexamples");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${p.name}-seed${details.seed}.json`);
  writeFileSync(file, scenarioText(scenario));
  const shown = relative(process.cwd(), file) || file;
  const replay = `npm run scenarios -- ${shown}`;
  const report = [
    `property ${p.name} failed after ${details.numRuns} runs: ${violation}`,
    `seed ${details.seed}, path ${details.counterexamplePath}; shrunk to ${scenario.steps.length} steps, saved to ${shown}`,
    `replay: ${replay}`,
    `re-run the search: FC_SEED=${details.seed} npm test -- attacks/`,
  ].join("\n");
  return {
    ok: false,
    runs: details.numRuns,
    seed: details.seed,
    path: details.counterexamplePath ?? "",
    violation,
    scenario,
    file,
    replay,
    report,
  };
}
