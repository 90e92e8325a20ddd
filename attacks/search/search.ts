/**
 * The search (issue 14): for one threat and one model, fast-check explores the threat's search
 * space (`space.ts`) and honest noise, looking for an undetected breach, and counts what every run
 * gave on the way: prevented, detected, breach, undetected breaches, false rejections and alarms.
 *
 * A cell's runs: the scripted basic form first, then the threat's other scripted forms (the
 * attacks already written down: a cell never shows less than they do), then draws from fast-check with the
 * cell's own seed (derived from the search's seed, the threat and the model, so a cell's result
 * does not depend on which other cells run, or where: shards and workers give the same numbers).
 * The first undetected breach (else the first breach) is then shrunk, by fast-check replaying its
 * path, within a shrink budget, and the minimal witness is kept as a scenario file's content.
 */
import { createHash } from "node:crypto";
import fc from "fast-check";
import { join } from "node:path";
import { loadScenario, scenarioFiles } from "../../scenarios/cli.ts";
import { REPO } from "../../scenarios/out-dir.ts";
import type { ModelExpectation, Scenario } from "../../scenarios/format.ts";
import { type ScenarioRun, runScenario } from "../../scenarios/runner.ts";
import { MODELS, type ModelId } from "../../sim/models/index.ts";
import type { DefenceModel } from "../../sim/world/defence-model.ts";
import type { Outcome } from "../../sim/world/oracle.ts";
import type { Threat } from "../threat.ts";
import { type Draw, applyDraw, describeDraw, drawArbitrary } from "./space.ts";

export interface Tally {
  /** The outcome of the basic (scripted) form, the cell's first run. */
  basic: Outcome | null;
  /** Runs this cell was allowed: the search's budget for it (shrinking comes on top: `shrink_runs`). */
  budget: number;
  trials: number;
  prevented: number;
  detected: number;
  breach: number;
  /** Legitimate members left out of messages, over all trials. */
  false_rejections: number;
  /** Alarms the oracle could not trace to the adversary, over all trials. */
  false_alarms: number;
  /** Trials with a breach in which an alarm the oracle traced to the adversary was raised too. */
  breach_detected: number;
  /** Trials with a breach that no traced alarm came with (`breach - breach_detected`). */
  undetected: number;
  /** The trial (1-based) in which the first breach, and the first undetected breach, was found; null if none was. */
  first_breach: number | null;
  first_undetected: number | null;
  /** Breaches and undetected breaches found against trials run: a point at each trial that found one, and at the last. */
  progress: { runs: number; breaches: number; undetected: number }[];
  /**
   * Trials with no breach in which an alarm was raised and, after the adversary's first act, no
   * legitimate member's message reached another: "no breach" only because members were left out.
   */
  safe_by_exclusion: number;
  /** Trials in which the world refused one of the adversary's steps (what it tried could not be done there). */
  refused_attacks: number;
  /** Messages adversary devices decrypted, over all trials. */
  attacker_decrypted: number;
  property_violations: number;
  /**
   * Runs that threw instead of finishing (a model's library refusing what the world gave it, say):
   * counted apart, with the first one's error and scenario, and never judged. The CLI fails on any.
   */
  run_errors: number;
  first_error?: { trial: number; error: string; scenario: Scenario };
  /** Runs spent shrinking the witness (on top of the budget). */
  shrink_runs: number;
  /** Why the threat cannot apply to this model (its applicability table), when it cannot; the counts are still measured. */
  not_applicable?: string;
  /**
   * The witness: the shrunk first undetected breach (else the shrunk first breach, else the worst
   * trial), its trial, the scenario to save and replay, and its run's history.
   */
  example: {
    variant: number;
    outcome: Outcome;
    shut_out: boolean;
    shrunk: boolean;
    scenario: Scenario;
    history: ScenarioRun["history"];
  } | null;
}

export interface CellSpec {
  threat: string;
  model: ModelId;
  budget: number;
  /** The search's seed; the cell's own is derived from it (`cellSeed`). */
  seed: number;
  /** Runs allowed for shrinking the witness. */
  shrink: number;
}

export interface CellResult {
  threat: string;
  model: ModelId;
  tally: Tally;
  /** The first few property violations, with the trial that showed them. */
  violations: { model: ModelId; variant: number; violation: string }[];
}

