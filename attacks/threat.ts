/**
 * What a threat in the catalogue is (DESIGN.md §9): a stable ID, the proposal's section, the
 * adversary's capabilities, what each model is expected to give, and the scripted scenario that is
 * its basic form. Each threat lives in `attacks/threats/Tn-*.ts`, which opens with the prose.
 */
import type { ModelId } from "../sim/models/index.ts";
import type { Outcome } from "../sim/world/oracle.ts";
import type { Dimension } from "./search/space.ts";

export interface Threat {
  id: string;
  title: string;
  /** The row of the proposal's threat table (T1-T4), or null. */
  proposalRow: number | null;
  /** Where in MSC3917 the threat is discussed. */
  section: string;
  capabilities: string[];
  /**
   * The threat's search space: the dimensions of attack parameters the search varies around the
   * basic form (attacks/search/space.ts). Each must have something to act on in the scenario.
   */
  space: readonly Dimension[];
  /** The expected outcome of the basic form, per model: its scenario file's `expect` (the one copy). */
  expected: Record<ModelId, Outcome>;
  /** The scripted scenario of the basic form, relative to the repository. */
  scenario: string;
  /** One paragraph: the threat and what decides it. */
  summary: string;
}

/** A threat as its file declares it: everything but `expected`, which the catalogue reads from the scenario. */
export type ThreatEntry = Omit<Threat, "expected">;
