/**
 * The sweep, now a search (`npm run attacks`, issue 14): for each threat and each defence model, a
 * cell of the search (attacks/search/): the scripted basic form, then fast-check's draws over the
 * threat's search space, counted by what the oracle measured, and the first undetected breach
 * shrunk to a witness. Every run also checks soundness (and, with honest servers, completeness).
 */
import { LIBRARY_MODEL_IDS, MODEL_IDS, type ModelId } from "../sim/models/index.ts";
import { searchCells } from "./search/pool.ts";
import { type CellResult, type CellSpec, type Tally, emptyTally } from "./search/search.ts";
import type { Threat } from "./threat.ts";

export { type Tally, emptyTally };
export { BYSTANDER } from "./search/space.ts";

export interface ThreatResult {
  threat: Threat;
  results: Partial<Record<ModelId, Tally>> & Record<"baseline", Tally>;
  /** The first few property violations, with the trial that showed them. */
  violations: { model: ModelId; variant: number; violation: string }[];
}

/**
 * The models on a real library (every device an OlmMachine) cost several times a simulated one per
 * run (`npm run bench`), so they get a smaller budget: this many runs per threat by default
 * (`--library-runs` changes it), never more than the others' `runs`.
 */
export const LIBRARY_MODEL_RUNS = 5;

/** Runs spent shrinking a cell's witness at most, on top of its budget. */
export const SHRINK_RUNS = 60;

/** How many runs `model` gets when the others get `runs`. */
export function budgetOf(model: ModelId, runs: number, libraryRuns: number): number {
  return LIBRARY_MODEL_IDS.includes(model) ? Math.min(runs, libraryRuns) : runs;
}

export interface SearchPlan {
  threats: readonly Threat[];
  models: readonly ModelId[];
  runs: number;
  libraryRuns: number;
  seed: number;
  shrink: number;
}

/** The cells of a plan, threat by threat, in the models' order. */
export function cellsOf(plan: SearchPlan): CellSpec[] {
  return plan.threats.flatMap((t) =>
    plan.models.map((model) => ({
      threat: t.id,
      model,
      budget: budgetOf(model, plan.runs, plan.libraryRuns),
      seed: plan.seed,
      shrink: plan.shrink,
    })),
  );
}

/** Cell results grouped back by threat, in the threats' order. */
export function byThreat(threats: readonly Threat[], cells: readonly CellResult[]): ThreatResult[] {
  return threats
    .map((threat) => {
      const mine = cells.filter((c) => c.threat === threat.id);
      return {
        threat,
        results: Object.fromEntries(mine.map((c) => [c.model, c.tally])) as ThreatResult["results"],
        violations: mine.flatMap((c) => c.violations),
      };
    })
    .filter((r) => Object.keys(r.results).length > 0);
}

/** Search every model's cell of one threat (the tests' entry; the CLI plans cells across threats). */
export async function sweepThreat(
  threat: Threat,
  runs: number,
  seed: number,
  onTrial?: () => void,
  libraryRuns = 1,
  workers = 1,
): Promise<ThreatResult> {
  const plan: SearchPlan = { threats: [threat], models: MODEL_IDS, runs, libraryRuns, seed, shrink: SHRINK_RUNS };
  return byThreat([threat], await searchCells(cellsOf(plan), workers, onTrial))[0]!;
}
