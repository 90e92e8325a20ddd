/**
 * The closed set of reasons the membership-tree verifier gives, each tied to the node of the
 * proposal's flowchart (MSC3917 §Membership Event Signature Tree) whose "No" edge it is. Node names
 * are the flowchart's own mermaid IDs.
 */

export type RejectReason =
  // start: "What type of event is the cause-of-membership event?" and the lookups that must find a given kind
  | "wrong_parent_kind"
  | "parent_cycle"
  | "malformed"
  | "mixed_field_forms"
  // m.room.create
  | "create_wrong_rrk"
  | "create_wrong_creator"
  | "create_bad_signature"
  // join
  | "join_wrong_rrk"
  | "join_wrong_msk"
  | "join_bad_signature"
  | "join_rsk_not_signed"
  // invite sent by a user
  | "invite_wrong_rrk"
  | "invite_wrong_msk"
  // check_sender
  | "sender_bad_signature"
  | "sender_rsk_not_signed"
  // invite made by the homeserver from a third-party invite
  | "threepid_bad_signature"
  | "threepid_wrong_msk"
  | "threepid_token_mismatch"
  // join rules
  | "join_rule_not_joinable"
  | "restricted_proof_failed"
  | "restricted_room_not_allowed"
  // m.space.child (verifySpaceChildren)
  | "space_child_wrong_rrk";

export type UnknownReason = "parent_missing" | "join_rule_unsupported" | "verifier_error";

export interface ReasonInfo {
  /** The flowchart node (mermaid ID) whose "No" edge this is, or the DESIGN.md rule it enforces. */
  node: string;
  meaning: string;
}

export const REASONS: Readonly<Record<RejectReason | UnknownReason, ReasonInfo>> = {
  wrong_parent_kind: {
    node: "start / why_join / invite_kind / lookup_sender_cause / lookup_threepid",
    meaning:
      "an event in the chain is not of the kind that branch needs (e.g. an invite's parent is not its sender's join or the create event, or the invite is for someone else's chain)",
  },
  parent_cycle: {
    node: "sender_recurse (termination)",
    meaning: "parent_event_id links lead back to an event already being verified",
  },
  malformed: {
    node: "any",
    meaning: "an event or field has the wrong shape, or two different events share one event ID",
  },
  mixed_field_forms: {
    node: "any (DESIGN.md §4)",
    meaning: "an event mixes stable and org.matrix.msc3917.v1.* field names",
  },
  create_wrong_rrk: {
    node: "create_rrk",
    meaning: "the create event's room_root_key is not the RRK the client believes in",
  },
  create_wrong_creator: {
    node: "create_rrk",
    meaning: "the create event's creator_key is not the user's MSK, or its sender is not the user",
  },
  create_bad_signature: {
    node: "create_sig",
    meaning: "the create event's content is not signed by the RRK (key ID ed25519:rrk)",
  },
  join_wrong_rrk: { node: "join_rrk", meaning: "the join's room_root_key is missing or not the RRK" },
  join_wrong_msk: {
    node: "join_rrk",
    meaning: "the join's user_key is not the user's MSK (the pinned one, if pinned)",
  },
  join_bad_signature: {
    node: "join_sig",
    meaning: "the join is not signed by the RSK in its sender_key, or that RSK is not the joiner's",
  },
  join_rsk_not_signed: { node: "join_rsk_msk", meaning: "the joiner's RSK is not signed by their MSK" },
  invite_wrong_rrk: { node: "invite_rrk", meaning: "the invite's room_root_key is missing or not the RRK" },
  invite_wrong_msk: {
    node: "invite_rrk",
    meaning: "the invite's user_key is not the joiner's MSK, or the invite is for another user",
  },
  sender_bad_signature: {
    node: "check_sender",
    meaning: "the event is not signed by the RSK in its sender_key, or that RSK is not the sender's",
  },
  sender_rsk_not_signed: { node: "sender_rsk_msk", meaning: "the sender's RSK is not signed by the sender's MSK" },
  threepid_bad_signature: {
    node: "idserver_sig / threepid_token",
    meaning:
      "the third-party data has no valid signature by any identity-server key the m.room.third_party_invite event lists",
  },
  threepid_wrong_msk: {
    node: "threepid_signed_msk",
    meaning: "the identity server's signed data does not name this user and MSK",
  },
  threepid_token_mismatch: {
    node: "threepid_token",
    meaning: "the signed token is not the m.room.third_party_invite event's state key",
  },
  join_rule_not_joinable: {
    node: "join_rule_type",
    meaning: "the join's parent is a join rule other than public or restricted",
  },
  restricted_proof_failed: {
    node: "join_state",
    meaning: "the membership proof from the allowed room does not verify (detail gives the inner reason)",
  },
  restricted_room_not_allowed: {
    node: "joinrule_match",
    meaning: "the proof is for a room the restricted rule does not allow",
  },
  space_child_wrong_rrk: {
    node: "m.space.child (MSC3917 §Rooms as Keys)",
    meaning: "the child's room_root_key does not match the child room ID in the state key",
  },
  parent_missing: {
    node: "any lookup",
    meaning: "an event the chain needs was never delivered: withheld is not forged, but nobody is trusted on it",
  },
  join_rule_unsupported: {
    node: "any_old_rooms (policy)",
    meaning:
      "a restricted rule this verifier cannot judge: an allow entry of an unknown type, or a room ID shaped like an RRK that is not a usable key; nobody is trusted on it",
  },
  verifier_error: { node: "-", meaning: "the verifier itself failed; reported as unknown, never as a pass" },
};
