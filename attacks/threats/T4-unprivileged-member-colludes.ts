/**
 * T4: an unprivileged member colludes with the homeserver to insert a new member (the proposal's
 * fourth row).
 *
 * Threat: a member without the power to invite hands their keys to the server, which signs an
 * invite with them and accepts it. Capabilities: `forge`, a colluding member. Expected: baseline
 * breach; membership tree breach (❌): the tree "does not cryptographically verify that the senders
 * of those state events had the required power levels" (MSC3917 §Potential issues).
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
import type { Threat } from "../threat.ts";

export const T4: Threat = {
  id: "T4",
  title: "Unprivileged member colludes with homeserver to insert a new member",
  proposalRow: 4,
  section: "Potential issues; Threat modeling, row 4",
  capabilities: ["forge", "colluding member"],
  expected: { baseline: "breach", "membership-tree": "breach", "state-dag": "prevented", "state-dag-no-ts": "prevented", "signal-pgs": "breach", "mls": "detected" },
  scenario: "scenarios/attacks/T4-unprivileged-member-colludes.json",
  summary: "Power levels are not part of the signed tree: any member's signature is a valid permission.",
};
