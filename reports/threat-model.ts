/**
 * The threat-model report (DESIGN.md §10): pure functions from the sweep's results
 * (`reports/out/attacks.json`) to the proposal's table, measured, and the full catalogue, in
 * Markdown and in long-form CSV rows. Nothing in a cell is typed in: every mark is computed from
 * counts, and every count comes from runs.
 */
import type { Tally } from "../attacks/sweep.ts";
import type { ModelId } from "../sim/models/index.ts";
import type { Operation } from "../sim/world/history.ts";
import type { Outcome } from "../sim/world/oracle.ts";

/**
 * A tally of the sweep (attacks/sweep.ts) as attacks.json holds it: the witness is a file name,
 * with the history of its run (what the report draws; absent in files from before it was kept).
 */
export type TallyJson = Omit<Tally, "example"> & { example: string | null; witness_history?: Operation[] | null };

export interface AttacksJson {
  /** `scripted`: one trial per threat, the basic forms `npm run scenarios` ran; else a sweep. */
  source?: "scripted";
  /** The results file the report was drawn from, and when it was written (for the report to say). */
  file?: string;
  written?: string;
  seed: number;
  runs: number;
  models: ModelId[];
  threats: { id: string; title: string; proposal_row: number | null; expected: Record<ModelId, Outcome>; scenario: string; results: Record<ModelId, TallyJson> }[];
}

export type Mark = "✅" | "🚧" | "❌";

/**
 * ✅ no breach in any trial (and not every trial merely detected);
 * 🚧 breaches only in some variants (not the basic form), or every trial detected;
 * ❌ an undetected breach in the attack's basic form.
 */
export function markOf(t: TallyJson): Mark {
  if (t.basic === "breach") return "❌";
  if (t.breach > 0) return "🚧";
  if (t.trials > 0 && t.detected === t.trials) return "🚧";
  return "✅";
}

/** The proposal's own table (MSC3917 §Threat modeling), as it claims. */
export const PROPOSAL_CLAIMS: Record<string, { "membership-tree": Mark; "state-dag": Mark; note?: string }> = {
  T1: { "membership-tree": "✅", "state-dag": "✅" },
  T2: { "membership-tree": "❌", "state-dag": "✅" },
  T3: { "membership-tree": "❌", "state-dag": "🚧", note: "(1) dependent on whether timestamps can be falsified" },
  T4: { "membership-tree": "❌", "state-dag": "✅", note: "(2) partial if the user once had invitation privileges" },
};

export const LEGEND = [
  "- ✅: no breach in any trial.",
  "- 🚧: breaches only in some variants, or always detected.",
  "- ❌: an undetected breach in the attack's basic form.",
  "",
  "A breach is a legitimate member's message decrypted by a device that was not a legitimate member's when it was sent, measured by real decryption; detected means an honest client raised a tamper alarm and no breach happened.",
].join("\n");

const cell = (t: TallyJson): string => `${markOf(t)} ${t.breach}/${t.trials}${t.detected ? `, det. ${t.detected}` : ""}`;

/** Why a measured mark differs from the proposal's, for the cells where it can. */
export function explain(threat: string, model: "membership-tree" | "state-dag", measured: Mark, claimed: Mark): string {
  if (threat === "T3" && model === "state-dag") {
    return "Resolution orders concurrent events by the sender's power before anything else, and a banner must outrank the banned (room v11), so a banned member's invite can never be placed before the ban, whatever time it claims: the ts and no-ts tie-breaks give the same result. What the sweep shows instead is detection: honest servers drop the colluder's forged invite, and honest clients alarm on heads that name it.";
  }
  if (measured === "🚧" && claimed === "✅") return "Every trial was detected rather than silently prevented, which the legend marks 🚧: the protection held, by raising an alarm.";
  if (claimed === "❌" && measured !== "❌") return "The basic form did not breach; see the witness.";
  return "See the witness.";
}

export interface ReportInput {
  attacks: AttacksJson;
  version: string;
  /** Footnotes: threat → model → mermaid graph of the witness run, and the replay command. */
  witnesses: Record<string, Partial<Record<ModelId, { file: string; mermaid: string }>>>;
}

const MODEL_TITLE: Record<string, string> = { baseline: "Baseline (Matrix today)", "membership-tree": "Membership tree", "state-dag": "State DAG (ts)", "state-dag-no-ts": "State DAG (no-ts)" };

