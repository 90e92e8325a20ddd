/**
 * T7: impersonation via an MSK reset.
 *
 * Threat: the victim's homeserver pretends the victim reset their keys: it lists an MSK it made,
 * and once a member's client has taken the "new" key (as clients do after a reset they have not
 * verified), forges the victim's leave, waits for a re-invite naming the new MSK, and joins as the
 * victim. Capabilities: `lieAboutKeys`, `forge`. Expected: baseline breach; membership tree breach:
 * the re-invite is a real member's permission for the server's MSK. Out-of-band verification stops
 * it (T7-msk-reset-impersonation-verified). MSC3917 §Potential issues (MSK resets).
 *
 * ```mermaid
 * flowchart BT
 *   create{{"m.room.create"}}
 *   inv1{{"Alice invites Bob (real MSK)"}} ==> create
 *   bob{{"Bob's join"}} ==> inv1
 *   leave["'Bob' leaves (server-made)"]
 *   inv2{{"Alice re-invites Bob, naming the server's MSK"}} ==> create
 *   fake{{"'Bob' joins with the server's MSK"}} ==> inv2
 * ```
 */
import type { ThreatEntry } from "../threat.ts";

export const T7: ThreatEntry = {
  id: "T7",
  title: "Impersonation via an MSK reset",
  proposalRow: null,
  section: "Potential issues (MSK resets)",
  capabilities: ["lieAboutKeys", "forge"],
  space: ["fork", "claimed_time", "grinding", "placement", "delay", "noise"],
  scenario: "scenarios/attacks/T7-msk-reset-impersonation.json",
  summary:
    "A reset is indistinguishable from a substitution to a client that never verified the user; the re-invite then vouches for the attacker's MSK.",
};
