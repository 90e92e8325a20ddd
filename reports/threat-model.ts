/**
 * The threat-model report (DESIGN.md §10): pure functions from the sweep's results
 * (`reports/out/attacks.json`) to the proposal's table, measured, the full catalogue and the
 * availability table, in Markdown and in long-form CSV rows. Nothing in a cell is typed in: every
 * mark is computed from counts, every count comes from runs, and the columns are the models the
 * results file names (other models are added in parallel; the report knows none of them by heart).
 */
import type { AvailabilityResult } from "../attacks/availability.ts";
import type { Tally } from "../attacks/sweep.ts";
import type { Operation } from "../sim/world/history.ts";
import type { Outcome } from "../sim/world/oracle.ts";

/**
 * A tally of the sweep (attacks/sweep.ts) as attacks.json holds it: the witness is a file name,
 * with the history of its run (what the report draws; absent in files from before it was kept).
 * Counts added later may be missing from older files (read as 0). A model a threat does not apply
 * to says why in `not_applicable`.
 */
export type TallyJson = Omit<
  Tally,
  | "example"
  | "false_alarms"
  | "breach_detected"
  | "safe_by_exclusion"
  | "budget"
  | "undetected"
  | "first_breach"
  | "first_undetected"
  | "progress"
  | "refused_attacks"
  | "shrink_runs"
  | "run_errors"
  | "first_error"
> &
  Partial<
    Pick<
      Tally,
      | "budget"
      | "undetected"
      | "first_breach"
      | "first_undetected"
      | "progress"
      | "refused_attacks"
      | "shrink_runs"
      | "run_errors"
      | "first_error"
    >
  > & {
    example: string | null;
    witness_history?: Operation[] | null;
    false_alarms?: number;
    breach_detected?: number;
    safe_by_exclusion?: number;
    not_applicable?: string;
  };

export interface AttacksJson {
  /** `scripted`: one trial per threat, the basic forms `npm run scenarios` ran; else a sweep. */
  source?: "scripted";
  /** The results file the report was drawn from (for the report to say). */
  file?: string;
  seed: number;
  runs: number;
  models: string[];
  threats: {
    id: string;
    title: string;
    proposal_row: number | null;
    expected: Record<string, Outcome | string>;
    scenario: string;
    results: Record<string, TallyJson>;
  }[];
  /** The honest stress runs (attacks/availability.ts), when the sweep ran them. */
  availability?: AvailabilityResult;
}

export type Mark = "✅" | "🚧" | "❌" | "n/a";

/** A cell's mark and, for 🚧 and n/a, which case it is, in words from the counts. */
export interface Verdict {
  mark: Mark;
  why: string | null;
}

/**
 * From the worst case, with the budget: ❌ at least one breach no traced alarm came with; 🚧 every
 * breach came with a traced alarm, or no breach but only because legitimate members were left out
 * entirely; ✅ no breach in any of the N trials; n/a when the results say the threat does not apply.
 */
export function verdictOf(t: TallyJson): Verdict {
  if (t.not_applicable !== undefined) return { mark: "n/a", why: t.not_applicable };
  const detectedBreaches = t.breach_detected ?? 0;
  if (t.breach > detectedBreaches) return { mark: "❌", why: null };
  if (t.breach > 0) return { mark: "🚧", why: `all ${t.breach} breaches detected` };
  const excluded = t.safe_by_exclusion ?? 0;
  if (excluded > 0) return { mark: "🚧", why: `no breach, but members shut out in ${excluded}` };
  return { mark: "✅", why: null };
}

export const markOf = (t: TallyJson): Mark => verdictOf(t).mark;

/** The proposal's own table (MSC3917 §Threat modeling), as it claims, with its footnotes. */
export const PROPOSAL_CLAIMS: Record<
  string,
  { "membership-tree": Mark; "state-dag": Mark; signal: Mark; note?: string }
> = {
  T1: { "membership-tree": "✅", "state-dag": "✅", signal: "✅" },
  T2: { "membership-tree": "❌", "state-dag": "✅", signal: "❌" },
  T3: {
    "membership-tree": "❌",
    "state-dag": "🚧",
    signal: "❌",
    note: "(1) dependent on whether timestamps can be falsified",
  },
  T4: {
    "membership-tree": "❌",
    "state-dag": "✅",
    signal: "❌",
    note: "(2) partial if the user once had invitation privileges",
  },
};

