/**
 * T2: the homeserver admin re-inserts a banned member (the proposal's second row).
 *
 * Threat: after a ban, the server serves the banned member's old join as current state again.
 * Capability: `forge`. Expected: baseline breach; membership tree breach, as the proposal's table
 * says (❌): the old join's chain of signatures is still valid, and the ban is not part of any
 * chain, so the verifier cannot know about it (MSC3917 §Potential issues). The state DAG
 * alternative is meant to detect the missing ban.
 *
 * ```mermaid
 * flowchart BT
 *   create{{"m.room.create"}}
 *   invite{{"Alice invites Bob"}} ==> create
 *   bob{{"Bob's join (valid chain)"}} ==> invite
 *   ban["Alice bans Bob (unsigned, not in any chain)"]
 *   bob -. "server serves this again" .-> ban
 * ```
 */
import type { ThreatEntry } from "../threat.ts";

export const T2: ThreatEntry = {
  id: "T2",
  title: "Homeserver admin re-inserts a banned member",
  proposalRow: 2,
  section: "Potential issues; Threat modeling, row 2",
  capabilities: ["forge"],
  space: ["replay", "placement", "delay", "noise"],
  scenario: "scenarios/attacks/T2-reinsert-banned.json",
  summary:
    "The ban is just a state event; the banned member's signed chain still verifies once the server shows the old join again.",
};
