/**
 * The scenario format (DESIGN.md §8): a scenario is data. It is validated when loaded, and every
 * error names the file, the step index and the field.
 */
import type { ModelId } from "../sim/models/index.ts";
import { MODEL_IDS } from "../sim/models/index.ts";
import type { Outcome } from "../sim/world/oracle.ts";
import { isJsonObject } from "../sim/core/canonical-json.ts";
import { PLANTED_BUGS, type PlantedBug, isPlantedBug } from "../test-support/planted-bugs.ts";
import { ACTION_NAMES, type Step, actionOf } from "./actions/index.ts";
import { CAPABILITIES, type Capability, type ValidationContext, checkField } from "./actions/schema.ts";

export type { Step, StepOf, Action } from "./actions/index.ts";
export { HONEST_ACTIONS, ADVERSARIAL_ACTIONS } from "./actions/index.ts";
export { CAPABILITIES, POWER_SETTINGS, type Capability, type PowerSetting } from "./actions/schema.ts";

export type StepBase = { fails?: boolean; note?: string };

export interface ModelExpectation {
  outcome: Outcome;
  /** Exactly this many, or `">0"`. Default 0. */
  false_rejections?: number | ">0";
  /** Alarms the oracle could not trace to the adversary: exactly this many, or `">0"`. Unchecked if absent. */
  false_alarms?: number | ">0";
}

export interface Scenario {
  name: string;
  threat: string | null;
  description: string;
  seed: number;
  users: string[];
  adversary: { servers: { name: string; capabilities: Capability[] }[]; colluding: string[] };
  steps: (Step & StepBase)[];
  expect: Partial<Record<ModelId, ModelExpectation>>;
  /**
   * Federation delay, in steps (default 0: every event arrives before the next step); `pairs` sets
   * it for single directions between servers, as `"from.example>to.example": steps`; `from_step`
   * is the step (0-based) from which the delays hold: events sent before it arrive at once.
   */
  network?: { delay: number; pairs?: Record<string, number>; from_step?: number };
  /** Membership properties to check after every step (generated attacks): any violation fails the run. */
  properties?: ("soundness" | "completeness")[];
  /** `allowed`: steps the world refuses are part of the run, not errors (generated scenarios). */
  refusals?: "allowed";
  /**
   * Test-only: bugs planted in the verifier that this run's property checks use (the counterexamples
   * that the mutation tests of attacks/ save). The runner plants them through test-support/planted-bugs.ts,
   * by injecting a verifier into the property checks; the public verifier has no option for them.
   */
  faults?: PlantedBug[];
}

/** Named in DESIGN.md §8 but not yet built into the world: refused with a clear error. */
export const PLANNED_ACTIONS = ["forge_invite", "replay_event", "backdate"] as const;

export class ScenarioError extends Error {}

type Obj = Record<string, unknown>;
const isObj = isJsonObject;
const USER_ID = /^@[^:\s]+:[A-Za-z0-9.-]+$/;