/** What each mark means, from `verdictOf` (the Markdown legend and the HTML page both say this). */
export const MARK_MEANING: Record<Mark, string> = {
  "❌": "at least one breach that no traced alarm came with, in the N trials.",
  "🚧": "every breach came with a traced alarm, or there was no breach only because legitimate members were locked out (the cell says which).",
  "✅": "no breach in any of the N trials (N shown).",
  "n/a": "the threat does not apply to the model (the results say why).",
};

/** What the counts mean, one sentence each. */
export const COUNT_MEANING = {
  budget: "runs the search was allowed for the cell (older results files: the trials run)",
  breaches: "trials with a breach, detected or not",
  undetected: "trials with a breach that no traced alarm came with",
  detected:
    "trials in which an honest client raised an alarm the oracle traced to an adversarial act (with a breach or without)",
  falseRejections: "legitimate members left out of a message, over all trials",
  falseAlarms: "alarms the oracle could not trace to an adversarial act, over all trials",
  readByAttacker: "messages devices the adversary made decrypted, over all trials",
} as const;

export const LEGEND = [
  ...(Object.keys(MARK_MEANING) as Mark[]).map((m) => `- ${m}: ${MARK_MEANING[m]}`),
  "",
  "A breach is a legitimate member's message decrypted by a device that was not a legitimate member's when it was sent, measured by real decryption. Legitimacy is the oracle's own room v11 rules applied to what honest actors did, in the order it happened. A detection (det.) is a trial where an honest client raised an alarm whose cause the oracle traced to an adversarial act; every other alarm is a false alarm (fa), counted with the false rejections (fr: legitimate members left out of a message), over all trials. Shut out: an alarm was raised and, after the adversary's first act, no legitimate member's message reached any other legitimate member (the room went dark).",
].join("\n");

/** A cell's counts, the names the CSV and the HTML page give them; counts missing from older files derived. */
export function countsOf(t: TallyJson): {
  budget: number;
  breaches: number;
  undetected: number;
  detected: number;
  falseRejections: number;
  falseAlarms: number;
  readByAttacker: number;
} {
  return {
    budget: t.budget ?? t.trials,
    breaches: t.breach,
    undetected: t.undetected ?? t.breach - (t.breach_detected ?? 0),
    detected: t.detected + (t.breach_detected ?? 0),
    falseRejections: t.false_rejections,
    falseAlarms: t.false_alarms ?? 0,
    readByAttacker: t.attacker_decrypted,
  };
}

/** Column titles for the models this report knows a name for; any other model is shown by its ID. */
const MODEL_TITLE: Record<string, string> = {
  baseline: "Baseline",
  "membership-tree": "Membership tree",
  "state-dag": "State DAG (ts)",
  "state-dag-no-ts": "State DAG (no-ts)",
  "element-all-devices": "Element (all devices)",
  "element-identity-based": "Element (identity-based)",
  "msc3917-on-element": "MSC3917 on Element",
  "signal-pgs": "Signal (PGS)",
  mls: "MLS",
};
export const modelTitle = (m: string): string => MODEL_TITLE[m] ?? m;
const title = modelTitle;

/** Natural order of threat IDs: T2 before T10. */
export function byThreatId(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}

export const cellOf = (t: TallyJson): string => {
  const v = verdictOf(t);
  if (v.mark === "n/a") return `n/a (${v.why})`;
  const counts = `${t.breach}/${t.trials}${t.detected ? `, det. ${t.detected}` : ""}, fr ${t.false_rejections}, fa ${t.false_alarms ?? 0}`;
  return `${v.mark} ${counts}${v.why ? ` (${v.why})` : ""}`;
};

export interface ReportInput {
  attacks: AttacksJson;
  version: string;
  /** The event graphs' legend (every shape, line and colour), given once. */
  graphLegend?: string;
  /** Footnotes: threat → model → the witness's file (replayed by `npm run scenarios -- FILE`) and its mermaid graphs, one a room. */
  witnesses: Record<string, Record<string, { file: string; graphs: { room: string; mermaid: string }[] }>>;
}

