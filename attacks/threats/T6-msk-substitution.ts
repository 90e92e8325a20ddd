/**
 * T6: MSK substitution at first contact.
 *
 * Threat: before Alice has seen Bob's keys, her server answers `/keys/query` with an MSK it made.
 * Alice's signed invite names that MSK, and the server joins as "Bob" with it. Capabilities:
 * `lieAboutKeys`, `forge`. Expected: baseline breach; membership tree breach, as the proposal
 * concedes: an attacker may "tamper with communications between some existing room member and a
 * new member ... at the moment of first contact" (MSC3917 §Potential issues). Out-of-band
 * verification stops it (scenario T6-msk-substitution-verified: prevented).
 *
 * ```mermaid
 * flowchart BT
 *   create{{"m.room.create"}}
 *   inv{{"Alice invites Bob, naming the server's MSK"}} ==> create
 *   fake{{"'Bob' joins with the server's MSK"}} ==> inv
 * ```
 */
import type { ThreatEntry } from "../threat.ts";

export const T6: ThreatEntry = {
  id: "T6",
  title: "MSK substitution at first contact",
  proposalRow: null,
  section: "Potential issues (first contact, TOFU, MSC3834)",
  capabilities: ["lieAboutKeys", "forge"],
  space: ["fork", "claimed_time", "grinding", "placement", "delay", "noise"],
  scenario: "scenarios/attacks/T6-msk-substitution.json",
  summary:
    "The tree is only as good as the inviter's knowledge of the invitee's MSK; TOFU at first contact can be fooled, verification cannot.",
};
