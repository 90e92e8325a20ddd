/**
 * The room version 11 authorization rules, as the homeservers and the state resolver apply them
 * (Matrix spec, room versions §v11 "Authorization rules"; numbers like "4.3.5" below are that
 * section's list items). A pure module: an event is checked against an auth state given as a
 * lookup `(type, state_key) -> event | undefined`, never against a replica, so the same rules serve
 * a homeserver's current state and the partly resolved state of state resolution v2's iterative
 * auth checks. The oracle is to keep its own, independent copy (issue 12); it must not use this one.
 *
 * Rule 2 (duplicate, unexpected or rejected `auth_events` entries) is about a PDU's auth_events
 * list, which a lookup cannot express: the caller that builds the lookup is responsible for it
 * (the resolver leaves rejected auth events out). What the simulation does not model is said where
 * it matters, under `Policy:`.
 */
import { decodeBase64 } from "../core/base64.ts";
import { type JsonObject, isJsonObject } from "../core/canonical-json.ts";
import { PUBLIC_KEY_LENGTH } from "../core/ed25519.ts";
import { verifySignedJson } from "../core/signing.ts";

/** What the rules read of an event. */
export interface AuthEvent {
  event_id: string;
  type: string;
  state_key?: string;
  sender: string;
  content: JsonObject;
  room_id?: string;
}

/** The auth state: the state event at `(type, state_key)`, if any. */
export type AuthState = (type: string, stateKey: string) => AuthEvent | undefined;

/** What the rules need beyond the auth state. */
export interface AuthContext {
  /** For restricted joins: whether `userId` is joined to `roomId` (see `restrictedAllowHolds`). */
  isJoined(roomId: string, userId: string): boolean;
  /**
   * The event's `prev_events`, when the caller knows them (rules 1.1 and 4.3.1 speak of them).
   * Without them the rules read "no previous events" from the state: see `onlyCreateBefore`.
   */
  prevEvents?: readonly string[];
}

/** Why an event is refused: the rule (the spec's list number) and a sentence. */
export interface Rejection {
  rule: string;
  why: string;
}

export const stateKeyOf = (type: string, stateKey: string): string => `${type}\u0000${stateKey}`;

/** Room versions this server recognises (rule 1.3). Policy: the MSC3917 room version, and 1 to 11. */
export const RECOGNISED_ROOM_VERSIONS: ReadonlySet<string> = new Set([
  "msc3917",
  ...Array.from({ length: 11 }, (_, i) => `${i + 1}`),
]);

const reject = (rule: string, why: string): Rejection => ({ rule, why });

// ---------------------------------------------------------------------------------------------
// Reading the auth state

const isInteger = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);
const stringOr = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

/** A user's current membership, or undefined (no member event, or no string `membership`). */
export function membershipOf(state: AuthState, userId: string): string | undefined {
  return stringOr(state("m.room.member", userId)?.content.membership);
}

/** The room's creator in v11: the `sender` of the `m.room.create` event. */
export function creatorOf(state: AuthState): string | undefined {
  return state("m.room.create", "")?.sender;
}

/**
 * A user's power level (client-server API, `m.room.power_levels`): `users[user]`, else
 * `users_default`, else 0. With no power-levels event at all, the creator has 100 and everyone else 0.
 * Policy: a value that is not an integer (rule 9.1 refuses such events, but the resolver may meet
 * one in state it did not check) reads as absent.
 */
export function powerLevelOf(state: AuthState, userId: string): number {
  const pl = state("m.room.power_levels", "");
  if (!pl) return creatorOf(state) === userId ? 100 : 0;
  const users = isJsonObject(pl.content.users) ? pl.content.users : {};
  const mine = Object.hasOwn(users, userId) ? users[userId] : undefined;
  if (isInteger(mine)) return mine;
  return isInteger(pl.content.users_default) ? pl.content.users_default : 0;
}

/** Spec defaults of the named levels when the power-levels event does not set them. */
const NAMED_LEVEL_DEFAULT = { ban: 50, kick: 50, redact: 50, invite: 0 } as const;

