/**
 * T12: a parent cycle through a fake ID mapping.
 *
 * Threat: clients cannot recompute event IDs, so the server serves an event under an ID of its
 * choosing and builds a loop of parent_event_id links, to make a verifier loop, overflow, or accept
 * a chain that never reaches the create event. Capability: `forge`. Expected: baseline breach;
 * membership tree prevented: verification is iterative and a loop is `parent_cycle`.
 *
 * ```mermaid
 * flowchart BT
 *   join{{"Mallory's join"}} ==> inv
 *   inv{{"'invite' served as $fake"}} ==> join
 * ```
 */
import type { ThreatEntry } from "../threat.ts";

export const T12: ThreatEntry = {
  id: "T12",
  title: "Parent cycle via a fake ID mapping",
  proposalRow: null,
  section: "Membership Event Signature Tree (the recursion in the flowchart)",
  capabilities: ["forge"],
  space: ["placement", "delay", "noise"],
  scenario: "scenarios/attacks/T12-parent-cycle.json",
  summary: "A chain must reach the RRK-signed create event; a loop never does, and is found in linear time.",
};
