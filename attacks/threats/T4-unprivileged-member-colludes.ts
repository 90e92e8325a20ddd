/**
 * T4: an unprivileged member colludes with the homeserver to insert a new member (the proposal's
 * fourth row).
 *
 * Threat: a member without the power to invite hands their keys to the server, which signs an
 * invite with them and accepts it. Capabilities: `forge`, a colluding member. Expected: baseline
 * breach; membership tree breach (❌): the tree "does not cryptographically verify that the senders
 * of those state events had the required power levels" (MSC3917 §Potential issues).
 *
 * Footnote 2 (`scenarios/attacks/T4-lost-invite-power.json`, and the search's fork-point and
 * claimed-time dimensions): a member who had invite rights and lost them forks from before the
 * change, or from before an event of lower power on which the change rests (a new member's join).
 * The outcomes are measured, per model, in the scenario's `expect` and by the search (the report);
 * they are not restated here, where they would go stale.
 *
 * ```mermaid
 * flowchart BT
 *   create{{"m.room.create"}}
 *   pl["power levels: invite = 50; Bob at 0"]
 *   bob{{"Bob's join"}} ==> create
 *   inv{{"invite for Mallory, signed by Bob"}} ==> bob
 *   mallory{{"Mallory's join"}} ==> inv
 * ```
 */
import type { ThreatEntry } from "../threat.ts";

export const T4: ThreatEntry = {
  id: "T4",
  title: "Unprivileged member colludes with homeserver to insert a new member",
  proposalRow: 4,
  section: "Potential issues; Threat modeling, row 4",
  capabilities: ["forge", "colluding member"],
  space: ["fork", "claimed_time", "grinding", "placement", "delay", "noise"],
  scenario: "scenarios/attacks/T4-unprivileged-member-colludes.json",
  summary: "Power levels are not part of the signed tree: any member's signature is a valid permission.",
};
