/**
 * T17: a forged space child.
 *
 * Threat: a member finds rooms through a space; the server lists a room of its own in the space,
 * in an `m.space.child` "from" a real member, signed with a key it made. Capability: `forge`.
 * Expected: baseline breach (clients today join what the space lists); membership tree prevented:
 * "clients should verify that m.space.child events are properly signed, and that the senders'
 * cause-of-membership events pass validation" (MSC3917 §Rooms as Keys), which `verifySpaceChildren`
 * does before the client trusts the child's RRK.
 *
 * ```mermaid
 * flowchart BT
 *   create{{"space: m.room.create"}}
 *   real{{"m.space.child r2, signed by Alice"}} ==> create
 *   forged["m.space.child (server's room), RSK under a server-made MSK"] -.-x create
 * ```
 */
import type { ThreatEntry } from "../threat.ts";

export const T17: ThreatEntry = {
  id: "T17",
  title: "Forged space child",
  proposalRow: null,
  section: "Rooms as Keys (signed m.space.child)",
  capabilities: ["forge"],
  space: ["placement", "delay", "noise"],
  scenario: "scenarios/attacks/T17-forged-space-child.json",
  summary: "A space vouches for a child's RRK only through a verified member's signature.",
};
