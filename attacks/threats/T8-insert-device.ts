/**
 * T8: device insertion.
 *
 * Threat: a member's homeserver lists a device it made for them in `/keys/query`, signed by no
 * self-signing key. Capability: `lieAboutKeys`. Expected: baseline breach (Matrix today shares with
 * every listed device); membership tree prevented: "devices that claim to belong to a user, but are
 * not signed by a Self-Signing Key signed by that particular MSK, must not be treated as belonging
 * in the room" (MSC3917 §Membership Event Signature Tree).
 *
 * ```mermaid
 * flowchart BT
 *   msk{{"Bob's MSK"}}
 *   ssk{{"Bob's SSK"}} ==> msk
 *   d1{{"Bob's device"}} ==> ssk
 *   evil["device the server made (no SSK signature)"] -.-x ssk
 * ```
 */
import type { ThreatEntry } from "../threat.ts";

export const T8: ThreatEntry = {
  id: "T8",
  title: "Device insertion",
  proposalRow: null,
  section: "Membership Event Signature Tree (devices signed by the SSK of the verified MSK)",
  capabilities: ["lieAboutKeys"],
  space: ["placement", "delay", "noise"],
  scenario: "scenarios/attacks/T8-insert-device.json",
  summary: "A verified MSK admits only devices its SSK signed; a listed but unsigned device gets nothing.",
};
