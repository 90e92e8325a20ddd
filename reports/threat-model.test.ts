import { describe, expect, it } from "vitest";
import { CATALOGUE } from "../attacks/catalogue.ts";
import { sweepThreat } from "../attacks/sweep.ts";
import { MODEL_IDS } from "../sim/models/index.ts";
import { toAttacksJson } from "../attacks/cli.ts";
import { reportInput } from "./cli.ts";
import { ACTS, witnessMermaid } from "./html/mermaid-graph.ts";
import { adversarialEvents, eventsByRoom, witnessRun } from "./witness.ts";
import {
  type AttacksJson,
  type TallyJson,
  CSV_COLUMNS,
  byThreatId,
  cellOf,
  markOf,
  proposalColumns,
  threatModelMarkdown,
  threatModelRows,
} from "./threat-model.ts";
import { runScenario } from "../scenarios/runner.ts";
import { loadScenario } from "../scenarios/cli.ts";
import { join } from "node:path";
import { REPO } from "../attacks/replay.ts";

const tally = (over: Partial<TallyJson>): TallyJson => ({
  basic: "prevented",
  trials: 10,
  prevented: 10,
  detected: 0,
  breach: 0,
  false_rejections: 0,
  false_alarms: 0,
  breach_detected: 0,
  safe_by_exclusion: 0,
  attacker_decrypted: 0,
  property_violations: 0,
  example: null,
  ...over,
});

describe("marks, from the worst case", () => {
  it.each([
    ["no breach", tally({}), "✅"],
    ["detected in some trials only", tally({ prevented: 7, detected: 3 }), "✅"],
    ["always detected, no breach", tally({ prevented: 0, detected: 10, basic: "detected" }), "✅"],
    ["one undetected breach in a variant", tally({ prevented: 9, breach: 1 }), "❌"],
    ["45 of 50 detected, 5 undetected breaches", tally({ trials: 50, prevented: 0, detected: 45, breach: 5 }), "❌"],
    ["every breach came with a traced alarm", tally({ prevented: 8, breach: 2, breach_detected: 2 }), "🚧"],
    ["no breach, but members shut out", tally({ safe_by_exclusion: 3 }), "🚧"],
    ["not applicable", tally({ not_applicable: "no homeserver" }), "n/a"],
  ])("%s", (_why, t, mark) => {
    expect(markOf(t)).toBe(mark);
  });

  it("a cell says which 🚧 it is, and shows N, false rejections and false alarms", () => {
    expect(cellOf(tally({ prevented: 8, breach: 2, breach_detected: 2, false_rejections: 4, false_alarms: 1 }))).toBe(
      "🚧 2/10, fr 4, fa 1 (all 2 breaches detected)",
    );
    expect(cellOf(tally({ safe_by_exclusion: 3 }))).toBe("🚧 0/10, fr 0, fa 0 (no breach, but members shut out in 3)");
    expect(cellOf(tally({ not_applicable: "no homeserver to lie" }))).toBe("n/a (no homeserver to lie)");
  });

  it("sorts threat IDs naturally", () => {
    expect(["T10", "T2", "T1", "T13", "T3"].sort(byThreatId)).toEqual(["T1", "T2", "T3", "T10", "T13"]);
  });

  it("takes its columns from the results file: Matrix today from element-all-devices when present, Signal from signal-pgs", () => {
    expect(proposalColumns(["baseline", "membership-tree", "state-dag"]).map((c) => c.model)).toEqual([
      "baseline",
      "membership-tree",
      "state-dag",
    ]);
    expect(
      proposalColumns([
        "baseline",
        "element-all-devices",
        "membership-tree",
        "state-dag",
        "state-dag-exclude",
        "signal-pgs",
        "mls",
      ]).map((c) => c.model),
    ).toEqual(["element-all-devices", "membership-tree", "state-dag", "state-dag-exclude", "signal-pgs"]);
  });
});

/** The sweep, small, as `npm run report` would run it (without writing files: the witness is the scripted form). */
async function smallSweep(runs: number): Promise<AttacksJson> {
  const results = [];
  for (const t of CATALOGUE) results.push(await sweepThreat(t, runs, 3917));
  const search = {
    runs,
    library_runs: 1,
    shrink: 0,
    seed: 3917,
    threats: CATALOGUE.map((t) => t.id),
    models: [...MODEL_IDS],
    cells: 0,
  };
  return toAttacksJson(results, search, (r, m) =>
    r.results[m]?.example && (r.results[m]!.example!.outcome !== "prevented" || r.results[m]!.example!.shut_out)
      ? r.threat.scenario
      : null,
  ) as AttacksJson;
}

/**
 * A careful check of the flowchart syntax we emit (the mermaid package needs a browser; the browser
 * test parses them with it): every line is a header, a node of a known shape, an edge between
 * defined nodes, or a class line.
 */