/** `ban`, `kick`, `redact` or `invite`: the content's integer, else the spec default (with or without an event). */
export function namedLevel(state: AuthState, name: keyof typeof NAMED_LEVEL_DEFAULT): number {
  const v = state("m.room.power_levels", "")?.content[name];
  return isInteger(v) ? v : NAMED_LEVEL_DEFAULT[name];
}

/**
 * The level an event of this type needs (rule 7's "required power level"): `events[type]`, else
 * `state_default` for a state event, `events_default` otherwise. `state_default` is 50 when the
 * power-levels event leaves it out, and 0 when there is no power-levels event at all.
 */
export function requiredLevel(state: AuthState, type: string, isState: boolean): number {
  const pl = state("m.room.power_levels", "");
  if (!pl) return 0;
  const events = isJsonObject(pl.content.events) ? pl.content.events : {};
  const byType = Object.hasOwn(events, type) ? events[type] : undefined;
  if (isInteger(byType)) return byType;
  if (isState) return isInteger(pl.content.state_default) ? pl.content.state_default : 50;
  return isInteger(pl.content.events_default) ? pl.content.events_default : 0;
}

/**
 * The join rule. Policy: with no `m.room.join_rules` event, or one without a string `join_rule`,
 * the rule reads as `invite` (as Synapse reads it): only invited or joined users may join. That is
 * the closed reading; any other unknown value (e.g. the reserved `private`) falls to 4.3.7, reject.
 */
export function joinRuleOf(state: AuthState): string {
  return stringOr(state("m.room.join_rules", "")?.content.join_rule) ?? "invite";
}

/** A user ID as rule 9.3 needs it: `@localpart:domain`. */
const USER_ID = /^@[^:]+:.+$/;

const domainOf = (id: string): string | undefined => (id.includes(":") ? id.slice(id.indexOf(":") + 1) : undefined);

/**
 * Policy: without the event's `prev_events` (a state-based check, as in the resolver), "the only
 * previous event is the m.room.create" (rule 4.3.1) is read from the state: it holds the create and
 * no power levels, join rules or member event of the sender, which every later event would leave.
 */
function onlyCreateBefore(e: AuthEvent, state: AuthState, ctx: AuthContext): boolean {
  const create = state("m.room.create", "");
  if (!create) return false;
  if (ctx.prevEvents) return ctx.prevEvents.length === 1 && ctx.prevEvents[0] === create.event_id;
  return !state("m.room.power_levels", "") && !state("m.room.join_rules", "") && !state("m.room.member", e.sender);
}

// ---------------------------------------------------------------------------------------------
// The rules, in the spec's order

/** Why `e` is not allowed against the auth state `state`, or null if it is (room v11 rules 1 to 10). */
export function checkAuthRules(e: AuthEvent, state: AuthState, ctx: AuthContext): Rejection | null {
  // 1. If type is m.room.create:
  if (e.type === "m.room.create") return checkCreate(e, state, ctx);

  // 2.4. If there is no m.room.create event among the entries, reject.
  const create = state("m.room.create", "");
  if (!create) return reject("2.4", "the first event must be m.room.create");

  // 3. If the create event's content has m.federate set to false, and the sender's domain does
  //    not match the create sender's domain, reject.
  if (create.content["m.federate"] === false && domainOf(e.sender) !== domainOf(create.sender)) {
    return reject("3", "the room does not federate and the sender is on another server");
  }

  // 4. If type is m.room.member:
  if (e.type === "m.room.member") return checkMember(e, state, ctx);

  // 5. If the sender's current membership state is not join, reject.
  if (membershipOf(state, e.sender) !== "join") return reject("5", "the sender is not joined");

  // 6. If type is m.room.third_party_invite: allow iff the sender's power level >= the invite level.
  if (e.type === "m.room.third_party_invite") {
    return powerLevelOf(state, e.sender) >= namedLevel(state, "invite")
      ? null
      : reject("6", "the sender lacks the invite power level");
  }

  // 7. If the event type's required power level is greater than the sender's power level, reject.
  const needed = requiredLevel(state, e.type, e.state_key !== undefined);
  if (needed > powerLevelOf(state, e.sender)) return reject("7", `${e.type} needs power level ${needed}`);

  // 8. If the event has a state_key that starts with an @ and does not match the sender, reject.
  if (e.state_key?.startsWith("@") && e.state_key !== e.sender) return reject("8", "a state key naming another user");

  // 9. If type is m.room.power_levels:
  if (e.type === "m.room.power_levels") return checkPowerLevels(e, state);

  // 10. Otherwise, allow.
  return null;
}

