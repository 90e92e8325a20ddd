/**
 * T19: join-rule replay across rooms (a gap in MSC3917 itself).
 *
 * Threat: a public (or restricted) join rule that a member set in another room is served under the
 * event ID a forged join names as its parent. MSC3917 gives `m.room.join_rules` no `room_root_key`:
 * a rule is tied to its room only through `parent_event_id`, the sender's cause of membership, and
 * event IDs are the server's to map (a membership-tree client does not recompute them). So the
 * server serves the rule, and under its parent's ID a copy of the sender's genuine cause in this
 * room. Capability: `forge` (serving events for look-ups, and the join).
 *
 * Expected, measured: baseline breach; membership tree **breach**: the verifier checks the rule's
 * signature and its sender's chain, both genuine, and a public rule is `check_sender` only, so a
 * rule Bob made for his own room lets anyone into Alice's private one, whatever Bob's power there.
 * State DAG detected: resolution applies the rule only as a node of this room's DAG, where the rule
 * is still `invite`, so Mallory's join is refused; a client on an honest server, which refused the
 * join too, raises an alarm on the heads of a message that names it. (With every user on the
 * malicious server there is no one to raise it: the search varies placement.) Section: MSC3917
 * §Membership Event Signature Tree (the join-rule fields; the flowchart's join_rule_type). The fix
 * is for the rule to carry the RRK in its signed content, as membership events do.
 *
 * ```mermaid
 * flowchart BT
 *   c1{{"r1: m.room.create (Alice)"}}
 *   bobj{{"Bob's join in r1"}} ==> c1
 *   c2{{"r2: m.room.create (Bob)"}}
 *   rule{{"Bob's public rule in r2"}} ==> c2
 *   copy["copy of Bob's r1 join, served under the ID of r2's create"] -.- c2
 *   copy ==> c1
 *   mallory{{"Mallory's join in r1"}} ==> rule
 * ```
 */
import type { ThreatEntry } from "../threat.ts";

export const T19: ThreatEntry = {
  id: "T19",
  title: "Join-rule replay across rooms",
  proposalRow: null,
  section: "Membership Event Signature Tree (m.room.join_rules fields: no room_root_key)",
  capabilities: ["forge"],
  space: ["fork", "claimed_time", "grinding", "placement", "delay", "noise"],
  scenario: "scenarios/attacks/T19-join-rule-replay.json",
  summary: "A join rule carries no RRK: a public rule from another room, under a remapped parent, verifies here.",
};
