/**
 * T10: cross-room replay.
 *
 * Threat: the server copies a member's signed join from one room into another, where that member
 * was never admitted. Capability: `forge`. Expected: baseline breach; membership tree prevented:
 * every signed membership event carries the room's RRK, so the copy fails join_rrk (MSC3917
 * §Membership Event Signature Tree: "The RRK is included in the signed data").
 *
 * ```mermaid
 * flowchart BT
 *   c2{{"r2: m.room.create"}}
 *   j2{{"Carol's join (room_root_key = r2)"}} ==> c2
 *   c1{{"r1: m.room.create"}}
 *   copy["the same join, served in r1"] -.-x c1
 * ```
 */
import type { ThreatEntry } from "../threat.ts";

export const T10: ThreatEntry = {
  id: "T10",
  title: "Cross-room replay",
  proposalRow: null,
  section: "Membership Event Signature Tree (room_root_key in the signed content)",
  capabilities: ["forge"],
  space: ["replay", "placement", "delay", "noise"],
  scenario: "scenarios/attacks/T10-cross-room-replay.json",
  summary: "The RRK in every signed membership event binds it to one room.",
};
