/**
 * The sweep (`npm run attacks`): for each threat and each defence model, N variants of the
 * threat's scripted scenario, counted by what the oracle measured. Variant 0 is the basic form as
 * scripted; the others add honest noise (messages, devices, out-of-band verification, MSK resets,
 * a bystander joining) at random places and change the seed, so keys, IDs and timing differ.
 * Every variant also checks soundness (and, with honest servers, completeness).
 */
import fc from "fast-check";
import { LIBRARY_MODEL_IDS, type ModelId, MODEL_IDS, MODELS } from "../sim/models/index.ts";
import type { DefenceModel } from "../sim/world/defence-model.ts";
import type { Operation } from "../sim/world/history.ts";
import type { Outcome } from "../sim/world/oracle.ts";
import { loadScenario } from "../scenarios/cli.ts";
import type { Scenario, Step } from "../scenarios/format.ts";
import { runScenario } from "../scenarios/runner.ts";
import type { Threat } from "./threat.ts";

export const BYSTANDER = "@zoe:z.example";

export interface Tally {
  /** The outcome of the basic (scripted) form, variant 0. */
  basic: Outcome | null;
  /** Runs this cell was allowed: the search's budget for it. */
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
  /**
   * The search's progress: breaches and undetected breaches found against trials run, one point at
   * each trial that found one, and one at the last trial.
   */
  progress: { runs: number; breaches: number; undetected: number }[];
  /**
   * Trials with no breach in which an alarm was raised and, after the adversary's first act, no
   * legitimate member's message reached another: "no breach" only because members were left out.
   */
  safe_by_exclusion: number;
  /** Messages adversary devices decrypted, over all trials. */
  attacker_decrypted: number;
  property_violations: number;
  /** Why the threat cannot apply to this model (its applicability table), when it cannot; the counts are still measured. */
  not_applicable?: string;
  /** The first variant with the worst outcome: its index, the scenario to save and replay, and its run's history. */
  example: { variant: number; outcome: Outcome; shut_out: boolean; scenario: Scenario; history: Operation[] } | null;
}

export interface ThreatResult {
  threat: Threat;
  results: Record<ModelId, Tally>;
  /** The first few property violations, with the variant that showed them. */
  violations: { model: ModelId; variant: number; violation: string }[];
}

function noiseStep(base: Scenario, rooms: string[]): fc.Arbitrary<Step> {
  const users = [...base.users, BYSTANDER];
  const honest = base.users.filter((u) => !base.adversary.colluding.includes(u));
  const user = fc.constantFrom(...honest);
  const anyone = fc.constantFrom(...users);
  const noRoom: fc.Arbitrary<Step>[] = [
    fc.record({ action: fc.constant("add_device" as const), user }),
    fc.record({ action: fc.constant("verify_user" as const), user, target: anyone }),
    fc.record({ action: fc.constant("reset_msk" as const), user }),
  ];
  if (rooms.length === 0) return fc.oneof(...noRoom);
  const room = fc.constantFrom(...rooms);
  return fc.oneof(
    {
      arbitrary: fc.record({ action: fc.constant("send" as const), user, room, text: fc.constant("noise") }),
      weight: 4,
    },
    { arbitrary: fc.oneof(...noRoom), weight: 2 },
    {
      arbitrary: fc.record({ action: fc.constant("invite" as const), user, room, target: fc.constant(BYSTANDER) }),
      weight: 1,
    },
    { arbitrary: fc.record({ action: fc.constant("join" as const), user: fc.constant(BYSTANDER), room }), weight: 1 },
  );
}

/** `n` variants of `base`: the scripted form first, then noisy ones, all from `seed`. */
export function variantsOf(base: Scenario, n: number, seed: number): Scenario[] {
  const roomsBefore = (at: number) =>
    base.steps
      .slice(0, at)
      .flatMap((s) =>
        s.action === "create" || s.action === "join_link" || s.action === "join_space_child" ? [s.room] : [],
      );
  const insertion = fc
    .nat(base.steps.length)
    .chain((at) => noiseStep(base, roomsBefore(Math.max(at, 1))).map((step) => ({ at: Math.max(at, 1), step })));
  const arb = fc.record({
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    noise: fc.array(insertion, { minLength: 1, maxLength: 4 }),
  });
  const noisy = n > 1 ? fc.sample(arb, { seed, numRuns: n - 1 }) : [];
  return [
    base,
    ...noisy.map(({ seed: s, noise }, i): Scenario => {
      const steps = [...base.steps];
      for (const { at, step } of [...noise].sort((a, b) => b.at - a.at))
        steps.splice(Math.min(at, steps.length), 0, step);
      return {
        ...base,
        name: `${base.name}#${i + 1}`,
        seed: s,
        users: [...base.users, BYSTANDER],
        steps,
        refusals: "allowed",
      };
    }),
  ];
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
  attacker_decrypted: 0,
  property_violations: 0,
  example: null,
});

