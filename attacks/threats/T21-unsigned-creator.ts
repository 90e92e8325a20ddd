/**
 * T21: the creator is not signed (a gap in MSC3917 under room v11).
 *
 * Threat: in room v11 the create event's content no longer names the creator; the creator is the
 * event's `sender`, which the RRK's signature does not cover. The RRK signs `creator_key`, an MSK,
 * but not whose it is. The server rewrites the sender to a user it makes, publishes the real
 * creator's MSK as that user's master key (a master key carries no signature of its own), and
 * forges their plain join, the creator's join that rests on the create event. Capability: `forge`.
 *
 * Expected, measured: baseline breach; membership tree prevented, **with false rejections**: the
 * verifier binds the create event to its sender (create_wrong_creator), so it verifies the
 * impostor, with the creator's MSK, as the creator (the soundness property fails), but no device of
 * theirs is signed by an SSK under that MSK, so no key reaches them; meanwhile the real creator's
 * chain, and everyone's that rests on it, now fails at the create event: the server has cut the
 * whole tree, a denial of service that no client can tell from a broken room. State DAG the same
 * (its clients require the tree; the impostor's DAG node is signed by an RSK the creator's MSK never
 * signed). Section: MSC3917 §Membership Event Signature Tree (the create event's fields; its example is a
 * room v9 event whose signed content still names `creator`). This lab's clients still put
 * `creator` in the RRK-signed content, as that example does, but neither MSC3917's flowchart nor
 * the verifier reads it; under room v11 it is gone. The fix: sign the creator's user ID in the
 * create content and check it against the sender.
 *
 * ```mermaid
 * flowchart BT
 *   create{{"m.room.create: RRK-signed content (creator_key = Alice's MSK); sender rewritten to Mallory"}}
 *   mj["Mallory's plain join: 'the creator'"] --> create
 *   inv{{"Alice's invite of Bob"}} -.-x create
 *   bob{{"Bob's join"}} ==> inv
 * ```
 */
import type { ThreatEntry } from "../threat.ts";

export const T21: ThreatEntry = {
  id: "T21",
  title: "The creator is not signed",
  proposalRow: null,
  section: "Membership Event Signature Tree (m.room.create fields: room v11 drops content.creator; sender is unsigned)",
  capabilities: ["forge"],
  space: ["fork", "claimed_time", "grinding", "placement", "delay", "noise"],
  scenario: "scenarios/attacks/T21-unsigned-creator.json",
  summary: "The RRK signs the creator's MSK but not their user ID: a server can name another creator and cut the tree.",
};