function checkMermaid(graph: string): string[] {
  const problems: string[] = [];
  const defined = new Set<string>();
  const lines = graph.split("\n");
  if (lines[0] !== "flowchart BT") problems.push(`first line: ${lines[0]}`);
  const nodes: string[] = [];
  for (const line of lines.slice(1)) {
    let m: RegExpMatchArray | null;
    if ((m = line.match(/^ {2}([nm]\d+)(\(\(|\{\{|\[\/|\[\[|\(|>|\{)"[^"]*"(\)\)|\}\}|\/\]|\\\]|\]\]|\)|\]|\})$/))) {
      defined.add(m[1]!);
      nodes.push(m[1]!);
    } else if ((m = line.match(/^ {2}([nm]\d+) (==>|-\.->|-->|-\. replays \.->|-- ends -->) ([nm]\d+)$/))) {
      if (!defined.has(m[1]!) || !defined.has(m[3]!)) problems.push(`edge before its nodes: ${line}`);
    } else if (
      !/^ {2}classDef act_\w+ [a-z0-9:#,. -]+;$/.test(line) &&
      !/^ {2}class ([nm]\d+,)*[nm]\d+ act_\w+;$/.test(line)
    )
      problems.push(`unexpected line: ${line}`);
  }
  return problems;
}

const attacks = await smallSweep(3);
const input = reportInput(attacks);
const md = threatModelMarkdown(input);

describe("the threat-model report", () => {
  it("has the proposal's four rows, in order, measured, then the full catalogue", () => {
    const section = md.slice(md.indexOf("## The proposal's table, measured"), md.indexOf("## The full catalogue"));
    const rows = section
      .split("\n")
      .filter((l) => /^\| T\d/.test(l))
      .map((l) => l.slice(2, 4));
    expect(rows).toEqual(["T1", "T2", "T3", "T4"]);
    expect(md).toContain("| Attack | Baseline | Membership tree | State DAG (ts) | State DAG (no-ts) |");
    // "Matrix today" is the real library when the results have it, else baseline, saying so.
    expect(md).toContain(
      MODEL_IDS.includes("element-all-devices")
        ? "| Attack | Matrix today (element-all-devices) | Membership tree, claimed | Membership tree, measured |"
        : "| Attack | Matrix today (baseline: element-all-devices is not in the results) | Membership tree, claimed | Membership tree, measured |",
    );
    for (const t of CATALOGUE) expect(md).toContain(`| ${t.id}: ${t.title} |`);
  });

  it("shows in every cell the counts of attacks.json", () => {
    const catalogue = md.slice(md.indexOf("## The full catalogue"));
    for (const t of attacks.threats) {
      const line = catalogue.split("\n").find((l) => l.startsWith(`| ${t.id}: `))!;
      const cells = line.split(" | ").slice(1);
      MODEL_IDS.forEach((m, i) => {
        const r = t.results[m]!;
        // A cell the model's applicability table rules out shows its reason, never a mark.
        if (r.not_applicable)
          return expect(cells[i]!.replace(/ \|$/, ""), `${t.id} ${m}`).toBe(`n/a (${r.not_applicable})`);
        expect(cells[i], `${t.id} ${m}`).toMatch(
          new RegExp(`^${markOf(r)} ${r.breach}/${r.trials}.*, fr ${r.false_rejections}, fa ${r.false_alarms}`),
        );
      });
    }
  });

  it("compares the proposal's claims with the measurements, and footnotes every 🚧 and ❌ cell with a replayable witness", () => {
    expect(md).toContain("## Claims against measurements");
    // Generated from the cells: one line per differing cell, each with its measured cell; none written by hand.
    const claims = md.slice(md.indexOf("## Claims against measurements"), md.indexOf("## Legend"));
    for (const line of claims.split("\n").filter((l) => l.startsWith("- **")))
      expect(line).toMatch(/the proposal claims (✅|🚧|❌)[^;]*; measured (✅|🚧|❌|n\/a) /);
    const marked = attacks.threats.flatMap((t) =>
      MODEL_IDS.filter((m) => !t.results[m]!.not_applicable && markOf(t.results[m]!) !== "✅"),
    );
    expect((md.match(/^### \[\d+\]/gm) ?? []).length).toBe(marked.length);
    expect(md).toMatch(/Replay: `npm run scenarios -- scenarios\/attacks\/T2-reinsert-banned\.json --model [a-z-]+`/);
    expect(md).toContain("- ❌: at least one breach that no traced alarm came with, in the N trials.");
  });

  it("draws mermaid graphs that parse, with thick signed edges and dotted forged ones", async () => {
    const graphs = [...md.matchAll(/```mermaid\n([\s\S]*?)\n```/g)].map((m) => m[1]!);
    expect(graphs.length).toBeGreaterThan(0);
    for (const g of graphs) expect(checkMermaid(g)).toEqual([]);
    const run = witnessRun(
      (await runScenario(loadScenario(join(REPO, "scenarios/attacks/T5-forged-invite.json")), "baseline")).history,
    );
    const t5 = witnessMermaid(eventsByRoom(run)[0]!.events);
    expect(t5).toMatch(/==>/);
    expect(t5).toMatch(/-\.->/);
    expect(checkMermaid(t5)).toEqual([]);
  });

  it("shows the attack in every witness of a breach or a detection: an adversarial node, marked, with its edge", () => {
    let checked = 0;
    for (const t of attacks.threats) {
      for (const m of attacks.models) {
        const r = t.results[m]!;
        if (r.breach + r.detected === 0 || !r.witness_history) continue;
        checked++;
        const run = witnessRun(r.witness_history);
        const acts = adversarialEvents(run);
        expect(acts.length, `${t.id} ${m}: no adversarial node`).toBeGreaterThan(0);
        const text = eventsByRoom(run)
          .map((g) => witnessMermaid(g.events))
          .join("\n");
        // Marked: drawn with its act's class and shape; and the act rests on something (an edge from it).
        for (const a of new Set(acts.map((e) => e.act))) expect(text, `${t.id} ${m}`).toContain(`act_${a}`);
        const rests = acts.filter((e) => e.parents.length > 0 || (e.auth?.length ?? 0) > 0 || e.replays || e.ends);
        expect(rests.length, `${t.id} ${m}: no adversarial node rests on anything`).toBeGreaterThan(0);
        // Every adversarial operation of the history has a node, or marks one (a withheld event).
        const ops = r.witness_history.filter((o) => o.op === "adversary").length;
        expect(acts.length, `${t.id} ${m}`).toBeGreaterThanOrEqual(Math.min(ops, 1));
      }
    }
    expect(checked).toBeGreaterThan(attacks.threats.length);
    // The legend is given once, and names every shape.
    expect(md.split("Event graphs: arrows point").length).toBe(2);
    for (const a of Object.values(ACTS)) expect(md).toContain(a.shapeName);
  });

  it("is the same, byte for byte, for the same seed and sizes", async () => {
    expect(threatModelMarkdown(reportInput(await smallSweep(3)))).toBe(md);
  }, 240_000); // a second small search of the whole catalogue: slow on a loaded machine

  it("has an availability table per 100 honest runs, per model in the results", () => {
    const zero = {
      runs: 0,
      runs_with_false_alarms: 0,
      runs_with_false_rejections: 0,
      false_alarms: 0,
      false_rejections: 0,
      breaches: 0,
    };
    const results = Object.fromEntries(attacks.models.map((m) => [m, { ...zero }])) as never as Record<
      string,
      typeof zero
    >;
    results[attacks.models[0]!] = {
      runs: 8,
      runs_with_false_alarms: 1,
      runs_with_false_rejections: 2,
      false_alarms: 3,
      false_rejections: 5,
      breaches: 0,
    };
    const text = threatModelMarkdown(
      reportInput({
        ...attacks,
        availability: { scripted: ["a.json"], generated: 7, seed: 1, results: results as never },
      }),
    );
    expect(text).toContain(
      `| ${attacks.models[0] === "baseline" ? "Baseline" : attacks.models[0]} | 8 | 37.5 | 62.5 | 1 | 2 | 0 |`,
    );
    expect(md).toContain("No honest stress runs in this results file");
  });

  it("has long-form CSV rows: the columns asked for, threats in natural order, counts from the tally", () => {
    const rows = threatModelRows(attacks);
    expect(rows[0]).toEqual([
      "threat",
      "title",
      "model",
      "mark",
      "budget",
      "breaches",
      "undetected",
      "detected",
      "false rejections",
      "false alarms",
      "read by attacker",
      "witness",
    ]);
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows).toHaveLength(1 + CATALOGUE.length * MODEL_IDS.length);
    const ids = rows.slice(1).map((r) => r[0] as string);
    expect(ids).toEqual([...ids].sort(byThreatId));
    expect(ids.indexOf("T2")).toBeLessThan(ids.indexOf("T10"));
    for (const row of rows.slice(1)) {
      const t = attacks.threats.find((x) => x.id === row[0])!;
      const r = t.results[row[2] as string]!;
      expect(row[1]).toBe(t.title);
      expect(row[3]).toBe(markOf(r));
      expect(row.slice(4, 11)).toEqual([
        r.budget,
        r.breach,
        r.undetected,
        r.detected + r.breach_detected!,
        r.false_rejections,
        r.false_alarms,
        r.attacker_decrypted,
      ]);
    }
  });
});
