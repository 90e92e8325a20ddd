/**
 * T5: an invite forged from an honest member.
 *
 * Threat: the server fabricates an invite "from" a real member, signed with a room signing key it
 * made under a master key it made, and a join for its own user on top. Capability: `forge`.
 * Expected: baseline breach; membership tree prevented: check_sender finds the RSK is not signed
 * by the member's real MSK (sender_rsk_msk). MSC3917 §Membership Event Signature Tree.
 *
 * ```mermaid
 * flowchart BT
 *   create{{"m.room.create"}}
 *   forged["invite 'from Alice' (RSK under a server-made MSK)"] -.-x create
 *   mallory{{"Mallory's join"}} ==> forged
 * ```
 */
import type { ThreatEntry } from "../threat.ts";

export const T5: ThreatEntry = {
  id: "T5",
  title: "Invite forged from an honest member",
  proposalRow: null,
  section: "Membership Event Signature Tree (check_sender, sender_rsk_msk)",
  capabilities: ["forge"],
  space: ["fork", "claimed_time", "grinding", "placement", "delay", "noise"],
  scenario: "scenarios/attacks/T5-forged-invite.json",
  summary: "Only the member's MSK can sign their RSK; a server-made RSK fails at sender_rsk_msk.",
};
