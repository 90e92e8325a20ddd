/**
 * T1: the homeserver admin inserts a new member (the proposal's first row).
 *
 * Threat: a malicious homeserver adds a user of its own to an encrypted room, so that honest
 * clients share room keys with that user's devices. Capability: `forge` (events of the server's
 * making, with keys it makes). Expected: baseline breach; membership tree prevented: the inserted
 * join has no chain of signatures from a member back to the RRK-signed create event.
 * MSC3917 §Membership Event Signature Tree; threat table, row 1 (✅).
 *
 * ```mermaid
 * flowchart BT
 *   create{{"m.room.create (RRK-signed)"}}
 *   alice{{"Alice's join"}} ==> create
 *   invite{{"Alice invites Bob"}} ==> create
 *   bob{{"Bob's join"}} ==> invite
 *   mallory["Mallory's join (server-made, no signed parent)"] -.-x create
 * ```
 */
import type { ThreatEntry } from "../threat.ts";

export const T1: ThreatEntry = {
  id: "T1",
  title: "Homeserver admin inserts a new member",
  proposalRow: 1,
  section: "Membership Event Signature Tree; Threat modeling, row 1",
  capabilities: ["forge"],
  space: ["fork", "claimed_time", "grinding", "placement", "delay", "noise"],
  scenario: "scenarios/attacks/T1-insert-member.json",
  summary:
    "The server adds a member of its own with a plain join. Without signatures nothing distinguishes it; with the membership tree the join rests on nothing signed.",
};