/** Rule 1: m.room.create. */
function checkCreate(e: AuthEvent, state: AuthState, ctx: AuthContext): Rejection | null {
  // 1.1. If it has any prev_events, reject. Policy: in a state-based check (no prev_events given),
  //      a create is refused when the auth state already has one.
  if (ctx.prevEvents ? ctx.prevEvents.length > 0 : state("m.room.create", "") !== undefined)
    return reject("1.1", "the room already exists");
  // 1.2. If the domain of the room_id does not match the domain of the sender, reject.
  //      Policy: MSC3917 room IDs are `!<RRK>`, with no domain (like room v12's); then there is nothing to match.
  const roomDomain = e.room_id !== undefined ? domainOf(e.room_id) : undefined;
  if (roomDomain !== undefined && roomDomain !== domainOf(e.sender))
    return reject("1.2", "the room ID's domain is not the sender's");
  // 1.3. If content.room_version is present and is not a recognised version, reject.
  const version = e.content.room_version;
  if (version !== undefined && !(typeof version === "string" && RECOGNISED_ROOM_VERSIONS.has(version))) {
    return reject("1.3", `unrecognised room version ${JSON.stringify(version)}`);
  }
  // 1.4. Otherwise, allow.
  return null;
}

/** Rule 4: m.room.member. */
function checkMember(e: AuthEvent, state: AuthState, ctx: AuthContext): Rejection | null {
  // 4.1. If there is no state_key property, or no membership property in content, reject.
  const membership = e.content.membership;
  if (e.state_key === undefined || typeof membership !== "string")
    return reject("4.1", "a member event needs a state key and a membership");
  // 4.2. If content has join_authorised_via_users_server, the event must be validly signed by that
  //      user's homeserver. Policy: the simulation does not model server signatures (no event
  //      carries them), so 4.2 cannot be checked here; 4.3.5 does not trust the key alone either.
  switch (membership) {
    case "join":
      return checkJoin(e, state, ctx);
    case "invite":
      return checkInvite(e, state);
    case "leave":
      return checkLeave(e, state);
    case "ban":
      return checkBan(e, state);
    case "knock":
      return checkKnock(e, state);
    default:
      // 4.8. Otherwise, the membership is unknown. Reject.
      return reject("4.8", `unknown membership ${JSON.stringify(membership)}`);
  }
}

/** Rule 4.3: membership `join`. */
function checkJoin(e: AuthEvent, state: AuthState, ctx: AuthContext): Rejection | null {
  const target = e.state_key!;
  // 4.3.1. If the only previous event is an m.room.create and the state_key is the sender of the
  //        m.room.create, allow.
  if (onlyCreateBefore(e, state, ctx) && target === creatorOf(state)) return null;
  // 4.3.2. If the sender does not match state_key, reject.
  if (e.sender !== target) return reject("4.3.2", "a join must be sent by the joining user");
  const current = membershipOf(state, target);
  // 4.3.3. If the sender is banned, reject.
  if (current === "ban") return reject("4.3.3", "the user is banned");
  const rule = joinRuleOf(state);
  // 4.3.4. If the join_rule is invite or knock then allow if membership state is invite or join.
  if (rule === "invite" || rule === "knock") {
    return current === "invite" || current === "join"
      ? null
      : reject("4.3.4", `the join rule is ${rule} and the user is not invited`);
  }
  // 4.3.5. If the join_rule is restricted or knock_restricted:
  if (rule === "restricted" || rule === "knock_restricted") {
    // 4.3.5.1. If membership state is join or invite, allow.
    if (current === "invite" || current === "join") return null;
    // 4.3.5.2. If the join_authorised_via_users_server key in content is not a user with sufficient
    //          permission to invite other users, or is not a joined member of the room, reject.
    const via = e.content.join_authorised_via_users_server;
    if (via !== undefined) {
      if (typeof via !== "string" || membershipOf(state, via) !== "join")
        return reject("4.3.5.2", "the authorising user is not joined");
      if (powerLevelOf(state, via) < namedLevel(state, "invite"))
        return reject("4.3.5.2", "the authorising user cannot invite");
    }
    if (!restrictedAllowHolds(state, target, ctx))
      return reject("4.3.5.2", "not a member of any room the restricted rule allows");
    // 4.3.5.3. Otherwise, allow.
    return null;
  }
  // 4.3.6. If the join_rule is public, allow.
  if (rule === "public") return null;
  // 4.3.7. Otherwise, reject.
  return reject("4.3.7", `the join rule is ${rule}`);
}