export const emptyTally = (): Tally => ({
  basic: null,
  budget: 0,
  trials: 0,
  prevented: 0,
  detected: 0,
  breach: 0,
  false_rejections: 0,
  false_alarms: 0,
  breach_detected: 0,
  undetected: 0,
  first_breach: null,
  first_undetected: null,
  progress: [],
  safe_by_exclusion: 0,
  refused_attacks: 0,
  attacker_decrypted: 0,
  property_violations: 0,
  run_errors: 0,
  shrink_runs: 0,
  example: null,
});

/** A cell's own seed: a function of the search's seed, the threat and the model only. */
export function cellSeed(seed: number, threat: string, model: string): number {
  return (
    createHash("sha256").update(`msc3917 search\u0000${seed}\u0000${threat}\u0000${model}`).digest().readUInt32BE(0) >>>
    1
  );
}

const isUndetected = (run: ScenarioRun) => run.outcome === "breach" && run.judgement.detections === 0;
const RANK: Record<Outcome, number> = { prevented: 0, detected: 1, breach: 2 };
const rank = (o: Outcome, shut: boolean) => RANK[o] * 2 + (shut ? 1 : 0);

/** Was one of the adversary's steps refused in this run? */
const refusedAttack = (run: ScenarioRun) => run.history.some((op) => op.op === "step" && !op.honest && !op.ok);

/** What the witness file expects: what this run measured, for the model it was found under. */
function observed(run: ScenarioRun): ModelExpectation {
  return {
    outcome: run.outcome,
    false_rejections: run.judgement.false_rejections.length,
    false_alarms: run.judgement.false_alarms.length,
  };
}

const scripted = new Map<string, Scenario[]>();
/**
 * The threat's other scripted forms (`scenarios/attacks/*.json` naming it, besides its basic form),
 * in file order: the search runs them right after the basic form, before its own draws, so a cell
 * never shows less than the attacks already written down show.
 */
export function scriptedForms(threat: Threat): Scenario[] {
  let forms = scripted.get(threat.id);
  if (!forms) {
    forms = scenarioFiles(join(REPO, "scenarios", "attacks"))
      .filter((f) => !f.endsWith(threat.scenario))
      .map((f) => loadScenario(f))
      .filter((s) => s.threat === threat.id);
    scripted.set(threat.id, forms);
  }
  return forms;
}