/** The proposal's table's columns, from the models present: who stands for "Matrix today", and for Signal. */
export function proposalColumns(
  models: readonly string[],
): { model: string; title: string; claim: "membership-tree" | "state-dag" | "signal" | null }[] {
  const cols: ReturnType<typeof proposalColumns> = [];
  if (models.includes("element-all-devices"))
    cols.push({ model: "element-all-devices", title: "Matrix today (element-all-devices)", claim: null });
  else if (models.includes("baseline"))
    cols.push({
      model: "baseline",
      title: "Matrix today (baseline: element-all-devices is not in the results)",
      claim: null,
    });
  if (models.includes("membership-tree"))
    cols.push({ model: "membership-tree", title: title("membership-tree"), claim: "membership-tree" });
  for (const m of models) if (m.startsWith("state-dag")) cols.push({ model: m, title: title(m), claim: "state-dag" });
  if (models.includes("signal-pgs")) cols.push({ model: "signal-pgs", title: title("signal-pgs"), claim: "signal" });
  return cols;
}

export function threatModelMarkdown(input: ReportInput): string {
  const { attacks } = input;
  const models = attacks.models;
  const threats = [...attacks.threats].sort((a, b) => byThreatId(a.id, b.id));
  const footnotes: string[] = [];
  const noted = new Map<string, string>();
  const note = (threat: string, model: string): string => {
    const key = `${threat}\u0000${model}`;
    const seen = noted.get(key);
    if (seen !== undefined) return seen;
    const w = input.witnesses[threat]?.[model];
    if (!w) return "";
    const n = footnotes.length + 1;
    noted.set(key, ` [${n}]`);
    footnotes.push(
      [
        `### [${n}] ${threat} under ${title(model)}`,
        "",
        `Witness: \`${w.file}\`. Replay: \`npm run scenarios -- ${w.file} --model ${model}\`.`,
        "",
        ...(w.graphs.length
          ? w.graphs.flatMap((g) => [
              ...(w.graphs.length > 1 ? [`Room \`${g.room}\`:`, ""] : []),
              "```mermaid",
              g.mermaid,
              "```",
              "",
            ])
          : [
              "No event graph: the results file carries no history for this witness (run `npm run attacks` again).",
              "",
            ]),
      ].join("\n"),
    );
    return ` [${n}]`;
  };
  const measured = (t: (typeof threats)[number], m: string): string => {
    const tally = t.results[m];
    if (!tally) return "not run";
    const mark = markOf(tally);
    return `${cellOf(tally)}${mark === "✅" || mark === "n/a" ? "" : note(t.id, m)}`;
  };
  const header = `| Attack | ${models.map(title).join(" | ")} |`;
  const rule = `|---|${models.map(() => "---").join("|")}|`;
  const proposalRows = threats.filter((t) => t.proposal_row !== null).sort((a, b) => a.proposal_row! - b.proposal_row!);
  const cols = proposalColumns(models);
  const claimOf = (id: string, c: (typeof cols)[number]): Mark | undefined =>
    c.claim ? PROPOSAL_CLAIMS[id]?.[c.claim] : undefined;
  const proposalHeader = `| Attack | ${cols.map((c) => (c.claim ? `${c.title}, claimed | ${c.title}, measured` : c.title)).join(" | ")} |`;
  const proposalRule = `|---|${cols.map((c) => (c.claim ? "---|---" : "---")).join("|")}|`;
  const proposalRow = (t: (typeof threats)[number]) =>
    `| ${t.id}: ${t.title} | ${cols.map((c) => (c.claim ? `${claimOf(t.id, c) ?? "-"} | ${measured(t, c.model)}` : measured(t, c.model))).join(" | ")} |`;
  const budget =
    attacks.source === "scripted"
      ? "one trial per threat and model (the scripted basic form)"
      : `${attacks.runs} variants per threat and model, seed ${attacks.seed}`;
  const out: string[] = [
    "# MSC3917 threat model, measured",
    "",
    attacks.source === "scripted"
      ? `Generated by \`npm run scenarios\` from the scripted basic form of each threat, one trial each (run \`npm run attacks\`, then \`npm run report\`, for variants), msc3917 ${input.version}.`
      : `Generated from \`${attacks.file ?? "reports/out/attacks.json"}\`: ${budget}, msc3917 ${input.version}.`,
    "Each cell: mark, then breaches/trials, detections (det.), false rejections (fr) and false alarms (fa) over all trials.",
    "",
    "## The proposal's table, measured",
    "",
    "The proposal's claims (MSC3917 §Threat modeling) beside each measurement.",
    "",
    proposalHeader,
    proposalRule,
    ...proposalRows.map(proposalRow),
    "",
    "## The full catalogue",
    "",
    header,
    rule,
    ...threats.map((t) => `| ${t.id}: ${t.title} | ${models.map((m) => measured(t, m)).join(" | ")} |`),
    "",
    ...availabilitySection(attacks),
    "## Claims against measurements",
    "",
    `The proposal's table against the marks measured here (${budget}), for every cell where they differ, with the measured counts and the witness of the worst trial.`,
    "",
  ];
  const diffs: string[] = [];
  for (const t of proposalRows) {
    for (const c of cols) {
      const claimed = claimOf(t.id, c);
      const tally = t.results[c.model];
      if (!claimed || !tally) continue;
      const v = verdictOf(tally);
      if (v.mark === claimed) continue;
      const w = input.witnesses[t.id]?.[c.model];
      const claimNote = PROPOSAL_CLAIMS[t.id]?.note;
      diffs.push(
        `- **${t.id}, ${c.title}**: the proposal claims ${claimed}${claimNote ? ` ${claimNote}` : ""}; measured ${cellOf(tally)}.${w ? ` Witness: \`${w.file}\` (replay: \`npm run scenarios -- ${w.file} --model ${c.model}\`).` : ""}`,
      );
    }
  }
  out.push(
    ...(diffs.length ? diffs : ["Every measured mark agrees with the proposal's."]),
    "",
    "## Legend",
    "",
    LEGEND,
    "",
    ...(input.graphLegend ? [input.graphLegend, ""] : []),
    "## Footnotes",
    "",
    ...(footnotes.length ? footnotes : ["None: every cell is ✅ or n/a."]),
  );
  return `${out.join("\n")}\n`;
}

/** Per 100 honest runs, one decimal. */
const per100 = (count: number, runs: number): string =>
  runs === 0 ? "-" : (Math.round((count * 1000) / runs) / 10).toFixed(1);

function availabilitySection(attacks: AttacksJson): string[] {
  const a = attacks.availability as
    | {
        scripted: string[];
        generated: number;
        results: Record<string, AvailabilityResult["results"][keyof AvailabilityResult["results"]]>;
      }
    | undefined;
  if (!a)
    return ["## Availability", "", "No honest stress runs in this results file: `npm run attacks` runs them.", ""];
  const models = attacks.models.filter((m) => a.results[m]);
  return [
    "## Availability",
    "",
    `What each model costs when nobody attacks: ${a.scripted.length} scripted honest runs (\`scenarios/availability/\`) and ${a.generated} generated ones (federation delay 0-3 steps), per model. Every alarm in them is a false alarm.`,
    "",
    "| Model | Honest runs | False alarms per 100 runs | False rejections per 100 runs | Runs with a false alarm | Runs with a false rejection | Breaches |",
    "|---|---|---|---|---|---|---|",
    ...models.map((m) => {
      const t = a.results[m]!;
      return `| ${title(m)} | ${t.runs} | ${per100(t.false_alarms, t.runs)} | ${per100(t.false_rejections, t.runs)} | ${t.runs_with_false_alarms} | ${t.runs_with_false_rejections} | ${t.breaches} |`;
    }),
    "",
  ];
}

/** The CSV's columns, in order. */
export const CSV_COLUMNS = [
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
] as const;

/** Long-form rows (DESIGN.md §10): one per threat and model, threats in natural order, with the mark and the counts. */
export function threatModelRows(attacks: AttacksJson): (string | number)[][] {
  const rows: (string | number)[][] = [[...CSV_COLUMNS]];
  for (const t of [...attacks.threats].sort((a, b) => byThreatId(a.id, b.id))) {
    for (const m of attacks.models) {
      const r = t.results[m];
      if (!r) continue;
      const c = countsOf(r);
      rows.push([
        t.id,
        t.title,
        m,
        markOf(r),
        c.budget,
        c.breaches,
        c.undetected,
        c.detected,
        c.falseRejections,
        c.falseAlarms,
        c.readByAttacker,
        r.example ?? "",
      ]);
    }
  }
  return rows;
}