/**
 * Policy: in Matrix a restricted join is vouched for by a resident server, which checks the allow
 * conditions (client-server API, "Restricted rooms") and names one of its users in
 * `join_authorised_via_users_server`, signing the event (4.2). The simulation has no server
 * signatures, so an honest server checks the allow conditions itself: the joining user must be
 * joined to a room named by an `m.room_membership` entry of the rule's `allow` list.
 */
function restrictedAllowHolds(state: AuthState, userId: string, ctx: AuthContext): boolean {
  const allow = state("m.room.join_rules", "")?.content.allow;
  if (!Array.isArray(allow)) return false;
  return allow.some(
    (a) =>
      isJsonObject(a) &&
      a.type === "m.room_membership" &&
      typeof a.room_id === "string" &&
      ctx.isJoined(a.room_id, userId),
  );
}

/** Rule 4.4: membership `invite`. */
function checkInvite(e: AuthEvent, state: AuthState): Rejection | null {
  const target = e.state_key!;
  const targetMembership = membershipOf(state, target);
  // 4.4.1. If content has a third_party_invite property:
  if (e.content.third_party_invite !== undefined) return checkThirdPartyInvite(e, state, targetMembership);
  // 4.4.2. If the sender's current membership state is not join, reject.
  if (membershipOf(state, e.sender) !== "join") return reject("4.4.2", "the inviter is not joined");
  // 4.4.3. If the target user's current membership state is join or ban, reject.
  if (targetMembership === "ban") return reject("4.4.3", "the target is banned");
  if (targetMembership === "join") return reject("4.4.3", "the target is already joined");
  // 4.4.4. If the sender's power level is greater than or equal to the invite level, allow.
  if (powerLevelOf(state, e.sender) >= namedLevel(state, "invite")) return null;
  // 4.4.5. Otherwise, reject.
  return reject("4.4.5", "the inviter lacks the invite power level");
}

/** Rule 4.4.1: an invite that claims a third-party invite. */
function checkThirdPartyInvite(e: AuthEvent, state: AuthState, targetMembership: string | undefined): Rejection | null {
  // 4.4.1.1. If target user is banned, reject.
  if (targetMembership === "ban") return reject("4.4.1.1", "the target is banned");
  // 4.4.1.2. If content.third_party_invite does not have a signed property, reject.
  const tpi = e.content.third_party_invite;
  const signed = isJsonObject(tpi) ? tpi.signed : undefined;
  if (!isJsonObject(signed)) return reject("4.4.1.2", "the third-party invite has no signed block");
  // 4.4.1.3. If signed does not have mxid and token properties, reject.
  const { mxid, token } = signed;
  if (typeof mxid !== "string" || typeof token !== "string")
    return reject("4.4.1.3", "the signed block has no mxid or token");
  // 4.4.1.4. If mxid does not match state_key, reject.
  if (mxid !== e.state_key) return reject("4.4.1.4", "the signed mxid is not the invitee");
  // 4.4.1.5. If there is no m.room.third_party_invite event in the current room state with
  //          state_key matching token, reject.
  const invite = state("m.room.third_party_invite", token);
  if (!invite) return reject("4.4.1.5", "no third-party invite with that token");
  // 4.4.1.6. If sender does not match sender of the m.room.third_party_invite, reject.
  if (invite.sender !== e.sender) return reject("4.4.1.6", "the invite's sender did not send the third-party invite");
  // 4.4.1.7. If any signature in signed matches any public key in the m.room.third_party_invite
  //          event (content.public_key, and each public_keys[].public_key), allow.
  if (signedByAnyKey(signed as JsonObject, thirdPartyInviteKeys(invite))) return null;
  // 4.4.1.8. Otherwise, reject.
  return reject("4.4.1.8", "the binding is not signed by a key the third-party invite lists");
}