export function threatModelMarkdown(input: ReportInput): string {
  const { attacks } = input;
  const models = attacks.models;
  const byId = new Map(attacks.threats.map((t) => [t.id, t]));
  const footnotes: string[] = [];
  const noted = new Map<string, string>();
  const note = (threat: string, model: ModelId): string => {
    const key = `${threat}\u0000${model}`;
    const seen = noted.get(key);
    if (seen !== undefined) return seen;
    const w = input.witnesses[threat]?.[model];
    if (!w) return "";
    const n = footnotes.length + 1;
    noted.set(key, ` [${n}]`);
    footnotes.push(
      [
        `### [${n}] ${threat} under ${MODEL_TITLE[model] ?? model}`,
        "",
        `Witness: \`${w.file}\`. Replay: \`npm run scenarios -- ${w.file}\`.`,
        "",
        "Each membership event points at the event it rests on (`parent_event_id`): thick where a member signed the link, dotted (and red) where the adversary made the event.",
        "",
        "```mermaid",
        w.mermaid,
        "```",
        "",
      ].join("\n"),
    );
    return ` [${n}]`;
  };
  const rowCells = (id: string) => {
    const t = byId.get(id)!;
    return models.map((m) => {
      const tally = t.results[m];
      const mark = markOf(tally);
      return `${cell(tally)}${mark === "✅" ? "" : note(id, m)}`;
    });
  };
  const header = `| Attack | ${models.map((m) => MODEL_TITLE[m] ?? m).join(" | ")} |`;
  const rule = `|---|${models.map(() => "---").join("|")}|`;
  const proposalRows = attacks.threats.filter((t) => t.proposal_row !== null).sort((a, b) => a.proposal_row! - b.proposal_row!);
  const out: string[] = [
    "# MSC3917 threat model, measured",
    "",
    attacks.source === "scripted"
      ? `Generated by \`npm run scenarios\` from the scripted basic form of each threat, one trial each (run \`npm run attacks\`, then \`npm run report\`, for variants), msc3917 ${input.version}. Each cell: mark, then breaches/trials (and detections).`
      : `Generated from \`${attacks.file ?? "reports/out/attacks.json"}\`${attacks.written ? ` (written ${attacks.written})` : ""}: ${attacks.runs} variants per threat and model, seed ${attacks.seed}, msc3917 ${input.version}. Each cell: mark, then breaches/trials (and detections).`,
    "",
    "## The proposal's table, measured",
    "",
    header,
    rule,
    ...proposalRows.map((t) => `| ${t.id}: ${t.title} | ${rowCells(t.id).join(" | ")} |`),
    "",
    "## The full catalogue",
    "",
    header,
    rule,
    ...attacks.threats.map((t) => `| ${t.id}: ${t.title} | ${rowCells(t.id).join(" | ")} |`),
    "",
    "## Claims against measurements",
    "",
    "The proposal's table (MSC3917 §Threat modeling) against the marks measured here, for every cell where they differ. The proposal's state-DAG column is compared with each tie-break.",
    "",
  ];
  const diffs: string[] = [];
  for (const t of proposalRows) {
    const claim = PROPOSAL_CLAIMS[t.id];
    if (!claim) continue;
    for (const m of models) {
      const claimed = m === "membership-tree" ? claim["membership-tree"] : m.startsWith("state-dag") ? claim["state-dag"] : undefined;
      if (!claimed) continue;
      const measured = markOf(t.results[m]);
      if (measured === claimed) continue;
      const w = input.witnesses[t.id]?.[m];
      diffs.push(`- **${t.id}, ${MODEL_TITLE[m] ?? m}**: the proposal claims ${claimed}${claim.note ? ` ${claim.note}` : ""}; measured ${cell(t.results[m])}. ${explain(t.id, m === "membership-tree" ? "membership-tree" : "state-dag", measured, claimed)}${w ? ` Witness: \`${w.file}\`.` : ""}`);
    }
  }
  out.push(...(diffs.length ? diffs : ["Every measured mark agrees with the proposal's."]), "", "## Legend", "", LEGEND, "", "## Footnotes", "", ...(footnotes.length ? footnotes : ["None: every cell is ✅."]));
  return `${out.join("\n")}\n`;
}

/** Long-form rows (DESIGN.md §10): threat, model, trials, prevented, detected, breach, false_rejections, example. */
export function threatModelRows(attacks: AttacksJson): (string | number)[][] {
  const rows: (string | number)[][] = [["threat", "model", "trials", "prevented", "detected", "breach", "false_rejections", "example"]];
  for (const t of attacks.threats) {
    for (const m of attacks.models) {
      const r = t.results[m];
      rows.push([t.id, m, r.trials, r.prevented, r.detected, r.breach, r.false_rejections, r.example ?? ""]);
    }
  }
  return rows;
}
