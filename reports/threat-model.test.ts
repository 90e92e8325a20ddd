import { describe, expect, it } from "vitest";
import { CATALOGUE } from "../attacks/catalogue.ts";
import { sweepThreat } from "../attacks/sweep.ts";
import { MODEL_IDS } from "../sim/models/index.ts";
import { toAttacksJson } from "../attacks/cli.ts";
import { reportInput } from "./cli.ts";
import { witnessGraph } from "./mermaid.ts";
import { type AttacksJson, type TallyJson, markOf, threatModelMarkdown, threatModelRows } from "./threat-model.ts";
import { runScenario } from "../scenarios/runner.ts";
import { loadScenario } from "../scenarios/cli.ts";
import { join } from "node:path";
import { REPO } from "../attacks/replay.ts";

const tally = (over: Partial<TallyJson>): TallyJson => ({ basic: "prevented", trials: 10, prevented: 10, detected: 0, breach: 0, false_rejections: 0, attacker_decrypted: 0, property_violations: 0, example: null, ...over });

describe("marks", () => {
  it.each([
    ["no breach", tally({}), "✅"],
    ["detected in some trials only", tally({ prevented: 7, detected: 3 }), "✅"],
    ["always detected", tally({ prevented: 0, detected: 10, basic: "detected" }), "🚧"],
    ["breaches only in variants", tally({ prevented: 8, breach: 2 }), "🚧"],
    ["a breach in the basic form", tally({ basic: "breach", breach: 1, prevented: 9 }), "❌"],
  ])("%s", (_why, t, mark) => {
    expect(markOf(t)).toBe(mark);
  });
});

/** The sweep, small, as `npm run report` would run it (without writing files: the witness is the scripted form). */
async function smallSweep(runs: number): Promise<AttacksJson> {
  const results = [];
  for (const t of CATALOGUE) results.push(await sweepThreat(t, runs, 3917));
  return toAttacksJson(results, runs, 3917, (r, m) => (r.results[m].example && r.results[m].example.outcome !== "prevented" ? r.threat.scenario : null)) as AttacksJson;
}

/**
 * A careful check of the flowchart syntax we emit (the mermaid package needs a browser): every
 * line is a header, a node, an edge between defined nodes, or a class line.
 */
function checkMermaid(graph: string): string[] {
  const problems: string[] = [];
  const defined = new Set<string>();
  const lines = graph.split("\n");
  if (lines[0] !== "flowchart BT") problems.push(`first line: ${lines[0]}`);
  for (const line of lines.slice(1)) {
    let m: RegExpMatchArray | null;
    if ((m = line.match(/^ {2}(e\d+)(\{\{"[^"]*"\}\}|\["[^"]*"\])$/))) defined.add(m[1]!);
    else if ((m = line.match(/^ {2}(e\d+) (==>|-\.->|-->) (e\d+)$/))) {
      if (!defined.has(m[1]!) || !defined.has(m[3]!)) problems.push(`edge before its nodes: ${line}`);
    } else if (!/^ {2}classDef \w+ fill:#[0-9a-f]{6};$/.test(line) && !/^ {2}class (e\d+,)*e\d+ \w+;$/.test(line)) problems.push(`unexpected line: ${line}`);
  }
  return problems;
}

const attacks = await smallSweep(3);
const input = reportInput(attacks);
const md = threatModelMarkdown(input);

describe("the threat-model report", () => {

  it("has the proposal's four rows, in order, measured, then the full catalogue", () => {
    const section = md.slice(md.indexOf("## The proposal's table, measured"), md.indexOf("## The full catalogue"));
    const rows = section.split("\n").filter((l) => /^\| T\d/.test(l)).map((l) => l.slice(2, 4));
    expect(rows).toEqual(["T1", "T2", "T3", "T4"]);
    expect(md).toContain("| Attack | Baseline (Matrix today) | Membership tree | State DAG (ts) | State DAG (no-ts) |");
    for (const t of CATALOGUE) expect(md).toContain(`| ${t.id}: ${t.title} |`);
  });

  it("shows in every cell the counts of attacks.json", () => {
    for (const t of attacks.threats) {
      const line = md.split("\n").find((l) => l.startsWith(`| ${t.id}: `))!;
      const cells = line.split(" | ").slice(1);
      MODEL_IDS.forEach((m, i) => {
        const r = t.results[m];
        expect(cells[i], `${t.id} ${m}`).toMatch(new RegExp(`^${markOf(r)} ${r.breach}/${r.trials}`));
      });
    }
  });

  it("compares the proposal's claims with the measurements, and footnotes every 🚧 and ❌ cell with a replayable witness", () => {
    expect(md).toContain("## Claims against measurements");
    expect(md).toMatch(/\*\*T3, State DAG \(ts\)\*\*: the proposal claims 🚧/);
    const marked = attacks.threats.flatMap((t) => MODEL_IDS.filter((m) => markOf(t.results[m]) !== "✅"));
    expect((md.match(/^### \[\d+\]/gm) ?? []).length).toBe(marked.length);
    expect(md).toContain("Replay: `npm run scenarios -- scenarios/attacks/T2-reinsert-banned.json`");
    expect(md).toContain("- ❌: an undetected breach in the attack's basic form.");
  });

  it("draws mermaid graphs that parse, with thick signed edges and dotted forged ones", async () => {
    const graphs = [...md.matchAll(/```mermaid\n([\s\S]*?)\n```/g)].map((m) => m[1]!);
    expect(graphs.length).toBeGreaterThan(0);
    for (const g of graphs) expect(checkMermaid(g)).toEqual([]);
    const t5 = witnessGraph((await runScenario(loadScenario(join(REPO, "scenarios/attacks/T5-forged-invite.json")), "baseline")).history);
    expect(t5).toMatch(/==>/);
    expect(t5).toMatch(/-\.->/);
    expect(checkMermaid(t5)).toEqual([]);
  });

  it("is the same, byte for byte, for the same seed and sizes", async () => {
    expect(threatModelMarkdown(reportInput(await smallSweep(3)))).toBe(md);
  });

  it("has long-form CSV rows", () => {
    const rows = threatModelRows(attacks);
    expect(rows[0]).toEqual(["threat", "model", "trials", "prevented", "detected", "breach", "false_rejections", "example"]);
    expect(rows).toHaveLength(1 + CATALOGUE.length * MODEL_IDS.length);
  });
});