const RANK: Record<Outcome, number> = { prevented: 0, detected: 1, breach: 2 };

/**
 * The models on a real library (every device an OlmMachine) cost several times a simulated one per
 * run (`npm run bench`), so they get a smaller budget: `npm run attacks` runs them on the scripted
 * basic form plus this many noisy variants per threat (`--library-runs` changes it), never more
 * than the others' `runs`. Called from code (the tests), `sweepThreat` runs them on the basic
 * form only unless told otherwise.
 */
export const LIBRARY_MODEL_NOISY_VARIANTS = 4;

/** How many variants (the basic form first) `model` runs when the others run `runs`. */
export function budgetOf(model: ModelId, runs: number, libraryNoisy: number): number {
  return LIBRARY_MODEL_IDS.includes(model) ? Math.min(runs, 1 + libraryNoisy) : runs;
}

/**
 * Library-model runs already made in this process, by model and scenario: a run is a function of
 * the scenario (its seed included) and the model, so a second sweep over the same variants reuses them.
 */
const libraryRuns = new Map<string, ReturnType<typeof runScenario>>();
function runOnce(variant: Scenario, model: ModelId): ReturnType<typeof runScenario> {
  if (!LIBRARY_MODEL_IDS.includes(model)) return runScenario(variant, model);
  const key = `${model}\u0000${JSON.stringify(variant)}`;
  let r = libraryRuns.get(key);
  if (!r) libraryRuns.set(key, (r = runScenario(variant, model)));
  return r;
}

export async function sweepThreat(
  threat: Threat,
  runs: number,
  seed: number,
  onTrial?: () => void,
  libraryNoisy = 0,
): Promise<ThreatResult> {
  const base = loadScenario(threat.scenario);
  const variants = variantsOf(base, runs, seed);
  const results = Object.fromEntries(
    MODEL_IDS.map((m) => {
      const reason = (MODELS[m] as DefenceModel).notApplicable?.[threat.id];
      return [m, { ...emptyTally(), ...(reason ? { not_applicable: reason } : {}) }];
    }),
  ) as Record<ModelId, Tally>;
  const violations: ThreatResult["violations"] = [];
  for (const [i, variant] of variants.entries()) {
    for (const model of MODEL_IDS) {
      if (i >= budgetOf(model, runs, libraryNoisy)) continue;
      const run = await runOnce(variant, model);
      const t = results[model];
      t.trials++;
      t[run.outcome]++;
      if (i === 0) t.basic = run.outcome;
      t.false_rejections += run.judgement.false_rejections.length;
      t.false_alarms += run.judgement.false_alarms.length;
      if (run.outcome === "breach" && run.judgement.detections > 0) t.breach_detected++;
      if (run.outcome === "breach") {
        t.first_breach ??= t.trials;
        if (run.judgement.detections === 0) {
          t.undetected++;
          t.first_undetected ??= t.trials;
        }
        t.progress.push({ runs: t.trials, breaches: t.breach, undetected: t.undetected });
      }
      if (run.outcome !== "breach" && run.judgement.shut_out) t.safe_by_exclusion++;
      t.attacker_decrypted += run.judgement.attacker_decrypted;
      if (run.property_violations.length > 0) {
        t.property_violations++;
        if (violations.length < 5) violations.push({ model, variant: i, violation: run.property_violations[0]! });
      }
      // The worst trial: by outcome, and among equals, one where members were shut out.
      const rank = (o: Outcome, shut: boolean) => RANK[o] * 2 + (shut ? 1 : 0);
      if (!t.example || rank(run.outcome, run.judgement.shut_out) > rank(t.example.outcome, t.example.shut_out))
        t.example = {
          variant: i,
          outcome: run.outcome,
          shut_out: run.judgement.shut_out,
          scenario: variant,
          history: run.history,
        };
    }
    onTrial?.();
  }
  for (const m of MODEL_IDS) {
    const t = results[m];
    t.budget = budgetOf(m, runs, libraryNoisy);
    if (t.progress.at(-1)?.runs !== t.trials)
      t.progress.push({ runs: t.trials, breaches: t.breach, undetected: t.undetected });
  }
  return { threat, results, violations };
}