/** Check `value` is a scenario; throws `ScenarioError` naming `file`, the step and the field. */
export function validateScenario(file: string, value: unknown): Scenario {
  const err = (where: string, what: string): never => {
    throw new ScenarioError(`${file}: ${where}: ${what}`);
  };
  if (!isObj(value)) return err("(top)", "a scenario is a JSON object");
  for (const k of ["name", "description"])
    if (typeof value[k] !== "string" || value[k] === "") err(k, "must be a non-empty string");
  if (value.threat !== null && (typeof value.threat !== "string" || !/^T\d+$/.test(value.threat)))
    err("threat", 'must be a catalogue ID like "T1", or null');
  if (!Number.isSafeInteger(value.seed)) err("seed", "must be an integer");
  if (!Array.isArray(value.users) || value.users.length === 0) err("users", "must be a non-empty array of user IDs");
  const users = value.users as unknown[];
  users.forEach((u, i) => {
    if (typeof u !== "string" || !USER_ID.test(u))
      err(`users[${i}]`, `${JSON.stringify(u)} is not a user ID like @alice:a.example`);
  });
  if (new Set(users).size !== users.length) err("users", "lists a user twice");
  const adversary = value.adversary ?? { servers: [], colluding: [] };
  if (!isObj(adversary) || !Array.isArray(adversary.servers) || !Array.isArray(adversary.colluding ?? []))
    err("adversary", "must be {servers: [...], colluding: [...]}");
  const advServers = (adversary as Obj).servers as unknown[];
  advServers.forEach((s, i) => {
    if (!isObj(s) || typeof s.name !== "string" || !Array.isArray(s.capabilities))
      err(`adversary.servers[${i}]`, "must be {name, capabilities}");
    for (const c of (s as Obj).capabilities as unknown[])
      if (!(CAPABILITIES as readonly unknown[]).includes(c))
        err(
          `adversary.servers[${i}].capabilities`,
          `unknown capability ${JSON.stringify(c)} (known: ${CAPABILITIES.join(", ")})`,
        );
  });
  const serverNames = new Set(advServers.map((s) => (s as Obj).name as string));
  const colluding = ((adversary as Obj).colluding ?? []) as unknown[];
  colluding.forEach((c, i) => {
    if (typeof c !== "string" || !users.includes(c))
      err(`adversary.colluding[${i}]`, `${JSON.stringify(c)} is not one of the scenario's users`);
  });
  if (value.network !== undefined) {
    const steps = (n: unknown) => Number.isSafeInteger(n) && (n as number) >= 0;
    if (!isObj(value.network) || !steps(value.network.delay))
      err("network", "must be {delay: a whole number of steps, pairs?: {...}, from_step?: n}");
    const fromStep = (value.network as Obj).from_step;
    if (fromStep !== undefined && !steps(fromStep)) err("network.from_step", "must be a step index (a whole number)");
    const pairs = (value.network as Obj).pairs;
    if (pairs !== undefined) {
      if (!isObj(pairs)) err("network.pairs", 'must be an object like {"a.example>b.example": 2}');
      for (const [k, n] of Object.entries(pairs as Obj)) {
        if (!/^[A-Za-z0-9.-]+>[A-Za-z0-9.-]+$/.test(k))
          err(`network.pairs.${k}`, 'is not a direction between two servers, like "a.example>b.example"');
        if (!steps(n)) err(`network.pairs.${k}`, "must be a whole number of steps");
      }
    }
  }
  if (!Array.isArray(value.steps) || value.steps.length === 0) err("steps", "must be a non-empty array");
  const rooms = new Set<string>();
  const ctx: ValidationContext = { users, servers: serverNames, colluding, rooms };
  (value.steps as unknown[]).forEach((step, i) => {
    const at = (field: string) => `steps[${i}].${field}`;
    if (!isObj(step)) return err(`steps[${i}]`, "must be an object");
    const action = step.action;
    if (typeof action !== "string") return err(at("action"), "is missing");
    if ((PLANNED_ACTIONS as readonly string[]).includes(action))
      return err(at("action"), `${action} is in the design but not built into the world yet`);
    const def = actionOf(action);
    if (!def) return err(at("action"), `unknown action ${JSON.stringify(action)} (known: ${ACTION_NAMES.join(", ")})`);
    for (const k of Object.keys(step))
      if (k !== "action" && k !== "fails" && k !== "note" && !(k in def.fields))
        err(at(k), `is not a field of ${action}`);
    if (step.fails !== undefined && typeof step.fails !== "boolean") err(at("fails"), "must be true or false");
    for (const [name, spec] of Object.entries(def.fields)) {
      if (step[name] === undefined && spec.optional) continue;
      const problem = checkField(spec.kind, step[name], ctx);
      if (problem) err(at(name), problem);
    }
    const problem = def.check?.(step as never);
    if (problem) err(problem[0] === null ? `steps[${i}]` : at(problem[0]), problem[1]);
    for (const [name, spec] of Object.entries(def.fields))
      if (spec.kind === "new-room") rooms.add(step[name] as string);
  });
  if (
    value.properties !== undefined &&
    (!Array.isArray(value.properties) || value.properties.some((p) => p !== "soundness" && p !== "completeness"))
  )
    err("properties", "must be a list of soundness, completeness");
  if (value.refusals !== undefined && value.refusals !== "allowed") err("refusals", 'must be "allowed" if given');
  if (value.faults !== undefined && (!Array.isArray(value.faults) || !value.faults.every(isPlantedBug)))
    err("faults", `must be a list of planted bugs (test-only): ${PLANTED_BUGS.join(", ")}`);
  const checksProperties = Array.isArray(value.properties) && value.properties.length > 0;
  if (!isObj(value.expect) || (Object.keys(value.expect).length === 0 && !checksProperties))
    err(
      "expect",
      `must give the outcome for each model (${MODEL_IDS.join(", ")}), unless the scenario checks properties`,
    );
  for (const [model, e] of Object.entries(value.expect as Obj)) {
    if (!(MODEL_IDS as readonly string[]).includes(model))
      err(`expect.${model}`, `unknown model (known: ${MODEL_IDS.join(", ")})`);
    const exp = typeof e === "string" ? { outcome: e } : e;
    if (!isObj(exp) || !["prevented", "detected", "breach"].includes(exp.outcome as string))
      err(`expect.${model}`, "must be prevented, detected or breach, or {outcome, false_rejections, false_alarms}");
    const fr = (exp as Obj).false_rejections;
    if (fr !== undefined && fr !== ">0" && !Number.isSafeInteger(fr))
      err(`expect.${model}.false_rejections`, 'must be a number or ">0"');
    const fa = (exp as Obj).false_alarms;
    if (fa !== undefined && fa !== ">0" && !Number.isSafeInteger(fa))
      err(`expect.${model}.false_alarms`, 'must be a number or ">0"');
  }
  const expect = Object.fromEntries(
    Object.entries(value.expect as Obj).map(([m, e]) => [m, typeof e === "string" ? { outcome: e } : e]),
  ) as Scenario["expect"];
  return {
    ...(value as unknown as Scenario),
    adversary: {
      servers: advServers as Scenario["adversary"]["servers"],
      colluding: ((adversary as Obj).colluding as string[]) ?? [],
    },
    expect,
  };
}
