/**
 * Builders for the signed content of MSC3917 events (MSC3917 §Membership Event Signature Tree,
 * §Rooms as Keys) and the client-format event shape the verifier reads.
 *
 * Builders return *content*: what a client submits to `/createRoom`, `/invite`, `/join` or a state
 * PUT. The homeserver wraps it in an event with `event_id`, `sender`, `type` and `state_key`.
 */
import { encodeBase64 } from "./base64.ts";
import type { JsonObject } from "./canonical-json.ts";
import { type CrossSigningKey, keyIdOf } from "./cross-signing.ts";
import { type Ed25519Backend, type SigningKey, defaultBackend } from "./ed25519.ts";
import { type FieldForm, type Msc3917Field, fieldName } from "./msc3917-fields.ts";
import { RRK_KEY_ID, roomIdFromRrk } from "./room-root-key.ts";
import { signJson } from "./signing.ts";

/** An event as a client sees it (client-server API "ClientEvent", trimmed). */
export interface ClientEvent {
  event_id: string;
  type: string;
  state_key?: string;
  sender: string;
  content: JsonObject;
  origin_server_ts?: number;
  unsigned?: JsonObject;
}

/** What a member needs to sign room events: their user ID, RSK and its MSK-signed `CrossSigningKey`. */
export interface RoomSigner {
  userId: string;
  rsk: SigningKey;
  /** The RSK as a `CrossSigningKey`, signed by the user's MSK: goes in `sender_key`. */
  rskCrossSigningKey: CrossSigningKey;
}

export interface BuildOptions {
  /** Which field names to write (default `stable`). */
  fields?: FieldForm;
  backend?: Ed25519Backend;
}

function put(content: JsonObject, field: Msc3917Field, value: JsonObject[string], form: FieldForm): void {
  content[fieldName(field, form)] = value;
}

/** Sign `content` with the signer's RSK: entity = user ID, key ID = `ed25519:<RSK>`. */
function signAsMember<T extends JsonObject>(content: T, signer: RoomSigner, backend: Ed25519Backend): T {
  return signJson(content, signer.userId, keyIdOf(signer.rsk.publicKey), signer.rsk, backend);
}

/**
 * `m.room.create` content: `room_root_key` and `creator_key` (the creator's MSK), signed by the RRK
 * under the entity `<room ID>` and key ID `ed25519:rrk`.
 */
export function buildCreateContent(
  args: { rrk: SigningKey; creatorMsk: Uint8Array; creator?: string; roomVersion?: string; extra?: JsonObject },
  opts: BuildOptions = {},
): JsonObject {
  const form = opts.fields ?? "stable";
  const content: JsonObject = {
    room_version: args.roomVersion ?? "msc3917",
    ...(args.creator ? { creator: args.creator } : {}),
    ...args.extra,
  };
  put(content, "room_root_key", encodeBase64(args.rrk.publicKey), form);
  put(content, "creator_key", encodeBase64(args.creatorMsk), form);
  return signJson(content, roomIdFromRrk(args.rrk.publicKey), RRK_KEY_ID, args.rrk, opts.backend ?? defaultBackend());
}

/**
 * `m.room.member` content for an `invite` or `join` sent by a user: `sender_key`,
 * `parent_event_id`, `user_key` (the target's MSK) and `room_root_key`, signed by the sender's RSK.
 * - invite: the parent is the inviter's cause-of-membership event;
 * - join: the parent is the invite or `m.room.join_rules` event that allowed it;
 * - a restricted join carries `unsigned.membership_events`, the proof from the other room.
 */
export function buildMemberContent(
  args: {
    membership: "invite" | "join";
    signer: RoomSigner;
    parentEventId: string;
    userKey: Uint8Array;
    rrk: Uint8Array;
    membershipEvents?: JsonObject[];
    extra?: JsonObject;
  },
  opts: BuildOptions = {},
): JsonObject {
  const form = opts.fields ?? "stable";
  const content: JsonObject = { membership: args.membership, ...args.extra };
  put(content, "sender_key", args.signer.rskCrossSigningKey, form);
  put(content, "parent_event_id", args.parentEventId, form);
  put(content, "user_key", encodeBase64(args.userKey), form);
  put(content, "room_root_key", encodeBase64(args.rrk), form);
  const signed = signAsMember(content, args.signer, opts.backend ?? defaultBackend());
  return args.membershipEvents ? { ...signed, unsigned: { membership_events: args.membershipEvents } } : signed;
}

