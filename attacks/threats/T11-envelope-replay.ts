/**
 * T11: envelope replay.
 *
 * Threat: MSC3917 signs event *content*, not the envelope (type, state key, sender). The server
 * re-serves the signed content of an invite for Bob under the state key of a user it made, and
 * joins that user on it. Capability: `forge`. Expected: baseline breach; membership tree prevented:
 * subject binding, the invite's `user_key` must be the joiner's MSK (invite_rrk). DESIGN.md §4.
 *
 * ```mermaid
 * flowchart BT
 *   create{{"m.room.create"}}
 *   inv{{"Alice invites Bob: content {user_key: Bob's MSK}"}} ==> create
 *   copy["same content, state_key @mallory"] -.- inv
 *   mallory["Mallory's join"] ==> copy
 * ```
 */
import type { ThreatEntry } from "../threat.ts";

export const T11: ThreatEntry = {
  id: "T11",
  title: "Envelope replay (signed content under another state key)",
  proposalRow: null,
  section: "Membership Event Signature Tree (user_key binds the content to one MSK)",
  capabilities: ["forge"],
  space: ["fork", "claimed_time", "grinding", "replay", "placement", "delay", "noise"],
  scenario: "scenarios/attacks/T11-envelope-replay.json",
  summary: "The envelope is not signed, so the verifier binds every check to the MSK in the content.",
};
