/**
 * T15: a third-party invite with an identity-server key the server chose.
 *
 * Threat: the homeserver makes a successor invite on a member's third-party invite, for a user of
 * its own, with the binding signed by an identity-server key it controls. Capability: `forge`.
 * Expected: baseline breach; membership tree prevented: only a key listed in the member-signed
 * m.room.third_party_invite counts (idserver_sig; MSC3917 §Security considerations). State DAG
 * detected: honest servers refuse the forged invite (room v11 rule 4.4.1.7), so a client on one
 * meets DAG references to nodes its server does not hold, and raises an alarm.
 *
 * ```mermaid
 * flowchart BT
 *   create{{"m.room.create"}}
 *   tpi{{"Alice's m.room.third_party_invite (lists the IS key)"}} ==> create
 *   succ["successor invite, binding signed by the server's own key"] --> tpi
 *   mallory{{"Mallory's join"}} ==> succ
 * ```
 */
import type { ThreatEntry } from "../threat.ts";

export const T15: ThreatEntry = {
  id: "T15",
  title: "Third-party invite with an identity key the server chose",
  proposalRow: null,
  section: "Security considerations (third-party invites)",
  capabilities: ["forge"],
  space: ["fork", "claimed_time", "grinding", "placement", "delay", "noise"],
  scenario: "scenarios/attacks/T15-third-party-key.json",
  summary: "The member who signed the third-party invite chose which identity-server keys count.",
};