/** Search one cell. */
export async function searchCell(threat: Threat, spec: CellSpec): Promise<CellResult> {
  const { model, budget } = spec;
  const base = loadScenario(threat.scenario);
  const arb = drawArbitrary(base, threat.space);
  const seed = cellSeed(spec.seed, threat.id, model);
  const reason = (MODELS[model] as DefenceModel).notApplicable?.[threat.id];
  const t: Tally = { ...emptyTally(), budget, ...(reason ? { not_applicable: reason } : {}) };
  const violations: CellResult["violations"] = [];
  const name = (i: number) => `${base.name}~${model}~${i}`;
  /** The first undetected breach's, and the first breach's, trial and fast-check path (null: a scripted form). */
  type Found = { trial: number; path: string | null; scenario: Scenario } | null;
  let firstUndetected: Found = null;
  let firstBreach: Found = null;

  const record = (run: ScenarioRun, scenario: Scenario, path: string | null) => {
    t.trials++;
    t[run.outcome]++;
    if (t.trials === 1) t.basic = run.outcome;
    t.false_rejections += run.judgement.false_rejections.length;
    t.false_alarms += run.judgement.false_alarms.length;
    if (run.outcome === "breach" && run.judgement.detections > 0) t.breach_detected++;
    if (run.outcome !== "breach" && run.judgement.shut_out) t.safe_by_exclusion++;
    if (refusedAttack(run)) t.refused_attacks++;
    t.attacker_decrypted += run.judgement.attacker_decrypted;
    if (run.property_violations.length > 0) {
      t.property_violations++;
      if (violations.length < 5) violations.push({ model, variant: t.trials, violation: run.property_violations[0]! });
    }
    if (run.outcome === "breach") {
      t.first_breach ??= t.trials;
      firstBreach ??= { trial: t.trials, path, scenario };
      if (isUndetected(run)) {
        t.undetected++;
        t.first_undetected ??= t.trials;
        firstUndetected ??= { trial: t.trials, path, scenario };
      }
      t.progress.push({ runs: t.trials, breaches: t.breach, undetected: t.undetected });
    }
    if (!t.example || rank(run.outcome, run.judgement.shut_out) > rank(t.example.outcome, t.example.shut_out))
      t.example = {
        variant: t.trials,
        outcome: run.outcome,
        shut_out: run.judgement.shut_out,
        shrunk: false,
        // As a witness file it expects what this run measured, under this model.
        scenario: { ...scenario, expect: { [model]: observed(run) } },
        history: run.history,
      };
  };

  /** Run a trial; one that throws is counted as an error, not judged. */
  const trial = async (scenario: Scenario, path: string | null) => {
    let run: ScenarioRun;
    try {
      run = await runScenario(scenario, model);
    } catch (e) {
      t.trials++;
      t.run_errors++;
      t.first_error ??= { trial: t.trials, error: (e as Error).message ?? String(e), scenario };
      return;
    }
    record(run, scenario, path);
  };
  await trial(base, null);
  for (const form of scriptedForms(threat).slice(0, Math.max(0, budget - 1))) await trial(form, null);
  if (budget > t.trials) {
    let i = 0;
    await fc.check(
      fc.asyncProperty(arb, async (draw) => {
        const scenario = applyDraw(base, draw, name(i + 1));
        await trial(scenario, String(i++));
        return true;
      }),
      { seed, numRuns: budget - t.trials },
    );
  }
  if (t.progress.at(-1)?.runs !== t.trials)
    t.progress.push({ runs: t.trials, breaches: t.breach, undetected: t.undetected });

  // The witness: shrink the first undetected breach, else the first breach (a breach found with an alarm).
  const target = (firstUndetected as Found) ?? (firstBreach as Found);
  if (target) {
    const bad = (firstUndetected as Found) ? isUndetected : (run: ScenarioRun) => run.outcome === "breach";
    let best: { scenario: Scenario; run: ScenarioRun; draw: Draw | null } | null = null;
    if (target.path === null) {
      // A scripted form breaches: it is a minimum written by hand already.
      best = { scenario: target.scenario, run: await runScenario(target.scenario, model), draw: null };
    } else {
      let calls = 0;
      await fc.check(
        fc.asyncProperty(arb, async (draw) => {
          if (calls >= spec.shrink) return true; // the shrink budget is spent: keep the smallest found so far
          calls++;
          const scenario = applyDraw(base, draw, `${base.name}~${model}`);
          let run: ScenarioRun;
          try {
            run = await runScenario(scenario, model);
          } catch {
            return true; // a run that throws is no smaller witness
          }
          if (!bad(run)) return true;
          best = { scenario, run, draw };
          return false;
        }),
        { seed, numRuns: 1, path: target.path },
      );
      t.shrink_runs = calls;
    }
    const found = best as { scenario: Scenario; run: ScenarioRun; draw: Draw | null } | null;
    if (found) {
      const how =
        target.path === null
          ? target.scenario === base
            ? "the scripted basic form"
            : `the scripted form ${target.scenario.name}, run ${target.trial}`
          : `run ${target.trial} of ${budget} (fast-check seed ${seed}, path ${target.path}), shrunk in ${t.shrink_runs} runs to: ${found.draw ? describeDraw(base, found.draw) : "?"}`;
      const scenario: Scenario = {
        ...found.scenario,
        name: `${threat.id}-${model}-witness`,
        description: `Witness of ${threat.id} (${threat.title}) under ${model}, found by the search: ${how}. ${found.run.outcome === "breach" && found.run.judgement.detections === 0 ? "An undetected breach" : `A ${found.run.outcome}`}: ${found.run.judgement.breaches.length} breach(es), ${found.run.judgement.detections} traced alarm(s).`,
        expect: { [model]: observed(found.run) },
      };
      t.example = {
        variant: target.trial,
        outcome: found.run.outcome,
        shut_out: found.run.judgement.shut_out,
        shrunk: target.path !== null,
        scenario,
        history: found.run.history,
      };
    }
  }
  return { threat: threat.id, model, tally: t, violations };
}