/** The identity-server public keys an m.room.third_party_invite lists (4.4.1.7.1 and 4.4.1.7.2). */
function thirdPartyInviteKeys(invite: AuthEvent): Uint8Array[] {
  const texts: unknown[] = [invite.content.public_key];
  const list = invite.content.public_keys;
  if (Array.isArray(list)) for (const k of list) if (isJsonObject(k)) texts.push(k.public_key);
  const keys: Uint8Array[] = [];
  for (const t of texts) {
    if (typeof t !== "string") continue;
    // Policy: the spec says base64; standard alphabet first, then URL-safe, each of exactly 32 bytes.
    const std = decodeBase64(t, { expectedLength: PUBLIC_KEY_LENGTH });
    const url = std.ok ? std : decodeBase64(t, { alphabet: "urlsafe", expectedLength: PUBLIC_KEY_LENGTH });
    if (url.ok) keys.push(url.value);
  }
  return keys;
}

/** Whether any `signatures[entity][keyId]` of `signed` verifies under any of `keys`. */
function signedByAnyKey(signed: JsonObject, keys: readonly Uint8Array[]): boolean {
  const signatures = signed.signatures;
  if (!isJsonObject(signatures) || keys.length === 0) return false;
  for (const [entity, byKey] of Object.entries(signatures)) {
    if (!isJsonObject(byKey)) continue;
    for (const keyId of Object.keys(byKey))
      for (const key of keys) if (verifySignedJson(signed, entity, keyId, key).ok) return true;
  }
  return false;
}

/** Rule 4.5: membership `leave` (a leave, a kick, a rejected invite, a retracted knock, an unban). */
function checkLeave(e: AuthEvent, state: AuthState): Rejection | null {
  const target = e.state_key!;
  const targetMembership = membershipOf(state, target);
  // 4.5.1. If the sender matches state_key, allow iff that user's current membership state is
  //        invite, join, or knock.
  if (e.sender === target) {
    return targetMembership === "invite" || targetMembership === "join" || targetMembership === "knock"
      ? null
      : reject("4.5.1", "not in the room");
  }
  // 4.5.2. If the sender's current membership state is not join, reject.
  if (membershipOf(state, e.sender) !== "join") return reject("4.5.2", "the kicker is not joined");
  const mine = powerLevelOf(state, e.sender);
  // 4.5.3. If the target user's current membership state is ban, and the sender's power level is
  //        less than the ban level, reject.
  if (targetMembership === "ban" && mine < namedLevel(state, "ban"))
    return reject("4.5.3", "unbanning needs the ban power level");
  // 4.5.4. If the sender's power level is greater than or equal to the kick level, and the target
  //        user's power level is less than the sender's power level, allow.
  if (mine >= namedLevel(state, "kick") && powerLevelOf(state, target) < mine) return null;
  // 4.5.5. Otherwise, reject.
  if (mine < namedLevel(state, "kick")) return reject("4.5.5", "the sender lacks the kick power level");
  return reject("4.5.5", "cannot kick someone of equal or higher power");
}

/** Rule 4.6: membership `ban`. */
function checkBan(e: AuthEvent, state: AuthState): Rejection | null {
  const target = e.state_key!;
  // 4.6.1. If the sender's current membership state is not join, reject.
  if (membershipOf(state, e.sender) !== "join") return reject("4.6.1", "the banner is not joined");
  const mine = powerLevelOf(state, e.sender);
  // 4.6.2. If the sender's power level is greater than or equal to the ban level, and the target
  //        user's power level is less than the sender's power level, allow.
  if (mine >= namedLevel(state, "ban") && powerLevelOf(state, target) < mine) return null;
  // 4.6.3. Otherwise, reject.
  if (mine < namedLevel(state, "ban")) return reject("4.6.3", "the sender lacks the ban power level");
  return reject("4.6.3", "cannot ban someone of equal or higher power");
}

