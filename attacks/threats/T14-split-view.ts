/**
 * T14: a split view.
 *
 * Threat: the server shows different clients different states: here it hides a ban from the
 * banner and the banned member while other servers show it. Capability: `withhold` (per
 * client). Expected: baseline breach; membership tree breach: each client verifies the state
 * it is shown, and the banned member's chain is valid in the view without the ban. The signed state
 * DAG, with heads carried in encrypted messages, is the proposal's answer (MSC3917 §Alternatives).
 *
 * ```mermaid
 * flowchart LR
 *   alice["Alice's view: Bob joined"] --- server(("evil.example"))
 *   carol["Carol's view: Bob banned"] --- other(("c.example"))
 * ```
 */
import type { ThreatEntry } from "../threat.ts";

export const T14: ThreatEntry = {
  id: "T14",
  title: "Split view",
  proposalRow: null,
  section: "Alternatives (heads in messages, suppression detection)",
  capabilities: ["withhold"],
  space: ["split_view", "withholding", "silencing", "placement", "delay", "noise"],
  scenario: "scenarios/attacks/T14-split-view.json",
  summary: "Every client verifies the view it is given; nothing in the membership tree compares views.",
};
