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
import type { Threat } from "../threat.ts";

export const T11: Threat = {
  id: "T11",
  title: "Envelope replay (signed content under another state key)",
  proposalRow: null,
  section: "Membership Event Signature Tree (user_key binds the content to one MSK)",
  capabilities: ["forge"],
  expected: {
    baseline: "breach",
    "membership-tree": "prevented",
    "state-dag": "prevented",
    "state-dag-no-ts": "prevented",
    "element-all-devices": "breach",
    "element-identity-based": "breach",
    "msc3917-on-element": "prevented",
    "state-dag-exclude": "prevented",
    "state-dag-no-ts-exclude": "prevented",
    "signal-pgs": "prevented",
    mls: "prevented",
  },
  scenario: "scenarios/attacks/T11-envelope-replay.json",
  summary: "The envelope is not signed, so the verifier binds every check to the MSK in the content.",
};