/** Rule 4.7: membership `knock`. */
function checkKnock(e: AuthEvent, state: AuthState): Rejection | null {
  // 4.7.1. If the join_rule is anything other than knock or knock_restricted, reject.
  const rule = joinRuleOf(state);
  if (rule !== "knock" && rule !== "knock_restricted") return reject("4.7.1", `the join rule is ${rule}, not knock`);
  // 4.7.2. If sender does not match state_key, reject.
  if (e.sender !== e.state_key) return reject("4.7.2", "a knock must be sent by the knocking user");
  // 4.7.3. If the sender's current membership is not ban, invite, or join, allow.
  const current = membershipOf(state, e.sender);
  if (current !== "ban" && current !== "invite" && current !== "join") return null;
  // 4.7.4. Otherwise, reject.
  return reject("4.7.4", `cannot knock while ${current}`);
}

/** The top-level integer levels of rule 9.1 and 9.5. */
const TOP_LEVEL_KEYS = ["users_default", "events_default", "state_default", "ban", "redact", "kick", "invite"] as const;
/** The maps of integers of rule 9.2, 9.6 and 9.7. */
const LEVEL_MAPS = ["events", "notifications"] as const;

/** Rule 9: m.room.power_levels (after rules 5, 7 and 8 have passed). */
function checkPowerLevels(e: AuthEvent, state: AuthState): Rejection | null {
  const next = e.content;
  // 9.1. If any of users_default, events_default, state_default, ban, redact, kick or invite are
  //      present and not an integer, reject.
  for (const k of TOP_LEVEL_KEYS)
    if (next[k] !== undefined && !isInteger(next[k])) return reject("9.1", `${k} is not an integer`);
  // 9.2. If either of events or notifications are present and not an object with integer values, reject.
  for (const k of LEVEL_MAPS) {
    const m = next[k];
    if (m !== undefined && !(isJsonObject(m) && Object.values(m).every(isInteger)))
      return reject("9.2", `${k} is not an object of integers`);
  }
  // 9.3. If the users property is not an object with keys that are valid user IDs with values
  //      that are integers, reject. (Policy: an absent `users` is allowed, as it is optional.)
  const users = next.users;
  if (
    users !== undefined &&
    !(isJsonObject(users) && Object.entries(users).every(([u, v]) => USER_ID.test(u) && isInteger(v)))
  ) {
    return reject("9.3", "users is not an object of user IDs to integers");
  }
  // 9.4. If there is no previous m.room.power_levels event in the room, allow.
  const current = state("m.room.power_levels", "");
  if (!current) return null;
  const mine = powerLevelOf(state, e.sender);
  const prev = current.content;
  // 9.5. For each of the top-level keys that was added, changed or removed: if the current value
  //      is higher than the sender's current power level, reject; if the new value is higher, reject.
  for (const k of TOP_LEVEL_KEYS) {
    const [was, now] = [integerOrUndefined(prev[k]), integerOrUndefined(next[k])];
    if (was === now) continue;
    if (was !== undefined && was > mine)
      return reject("9.5.1", `cannot change ${k} from ${was}, above one's own level ${mine}`);
    if (now !== undefined && now > mine)
      return reject("9.5.2", `cannot set ${k} to ${now}, above one's own level ${mine}`);
  }
  for (const k of LEVEL_MAPS) {
    const [was, now] = [integerMap(prev[k]), integerMap(next[k])];
    for (const key of unionKeys(was, now)) {
      if (was.get(key) === now.get(key)) continue;
      // 9.6. For each entry being changed in, or removed from, events or notifications: if the
      //      current value is greater than the sender's current power level, reject.
      const old = was.get(key);
      if (old !== undefined && old > mine)
        return reject("9.6", `cannot change ${k}.${key} from ${old}, above one's own level ${mine}`);
      // 9.7. For each entry being added to, or changed in, events or notifications: if the new
      //      value is greater than the sender's current power level, reject.
      const neu = now.get(key);
      if (neu !== undefined && neu > mine)
        return reject("9.7", `cannot grant ${k}.${key} ${neu}, above one's own level ${mine}`);
    }
  }
  const [wasUsers, nowUsers] = [integerMap(prev.users), integerMap(next.users)];
  for (const user of unionKeys(wasUsers, nowUsers)) {
    const [old, neu] = [wasUsers.get(user), nowUsers.get(user)];
    if (old === neu) continue;
    // 9.8. For each entry being changed in, or removed from, users, other than the sender's own
    //      entry: if the current value is greater than or equal to the sender's current power level, reject.
    if (user !== e.sender && old !== undefined && old >= mine) {
      return reject("9.8", `cannot change the level of ${user} (${old}), at or above one's own level ${mine}`);
    }
    // 9.9. For each entry being added to, or changed in, users: if the new value is greater than
    //      the sender's current power level, reject.
    if (neu !== undefined && neu > mine)
      return reject("9.9", `cannot grant a power level above one's own (${user}: ${neu} > ${mine})`);
  }
  // 9.10. Otherwise, allow.
  return null;
}

