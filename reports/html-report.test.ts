import { describe, expect, it } from "vitest";
import { htmlReportOf, witnessId } from "./html-report.ts";
import { checkReport, htmlPage } from "./html/page.ts";
import { type AttacksJson, type TallyJson, verdictOf } from "./threat-model.ts";

const FAKE = [{ name: "fake", version: "1.0.0", license: "MIT", code: "window.fake = 1;" }];

/** A tally as an older results file has it: no budget, undetected, first-found runs or progress. */
const old = (over: Partial<TallyJson>): TallyJson => ({
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

const attacks: AttacksJson = {
  seed: 7,
  runs: 10,
  models: ["baseline", "membership-tree", "signal-pgs"],
  threats: [
    {
      id: "T10",
      title: "ten",
      proposal_row: null,
      expected: {},
      scenario: "s10.json",
      results: {
        baseline: old({ prevented: 0, breach: 10, attacker_decrypted: 4, example: "w/T10-baseline.json" }),
        "membership-tree": old({ prevented: 7, breach: 3, breach_detected: 3, example: "w/T10-tree.json" }),
        "signal-pgs": old({ not_applicable: "no homeserver to lie" }),
      },
    },
    {
      id: "T2",
      title: "two",
      proposal_row: 2,
      expected: {},
      scenario: "s2.json",
      results: {
        baseline: {
          ...old({ prevented: 0, breach: 5, example: "w/T2-baseline.json", witness_history: [] }),
          budget: 12,
          undetected: 5,
          first_breach: 1,
          first_undetected: 2,
          progress: [
            { runs: 1, breaches: 1, undetected: 0 },
            { runs: 12, breaches: 5, undetected: 5 },
          ],
        },
        "membership-tree": old({ safe_by_exclusion: 2, example: "w/T2-tree.json" }),
        "signal-pgs": old({}),
      },
    },
  ],
};

describe("htmlReportOf", () => {
  const r = htmlReportOf(attacks, { version: "9.9.9", bench: null, why: "no bench.json: run npm run bench" });

  it("gives a page input that checks, with threats in natural order", () => {
    expect(() => checkReport(r)).not.toThrow();
    expect(r.threats.map((t) => t.id)).toEqual(["T2", "T10"]);
    expect(htmlPage(r, FAKE)).toContain("no bench.json: run npm run bench");
  });

  it("takes every mark and reason from verdictOf, and n/a as not measured with its reason", () => {
    for (const t of attacks.threats)
      for (const m of attacks.models) {
        const cell = r.cells.find((c) => c.threat === t.id && c.model === m)!;
        const v = verdictOf(t.results[m]!);
        expect(cell.mark).toBe(v.mark === "n/a" ? null : v.mark);
        if (v.why) expect(cell.note).toContain(v.why);
      }
  });

  it("derives the counts an older results file lacks, and keeps those a newer one has", () => {
    const cell = (t: string, m: string) => r.cells.find((c) => c.threat === t && c.model === m)!;
    expect(cell("T10", "baseline").counts).toEqual({
      budget: 10,
      breaches: 10,
      undetected: 10,
      detected: 0,
      falseRejections: 0,
      falseAlarms: 0,
      readByAttacker: 4,
    });
    expect(cell("T10", "membership-tree").counts.undetected).toBe(0);
    expect(cell("T10", "membership-tree").counts.detected).toBe(3);
    expect(cell("T2", "baseline").counts.budget).toBe(12);
    expect(cell("T2", "baseline").note).toBe("first breach at run 1, first undetected at run 2");
    // Progress: the tally's own points, or one at the end for an older file.
    expect(r.progress.find((p) => p.threat === "T2" && p.model === "baseline")!.points).toEqual([
      { runs: 1, undetected: 0 },
      { runs: 12, undetected: 5 },
    ]);
    expect(r.progress.find((p) => p.threat === "T10" && p.model === "baseline")!.points).toEqual([
      { runs: 10, undetected: 10 },
    ]);
  });

  it("links each cell with a witness file to its witness, which says when the file has no history", () => {
    expect(r.cells.find((c) => c.threat === "T2" && c.model === "baseline")!.witness).toBe(witnessId("T2", "baseline"));
    const noHistory = r.witnesses.find((w) => w.id === witnessId("T10", "baseline"))!;
    expect(noHistory.verdict).toMatch(/no history in the results file/);
    expect(noHistory.file).toBe("w/T10-baseline.json");
    expect(r.cells.find((c) => c.threat === "T2" && c.model === "signal-pgs")!.witness).toBeNull();
  });

  it("claims only where the proposal's table has a column: Signal from signal-pgs, none for baseline", () => {
    expect(r.proposal.rows).toEqual([{ threat: "T2", claims: { "membership-tree": "❌", "signal-pgs": "❌" } }]);
    expect(r.proposal.models).toEqual(["baseline", "membership-tree", "signal-pgs"]);
  });
});
