/**
 * T20: third-party token substitution (a gap in MSC3917 itself).
 *
 * Threat: the token of a third-party invite is the `m.room.third_party_invite`'s state key, which
 * no signature covers; the member signs only the content. The server copies a genuine third-party
 * invite, content and signature untouched, under another token: one for which the identity server
 * signed `{mxid, token, user_key}` elsewhere, for a user of the server's own who bound an address
 * of its own at the same identity server. Capability: `forge` (the identity server is honest).
 *
 * Expected, measured: baseline breach; membership tree **breach**: threepid_token compares the
 * binding's token with the state key, the identity-server key is one the inviter listed, and the
 * inviter's signature covers the content, so every check passes (MSC3917 §Security considerations
 * say the inviter chooses the identity-server keys; it does not say the token is theirs). State DAG
 * prevented: a DAG node signs the state key with the envelope, so the copy is no node, the
 * successor invite has no authentic third-party invite to rest on, and resolution refuses the join;
 * no alarm, since no referenced node is missing. The fix: sign the token in the content.
 *
 * ```mermaid
 * flowchart BT
 *   create{{"m.room.create"}}
 *   tpi{{"Alice's m.room.third_party_invite, state key = Dana's token"}} ==> create
 *   copy["the same signed content, state key = Mallory's token"] ==> create
 *   is["identity server: {mxid: Mallory, token: Mallory's, user_key}, really signed"]
 *   succ["successor invite"] --> copy
 *   succ --- is
 *   mallory{{"Mallory's join"}} ==> succ
 * ```
 */
import type { ThreatEntry } from "../threat.ts";

export const T20: ThreatEntry = {
  id: "T20",
  title: "Third-party token substitution",
  proposalRow: null,
  section: "Membership Event Signature Tree (third-party invites: the token is the unsigned state key)",
  capabilities: ["forge"],
  space: ["fork", "claimed_time", "grinding", "placement", "delay", "noise"],
  scenario: "scenarios/attacks/T20-third-party-token.json",
  summary: "The inviter signs the third-party invite's content, not its token: a copy under another token verifies.",
};