const integerOrUndefined = (v: unknown): number | undefined => (isInteger(v) ? v : undefined);

/** The integer entries of a level map (the current one may hold values rule 9.2 would refuse now). */
function integerMap(v: unknown): Map<string, number> {
  const out = new Map<string, number>();
  if (isJsonObject(v)) for (const [k, x] of Object.entries(v)) if (isInteger(x)) out.set(k, x);
  return out;
}

const unionKeys = (a: Map<string, number>, b: Map<string, number>): string[] =>
  [...new Set([...a.keys(), ...b.keys()])].sort();

// ---------------------------------------------------------------------------------------------
// Auth events selection (server-server API, "Auth events selection")

/**
 * The state keys an event's `auth_events` are chosen from: the create event, the current power
 * levels, the sender's member event; for m.room.member also the target's member event, the join
 * rules when the membership is join, invite or knock, the m.room.third_party_invite named by
 * `third_party_invite.signed.token` for an invite, and the member event of
 * `join_authorised_via_users_server` when present. The create event has none.
 */
export function authEventKeys(e: Pick<AuthEvent, "type" | "state_key" | "sender" | "content">): [string, string][] {
  if (e.type === "m.room.create") return [];
  const keys: [string, string][] = [
    ["m.room.create", ""],
    ["m.room.power_levels", ""],
    ["m.room.member", e.sender],
  ];
  if (e.type === "m.room.member" && e.state_key !== undefined) {
    keys.push(["m.room.member", e.state_key]);
    const membership = e.content.membership;
    if (membership === "join" || membership === "invite" || membership === "knock")
      keys.push(["m.room.join_rules", ""]);
    const tpi = e.content.third_party_invite;
    const token = isJsonObject(tpi) && isJsonObject(tpi.signed) ? tpi.signed.token : undefined;
    if (membership === "invite" && typeof token === "string") keys.push(["m.room.third_party_invite", token]);
    const via = e.content.join_authorised_via_users_server;
    if (typeof via === "string") keys.push(["m.room.member", via]);
  }
  const seen = new Set<string>();
  return keys.filter(([t, k]) => !seen.has(stateKeyOf(t, k)) && seen.add(stateKeyOf(t, k)));
}

/**
 * A power event (state resolution v2, "Power events"): m.room.power_levels, m.room.join_rules, or
 * an m.room.member whose membership is leave or ban and whose sender is not its state_key.
 */
export function isPowerEvent(e: Pick<AuthEvent, "type" | "state_key" | "sender" | "content">): boolean {
  // Policy: the spec's definition, which (unlike Synapse's and ruma's) does not count m.room.create.
  if (e.state_key === undefined) return false;
  if (e.type === "m.room.power_levels" || e.type === "m.room.join_rules") return true;
  if (e.type !== "m.room.member") return false;
  return (e.content.membership === "leave" || e.content.membership === "ban") && e.sender !== e.state_key;
}