/** `m.room.join_rules` content, public or restricted: `sender_key` and `parent_event_id` (the sender's cause), signed by the RSK. */
export function buildJoinRulesContent(
  args: { joinRule: "public" | "restricted"; allowRoomIds?: string[]; signer: RoomSigner; parentEventId: string },
  opts: BuildOptions = {},
): JsonObject {
  const form = opts.fields ?? "stable";
  const content: JsonObject = { join_rule: args.joinRule };
  if (args.joinRule === "restricted")
    content.allow = (args.allowRoomIds ?? []).map((room_id) => ({ type: "m.room_membership", room_id }));
  put(content, "sender_key", args.signer.rskCrossSigningKey, form);
  put(content, "parent_event_id", args.parentEventId, form);
  return signAsMember(content, args.signer, opts.backend ?? defaultBackend());
}

/**
 * `m.room.third_party_invite` content (state key = the token): the identity server's public keys,
 * `sender_key` and `parent_event_id`, signed by the sender's RSK. Listing the keys here, signed by
 * a member, is what stops the homeserver from choosing the identity server.
 */
export function buildThirdPartyInviteContent(
  args: {
    displayName: string;
    publicKeys: Uint8Array[];
    keyValidityUrl: string;
    signer: RoomSigner;
    parentEventId: string;
  },
  opts: BuildOptions = {},
): JsonObject {
  const form = opts.fields ?? "stable";
  const keys = args.publicKeys.map((k) => encodeBase64(k));
  const content: JsonObject = {
    display_name: args.displayName,
    key_validity_url: args.keyValidityUrl,
    public_key: keys[0] ?? "",
    public_keys: keys.map((public_key) => ({ public_key, key_validity_url: args.keyValidityUrl })),
  };
  put(content, "sender_key", args.signer.rskCrossSigningKey, form);
  put(content, "parent_event_id", args.parentEventId, form);
  return signAsMember(content, args.signer, opts.backend ?? defaultBackend());
}

/** What the identity server signs when a user binds a third-party ID: `{mxid, token, user_key}`. */
export function signThirdPartyBinding(
  args: { mxid: string; token: string; userKey: Uint8Array; identityServer: string; keyId: string; key: SigningKey },
  opts: BuildOptions = {},
): JsonObject {
  const form = opts.fields ?? "stable";
  const signed: JsonObject = { mxid: args.mxid, token: args.token };
  put(signed, "user_key", encodeBase64(args.userKey), form);
  return signJson(signed, args.identityServer, args.keyId, args.key, opts.backend ?? defaultBackend());
}

/**
 * The `invite` the homeserver makes as the successor of a third-party invite. Not user-signed:
 * its `parent_event_id` is the `m.room.third_party_invite` event, and `third_party_invite.signed`
 * carries the identity server's signature over `{mxid, token, user_key}`.
 */
export function buildThirdPartySuccessorInviteContent(
  args: { thirdPartyInviteEventId: string; displayName: string; signed: JsonObject },
  opts: BuildOptions = {},
): JsonObject {
  const content: JsonObject = {
    membership: "invite",
    third_party_invite: { display_name: args.displayName, signed: args.signed },
  };
  put(content, "parent_event_id", args.thirdPartyInviteEventId, opts.fields ?? "stable");
  return content;
}

/** `m.space.child` content (state key = the child's room ID): `room_root_key` of the child, `sender_key` and `parent_event_id`, signed by the RSK. */
export function buildSpaceChildContent(
  args: { childRrk: Uint8Array; via: string[]; signer: RoomSigner; parentEventId: string },
  opts: BuildOptions = {},
): JsonObject {
  const form = opts.fields ?? "stable";
  const content: JsonObject = { via: args.via };
  put(content, "sender_key", args.signer.rskCrossSigningKey, form);
  put(content, "parent_event_id", args.parentEventId, form);
  put(content, "room_root_key", encodeBase64(args.childRrk), form);
  return signAsMember(content, args.signer, opts.backend ?? defaultBackend());
}

/** A stripped state event for `unsigned.membership_events`: keeps `event_id` so parents can be followed. */
export function strippedEvent(e: ClientEvent): JsonObject {
  return { event_id: e.event_id, type: e.type, state_key: e.state_key ?? "", sender: e.sender, content: e.content };
}
