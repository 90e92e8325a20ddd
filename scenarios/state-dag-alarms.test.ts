/**
 * The state-DAG models' tamper alarms in shipped scenarios: an honest run whose joins and
 * privileged acts are refused by honest servers raises none (a node its server refused is not
 * part of the room), and every alarm records its cause: the kind, the node it names and who
 * referenced it.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MODEL_IDS } from "../sim/models/index.ts";
import type { Operation } from "../sim/world/history.ts";
import { REPO } from "../test-support/vectors.ts";
import { loadScenario } from "./cli.ts";
import { runScenario } from "./runner.ts";

const DAG_MODELS = MODEL_IDS.filter((m) => m.startsWith("state-dag"));
const load = (...path: string[]) => loadScenario(join(REPO, "scenarios", ...path));
type Alarm = Extract<Operation, { op: "alarm" }>;
const alarmsOf = (ops: Operation[]) => ops.filter((o): o is Alarm => o.op === "alarm");

describe("state-DAG alarms", () => {
  const honestWithRefusals = ["refused-then-accepted.json", "power-changes.json", "churn.json"];
  it.each(DAG_MODELS.flatMap((m) => honestWithRefusals.map((f) => [m, f] as const)))(
    "%s, %s: refused steps in an honest run raise no alarm",
    async (model, file) => {
      const scenario = load("availability", file);
      expect(scenario.steps.some((s) => (s as { fails?: boolean }).fails)).toBe(true);
      const run = await runScenario(scenario, model);
      expect(alarmsOf(run.history)).toEqual([]);
    },
  );

  it.each(DAG_MODELS)(
    "%s: every alarm names its kind, the node and an authenticated reference to it",
    async (model) => {
      const run = await runScenario(load("attacks", "T13-proposal-example-hidden-ban.json"), model);
      const alarms = alarmsOf(run.history);
      expect(alarms.length).toBeGreaterThan(0);
      const nodesSent = new Set(run.history.flatMap((o) => (o.op === "state" && o.node ? [o.node] : [])));
      for (const a of alarms) {
        expect(["missing", "unplaced", "incomplete"]).toContain(a.kind);
        expect(a.referenced_by?.length).toBeGreaterThan(0);
        // Each reference is a node an honest client sent (so it is a member's), or a decrypted message.
        for (const r of a.referenced_by!) expect(r.kind === "message" || nodesSent.has(r.id)).toBe(true);
      }
    },
  );
});
