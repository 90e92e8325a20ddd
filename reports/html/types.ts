/**
 * The HTML report's own input: small, typed, and independent of how the sweep stores its results.
 * A thin function maps the report's data onto it; `page.ts` turns it into one HTML file.
 */
import type { Act, WitnessEvent } from "./mermaid-graph.ts";

export type { Act, WitnessEvent };

/** The proposal's marks. What each one means is given by the report (`HtmlReport.marks`). */
export type Mark = "✅" | "🚧" | "❌";

export interface HtmlThreat {
  /** `T1` … `T18`; sorted naturally on the page (T2 before T10). */
  id: string;
  title: string;
}

export interface HtmlModel {
  id: string;
  title: string;
}

/** What a cell's search counted. */
export interface CellCounts {
  /** Runs the search was allowed (its budget) for this cell. */
  budget: number;
  /** Runs in which a breach happened, detected or not. */
  breaches: number;
  /** Breaches no honest client raised an alarm about. */
  undetected: number;
  /** Runs in which an honest client raised a tamper alarm. */
  detected: number;
  /** Honest events an honest verifier rejected. */
  falseRejections: number;
  /** Alarms raised in runs where nothing adversarial happened to the alarmed client. */
  falseAlarms: number;
  /** Messages an illegitimate device read, when the report counts it. */
  readByAttacker?: number;
}

/** One threat × model cell of the catalogue, as measured. */
export interface HtmlCell {
  threat: string;
  model: string;
  /** `null`: not measured (e.g. the threat does not apply); shown as "—". */
  mark: Mark | null;
  counts: CellCounts;
  /** The witness (`HtmlWitness.id`) that shows the cell's worst run, if any. */
  witness: string | null;
  /** One sentence on why the mark is what it is, computed by the report; optional. */
  note?: string;
}

/** A row of the proposal's own table: what it claims per model. */
export interface ProposalRow {
  threat: string;
  claims: Partial<Record<string, Mark>>;
  /** The proposal's footnote for the row, verbatim. */
  note?: string;
}

/** One step of a witness run, in order. */
export interface WitnessStep {
  /** Position in the run (0-based or 1-based, as the history numbers it). */
  index: number;
  /** Who acted: a user ID, `adversary`, or a server name. */
  actor: string;
  /** The operation, e.g. `invite`, `forge_join`, `withhold`. */
  op: string;
  /** `honest` for a member's step; otherwise what the adversary did. */
  act: Act;
  /** A short line, e.g. `@mallory:evil invites @eve:evil`. */
  summary: string;
  /** The event the step made or acted on, if any. */
  event?: string;
  /** Whether the world let the step happen (an honest step may be refused). */
  ok?: boolean;
}

export interface HtmlWitness {
  /** Unique; cells link to it. */
  id: string;
  threat: string;
  model: string;
  /** The scenario file that replays it: `npm run scenarios -- FILE`. */
  file: string;
  /** The verdict in words, e.g. `undetected breach: @eve:evil read 2 messages`. */
  verdict: string;
  seed?: number | string;
  steps: WitnessStep[];
  /** The membership tree or DAG; one graph per `room` when events name several. */
  events: WitnessEvent[];
}

/** One bench measurement: verification cost at a room size. */
export interface BenchPoint {
  /** What was measured, e.g. `membership-tree verify` or `state-dag incremental`. */
  series: string;
  members: number;
  ms: number;
  peak_mb?: number;
}

/** The search's progress for one cell: undetected breaches found so far, against runs spent. */
export interface ProgressSeries {
  threat: string;
  model: string;
  points: { runs: number; undetected: number }[];
}

export interface HtmlReport {
  title: string;
  /** The package version, and a short provenance line (seed, runs); both shown in the header. */
  version: string;
  provenance: string;
  /** What each mark means, from the code that computes marks. */
  marks: Record<Mark, string>;
  /** What each count means, one sentence each (the page's legend). */
  counts?: Partial<Record<keyof CellCounts, string>>;
  threats: HtmlThreat[];
  models: HtmlModel[];
  /** The proposal's table: its models (columns) and rows. */
  proposal: { models: string[]; rows: ProposalRow[] };
  cells: HtmlCell[];
  witnesses: HtmlWitness[];
  bench: BenchPoint[];
  /** When there are no bench points: why, and how to make them (shown in the chart's place). */
  benchMissing?: string;
  progress: ProgressSeries[];
}
