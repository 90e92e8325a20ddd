/**
 * T16: a forged restricted-join chain.
 *
 * Threat: a room admits members of another room; the server joins a user of its own with a forged
 * proof of membership there (`unsigned.membership_events`). Capability: `forge`. Expected: baseline
 * breach; membership tree prevented: the proof is verified as a cause of membership in the other
 * room, back to that room's RRK (join_state).
 *
 * ```mermaid
 * flowchart BT
 *   c1{{"r1: m.room.create (real)"}}
 *   finv["'Olivia invites Mallory' (server-made RSK)"] -.-x c1
 *   fjoin["Mallory's join in r1"] ==> finv
 *   rule{{"r2: join rule, restricted to r1"}}
 *   join["Mallory's join in r2, proof attached"] ==> rule
 * ```
 */
import type { ThreatEntry } from "../threat.ts";

export const T16: ThreatEntry = {
  id: "T16",
  title: "Forged restricted-join chain",
  proposalRow: null,
  section: "Membership Event Signature Tree (restricted join rules, membership_events)",
  capabilities: ["forge"],
  space: ["fork", "claimed_time", "grinding", "placement", "delay", "noise"],
  scenario: "scenarios/attacks/T16-forged-restricted-chain.json",
  summary: "The proof from the allowed room must itself verify to that room's RRK.",
};
