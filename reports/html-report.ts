/**
 * The HTML page's input (reports/html/types.ts) from a results file: a thin map from `AttacksJson`
 * and the bench's JSON onto `HtmlReport`. Nothing here decides a mark: every mark and every reason
 * is `verdictOf`'s (threat-model.ts), every count is the tally's (derived from older fields when a
 * results file predates it), and every witness is read from its run's history (witness.ts).
 */
import type { BenchPoint, CellCounts, HtmlCell, HtmlReport, HtmlWitness, Mark, ProposalRow } from "./html/types.ts";
import {
  type AttacksJson,
  type TallyJson,
  COUNT_MEANING,
  MARK_MEANING,
  PROPOSAL_CLAIMS,
  byThreatId,
  countsOf,
  modelTitle,
  proposalColumns,
  verdictOf,
} from "./threat-model.ts";
import { witnessRun } from "./witness.ts";

/** What `npm run bench` writes to reports/out/bench.json. */
export interface BenchJson {
  written: string;
  points: BenchPoint[];
}

export interface HtmlReportOptions {
  version: string;
  bench: BenchJson | null;
  /** Why there is no bench data, and how to make it (shown on the page). */
  why?: string | null;
}

/** The witness's ID on the page: its threat and model. */
export const witnessId = (threat: string, model: string): string => `${threat}-${model}`;

/** The first-found runs of a cell, in words, from its tally (absent from older results files). */
function firstFound(t: TallyJson): string | null {
  const parts: string[] = [];
  if (t.first_breach != null) parts.push(`first breach at run ${t.first_breach}`);
  if (t.first_undetected != null) parts.push(`first undetected at run ${t.first_undetected}`);
  return parts.length ? parts.join(", ") : null;
}

/** The witness's verdict in words, from its cell's counts. */
function verdictLine(t: TallyJson): string {
  const v = verdictOf(t);
  const c = countsOf(t);
  // In words only: the page draws marks with glyphs of its own (no emoji font on many systems).
  const head =
    v.mark === "❌"
      ? `breached: undetected breach in ${c.undetected} of ${t.trials} trials`
      : v.mark === "🚧"
        ? `partial: ${v.why ?? ""}`
        : v.mark === "n/a"
          ? `not applicable: ${v.why}`
          : `protected: no breach in ${t.trials} trials${c.detected ? `, ${c.detected} detected` : ""}`;
  const first = firstFound(t);
  return `${head}${first ? `; ${first}` : ""}; ${c.readByAttacker} messages read by the attacker over all trials; this is the worst trial`;
}

export function htmlReportOf(attacks: AttacksJson, options: HtmlReportOptions): HtmlReport {
  const threats = [...attacks.threats].sort((a, b) => byThreatId(a.id, b.id));
  const cols = proposalColumns(attacks.models);
  const proposalRows: ProposalRow[] = threats
    .filter((t) => t.proposal_row !== null)
    .sort((a, b) => a.proposal_row! - b.proposal_row!)
    .map((t) => {
      const claims: Partial<Record<string, Mark>> = {};
      for (const c of cols) {
        const claimed = c.claim ? PROPOSAL_CLAIMS[t.id]?.[c.claim] : undefined;
        if (claimed && claimed !== "n/a") claims[c.model] = claimed;
      }
      const note = PROPOSAL_CLAIMS[t.id]?.note;
      return { threat: t.id, claims, ...(note ? { note } : {}) };
    });
  const cells: HtmlCell[] = [];
  const witnesses: HtmlWitness[] = [];
  const progress: HtmlReport["progress"] = [];
  for (const t of threats) {
    for (const m of attacks.models) {
      const r = t.results[m];
      if (!r) continue;
      const v = verdictOf(r);
      const counts: CellCounts = countsOf(r);
      let witness: string | null = null;
      if (r.example) {
        witness = witnessId(t.id, m);
        const run = r.witness_history ? witnessRun(r.witness_history) : { steps: [], events: [] };
        witnesses.push({
          id: witness,
          threat: t.id,
          model: m,
          file: r.example,
          verdict: r.witness_history ? verdictLine(r) : `${verdictLine(r)}; no history in the results file`,
          seed: attacks.seed,
          steps: run.steps,
          events: run.events,
        });
      }
      const notes = [v.why, firstFound(r)].filter((x): x is string => x !== null);
      cells.push({
        threat: t.id,
        model: m,
        mark: v.mark === "n/a" ? null : v.mark,
        counts,
        witness,
        ...(notes.length ? { note: notes.join("; ") } : {}),
      });
      // Policy: a results file from before the search kept its progress gets one point, its end.
      const points = r.progress ?? [{ runs: r.trials, breaches: r.breach, undetected: counts.undetected }];
      progress.push({
        threat: t.id,
        model: m,
        points: points.map((p) => ({ runs: p.runs, undetected: p.undetected })),
      });
    }
  }
  const budget =
    attacks.source === "scripted"
      ? "the scripted basic form of each threat, one trial per cell (npm run attacks for the search)"
      : `${attacks.runs} variants per threat and model, seed ${attacks.seed}`;
  const from = attacks.file ?? null;
  const benchFrom = options.bench
    ? `bench: reports/out/bench.json, written ${options.bench.written}`
    : `bench: ${options.why ?? "none"}`;
  return {
    title: "MSC3917 threat model, measured",
    version: options.version,
    provenance: [from ? `from ${from}` : null, budget, benchFrom].filter(Boolean).join(" · "),
    marks: { "✅": MARK_MEANING["✅"], "🚧": MARK_MEANING["🚧"], "❌": MARK_MEANING["❌"] },
    counts: COUNT_MEANING,
    threats: threats.map((t) => ({ id: t.id, title: t.title })),
    models: attacks.models.map((m) => ({ id: m, title: modelTitle(m) })),
    proposal: { models: cols.map((c) => c.model), rows: proposalRows },
    cells,
    witnesses,
    bench: options.bench?.points ?? [],
    ...(options.bench ? {} : { benchMissing: options.why ?? "no bench data: run npm run bench" }),
    progress,
  };
}
