/**
 * T13: a hidden ban.
 *
 * Threat: the server deletes a ban from everything it serves, so the banned member's valid join
 * stays current. Capability: `withhold`. Expected: baseline breach; membership tree
 * breach: a ban is not part of any chain of signatures. The proposal's state DAG is meant to detect
 * exactly this, through the references later events make to the ban (MSC3917 §Alternatives).
 *
 * ```mermaid
 * flowchart BT
 *   bob{{"Bob's join (valid)"}}
 *   ban["Alice bans Bob: deleted by the server"]
 * ```
 */
import type { ThreatEntry } from "../threat.ts";

export const T13: ThreatEntry = {
  id: "T13",
  title: "Hidden ban",
  proposalRow: null,
  section: "Alternatives (signed state DAG, suppression detection)",
  capabilities: ["withhold"],
  space: ["withholding", "silencing", "split_view", "placement", "delay", "noise"],
  scenario: "scenarios/attacks/T13-hidden-ban.json",
  summary: "What is withheld cannot be verified; only references from later signed events can reveal it.",
};
