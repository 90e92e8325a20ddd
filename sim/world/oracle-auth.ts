/**
 * The oracle's own room version 11 authorization rules (Matrix spec, "Room Version 11",
 * §Authorization rules; `content/rooms/v11.md` in matrix-org/matrix-spec). Rule numbers below
 * (`[4.5.3]` …) are that list's.
 *
 * Policy: only the oracle (`sim/world/oracle*.ts`) may import this file. It exists so that the
 * judge does not share its rules with what it judges: it imports nothing from `room.ts`,
 * `resolve.ts`, the homeservers or the core verifier, not even their types. A bug in the servers'
 * `authorize()` then shows as a disagreement (`oracle-auth.prop.test.ts`) instead of being
 * invisible to both. Keep it a plain transcription of the spec: simpler than the system.
 *
 * What the simulation does not model, and is therefore left out (each marked `Not modelled`):
 * auth_events selection [2.1-2.3] (the state is the replica's current state), server signatures
 * [4.2.1, and "events must be signed by the server denoted by sender"], and the create event's
 * room ID domain and room version [1.2, 1.3] (MSC3917 room IDs are keys, not `!x:domain`).
 */
import { createPublicKey, verify as verifySignature } from "node:crypto";

/** An event as the oracle sees it: only the fields the rules read. */
export interface OracleEvent {
  event_id: string;
  type: string;
  state_key?: string;
  sender: string;
  content: { readonly [k: string]: unknown };
}

/** The one thing the rules need from outside the room: for restricted joins, membership elsewhere. */
export interface OracleAuthContext {
  isJoined(roomId: string, userId: string): boolean;
}

type Obj = { readonly [k: string]: unknown };
const isObj = (x: unknown): x is Obj => typeof x === "object" && x !== null && !Array.isArray(x);
/** v10+: power levels are integers (JSON's safe range, as canonical JSON requires). */
const isLevel = (x: unknown): x is number => typeof x === "number" && Number.isSafeInteger(x);
const USER_ID = /^@[^:]+:.+$/;
const domainOf = (userId: string): string => userId.slice(userId.indexOf(":") + 1);

/** The top-level power-level keys of [9.1] and [9.5], with their defaults (m.room.power_levels schema). */
const LEVEL_KEYS = {
  users_default: 0,
  events_default: 0,
  state_default: 50,
  ban: 50,
  redact: 50,
  kick: 50,
  invite: 0,
} as const;
type LevelKey = keyof typeof LEVEL_KEYS;

/** The oracle's view of one room's current state: the events it accepted, last one per (type, state_key). */
export class OracleRoomState {
  private readonly state = new Map<string, OracleEvent>();
  /** How many events were accepted: [1.1] and [4.3.1] ask whether any came before. */
  accepted = 0;

  constructor(readonly roomId: string) {}

  /** Record an accepted event. */
  accept(e: OracleEvent): void {
    this.accepted++;
    if (e.state_key !== undefined) this.state.set(`${e.type}\u0000${e.state_key}`, e);
  }

  get(type: string, stateKey = ""): OracleEvent | undefined {
    return this.state.get(`${type}\u0000${stateKey}`);
  }

  /** A user's current membership; no member event means `leave` (never in the room). */
  membership(userId: string): string {
    const m = this.get("m.room.member", userId)?.content.membership;
    return typeof m === "string" ? m : "leave";
  }

  /** Users whose current membership is `join`, sorted. */
  joined(): string[] {
    const out: string[] = [];
    for (const [key, e] of this.state)
      if (key.startsWith("m.room.member\u0000") && e.content.membership === "join") out.push(e.state_key!);
    return out.sort();
  }

  joinRule(): string {
    // Policy: with no m.room.join_rules event the room is invite-only (the spec names no default;
    // Synapse and the client-server API's createRoom behave this way).
    const r = this.get("m.room.join_rules")?.content.join_rule;
    return typeof r === "string" ? r : "invite";
  }

  /**
   * A named level (`invite`, `kick`, `state_default` …): the power levels event's value, else the
   * schema's default, which is also the value when there is no power levels event.
   */
  level(key: LevelKey): number {
    const v = this.get("m.room.power_levels")?.content[key];
    return isLevel(v) ? v : LEVEL_KEYS[key];
  }

  /**
   * A user's power level. With a power levels event: `users[user]`, else `users_default`. Without
   * one: the creator (the create event's sender, v11) has 100, everyone else 0. A power levels
   * event that leaves the creator out of `users` gives them `users_default` like anyone else.
   */
  power(userId: string): number {
    const pl = this.get("m.room.power_levels");
    if (!pl) return this.get("m.room.create")?.sender === userId ? 100 : 0;
    const users = isObj(pl.content.users) ? pl.content.users : {};
    const own = Object.hasOwn(users, userId) ? users[userId] : undefined;
    return isLevel(own) ? own : this.level("users_default");
  }

  /** The level [7] requires to send an event of `type` (state or not). */
  required(type: string, isState: boolean): number {
    const events = this.get("m.room.power_levels")?.content.events;
    const v = isObj(events) && Object.hasOwn(events, type) ? events[type] : undefined;
    return isLevel(v) ? v : this.level(isState ? "state_default" : "events_default");
  }
}

/** Why the v11 rules reject `e` against `room`'s current state, or null if they allow it. */
export function oracleAuthorize(room: OracleRoomState, e: OracleEvent, ctx: OracleAuthContext): string | null {
  // [1] m.room.create: [1.1] nothing may come before it. ([1.2], [1.3]: not modelled.)
  if (e.type === "m.room.create") return room.accepted === 0 ? null : "[1.1] the create event has previous events";
  // [2.4] every other event rests on the create event.
  const create = room.get("m.room.create");
  if (!create) return "[2.4] there is no m.room.create event";
  // [3] m.federate: false keeps the room to the creator's server.
  if (create.content["m.federate"] === false && domainOf(e.sender) !== domainOf(create.sender)) {
    return "[3] the room is not federated";
  }
  if (e.type === "m.room.member") return membership(room, e, ctx, create);
  // [5] everything else needs a joined sender.
  if (room.membership(e.sender) !== "join") return "[5] the sender is not joined";
  const senderLevel = room.power(e.sender);
  // [6] a third-party invite needs the invite level, and nothing else.
  if (e.type === "m.room.third_party_invite") {
    return senderLevel >= room.level("invite") ? null : "[6] the sender lacks the invite level";
  }
  // [7] the event type's required level.
  const needed = room.required(e.type, e.state_key !== undefined);
  if (needed > senderLevel) return `[7] ${e.type} needs level ${needed}, the sender has ${senderLevel}`;
  // [8] a state key that is a user ID belongs to that user.
  if (e.state_key !== undefined && e.state_key.startsWith("@") && e.state_key !== e.sender) {
    return "[8] a state key naming another user";
  }
  if (e.type === "m.room.power_levels") return powerLevels(room, e, senderLevel);
  return null; // [10]
}

/** [4] m.room.member. */
function membership(room: OracleRoomState, e: OracleEvent, ctx: OracleAuthContext, create: OracleEvent): string | null {
  // [4.1]
  const m = e.content.membership;
  if (e.state_key === undefined || typeof m !== "string") return "[4.1] no state_key or no membership";
  const target = e.state_key;
  const targetMembership = room.membership(target);
  const senderMembership = room.membership(e.sender);
  const senderLevel = room.power(e.sender);
  const targetLevel = room.power(target);
  // [4.2.1] join_authorised_via_users_server must be signed by that user's server: not modelled.
  switch (m) {
    case "join": {
      // [4.3.1] the creator's own first join, straight after the create event.
      // Policy: "the state_key is the sender" is read as the create event's sender (v11 removed
      // `creator`; Synapse compares with the create event's sender); the joiner must be them too.
      if (room.accepted === 1 && target === create.sender && e.sender === target) return null;
      if (e.sender !== target) return "[4.3.2] a join must be sent by the joining user"; // [4.3.2]
      if (targetMembership === "ban") return "[4.3.3] the sender is banned";
      const rule = room.joinRule();
      // [4.3.4]
      if (rule === "invite" || rule === "knock") {
        return targetMembership === "invite" || targetMembership === "join"
          ? null
          : `[4.3.7] the join rule is ${rule} and the user is not invited`;
      }
      if (rule === "restricted" || rule === "knock_restricted") {
        if (targetMembership === "invite" || targetMembership === "join") return null; // [4.3.5.1]
        const via = e.content.join_authorised_via_users_server;
        if (via !== undefined) {
          // [4.3.5.2] the authorising user must be able to invite: joined, at the invite level.
          if (typeof via !== "string" || room.membership(via) !== "join" || room.power(via) < room.level("invite")) {
            return "[4.3.5.2] join_authorised_via_users_server cannot invite";
          }
          // Policy: [4.2.1] (the authorising server's signature) is not modelled, so the key alone
          // vouches for nothing: anyone could write it. The allow conditions are checked as below.
        }
        // Policy: the simulation has no make_join/send_join handshake, so its restricted joins carry
        // no join_authorised_via_users_server. The check the authorising resident server would make
        // (server-server API, restricted rooms: the joiner is joined to a room an `allow` entry of
        // type m.room_membership names) is made here, through the context, instead.
        return allowedByRestriction(room, target, ctx)
          ? null
          : "[4.3.5.2] no allow condition is met and no server authorised the join";
      }
      if (rule === "public") return null; // [4.3.6]
      return `[4.3.7] the join rule is ${rule}`;
    }
    case "invite": {
      // [4.4.1] a third-party invite rests on the m.room.third_party_invite whose token it claims.
      const tpi = e.content.third_party_invite;
      if (tpi !== undefined) {
        if (targetMembership === "ban") return "[4.4.1.1] the target is banned";
        const signed = isObj(tpi) ? tpi.signed : undefined;
        if (!isObj(signed)) return "[4.4.1.2] third_party_invite has no signed";
        if (typeof signed.mxid !== "string" || typeof signed.token !== "string") {
          return "[4.4.1.3] signed has no mxid or token";
        }
        if (signed.mxid !== target) return "[4.4.1.4] signed.mxid is not the state_key";
        const published = room.get("m.room.third_party_invite", signed.token);
        if (!published) return "[4.4.1.5] no m.room.third_party_invite with that token";
        if (published.sender !== e.sender) return "[4.4.1.6] the sender did not send the m.room.third_party_invite";
        return signedByAnyKey(signed, publicKeysOf(published))
          ? null
          : "[4.4.1.8] no signature in signed matches its public keys";
      }
      if (senderMembership !== "join") return "[4.4.2] the sender is not joined";
      if (targetMembership === "join" || targetMembership === "ban") return `[4.4.3] the target is ${targetMembership}`;
      return senderLevel >= room.level("invite") ? null : "[4.4.5] the sender lacks the invite level"; // [4.4.4]
    }
    case "leave": {
      if (e.sender === target) {
        // [4.5.1]
        return ["invite", "join", "knock"].includes(targetMembership)
          ? null
          : `[4.5.1] cannot leave from ${targetMembership}`;
      }
      if (senderMembership !== "join") return "[4.5.2] the sender is not joined";
      if (targetMembership === "ban" && senderLevel < room.level("ban")) return "[4.5.3] unbanning needs the ban level";
      // [4.5.4] a kick (and an unban, which must pass this too) needs the kick level and a lower target.
      if (senderLevel >= room.level("kick") && targetLevel < senderLevel) return null;
      return "[4.5.5] the sender lacks the kick level or the target is not below the sender";
    }
    case "ban": {
      if (senderMembership !== "join") return "[4.6.1] the sender is not joined";
      if (senderLevel >= room.level("ban") && targetLevel < senderLevel) return null; // [4.6.2]
      return "[4.6.3] the sender lacks the ban level or the target is not below the sender";
    }
    case "knock": {
      const rule = room.joinRule();
      if (rule !== "knock" && rule !== "knock_restricted") return `[4.7.1] the join rule is ${rule}`;
      if (e.sender !== target) return "[4.7.2] a knock must be sent by the knocking user";
      if (!["ban", "invite", "join"].includes(senderMembership)) return null; // [4.7.3]
      return `[4.7.4] cannot knock from ${senderMembership}`;
    }
    default:
      return `[4.8] unknown membership ${JSON.stringify(m)}`;
  }
}

/** Whether `user` is joined to a room an `m.room_membership` entry of the join rule's `allow` names. */
function allowedByRestriction(room: OracleRoomState, user: string, ctx: OracleAuthContext): boolean {
  const allow = room.get("m.room.join_rules")?.content.allow;
  if (!Array.isArray(allow)) return false;
  // The join rules schema: `type` is required, and improper conditions satisfy nobody.
  return allow.some(
    (a) => isObj(a) && a.type === "m.room_membership" && typeof a.room_id === "string" && ctx.isJoined(a.room_id, user),
  );
}

/** [9] m.room.power_levels, after [7] and [8]. */
function powerLevels(room: OracleRoomState, e: OracleEvent, senderLevel: number): string | null {
  const next = e.content;
  // [9.1]
  for (const k of Object.keys(LEVEL_KEYS)) {
    if (next[k] !== undefined && !isLevel(next[k])) return `[9.1] ${k} is not an integer`;
  }
  // [9.2]
  for (const k of ["events", "notifications"]) {
    const v = next[k];
    if (v !== undefined && !(isObj(v) && Object.values(v).every(isLevel))) {
      return `[9.2] ${k} is not an object of integers`;
    }
  }
  // [9.3] Policy: an absent `users` is allowed (read as empty), as Synapse does.
  const users = next.users;
  const usersOk = isObj(users) && Object.entries(users).every(([u, l]) => USER_ID.test(u) && isLevel(l));
  if (users !== undefined && !usersOk) {
    return "[9.3] users is not an object of user IDs to integers";
  }
  // [9.4]
  const current = room.get("m.room.power_levels");
  if (!current) return null;
  const before = current.content;
  // [9.5] top-level levels added, changed or removed: neither the old nor the new value may exceed the sender's.
  for (const k of Object.keys(LEVEL_KEYS)) {
    const [was, now] = [before[k], next[k]];
    if (was === now) continue;
    if (isLevel(was) && was > senderLevel) return `[9.5.1] ${k} was ${was}, above the sender's ${senderLevel}`;
    if (isLevel(now) && now > senderLevel) return `[9.5.2] ${k} would be ${now}, above the sender's ${senderLevel}`;
  }
  // [9.6], [9.7] entries of `events` and `notifications`.
  for (const k of ["events", "notifications"]) {
    const problem = entries(before[k], next[k], (_key, was, now) => {
      if (was !== undefined && was > senderLevel) {
        return `[9.6.1] ${k}.${_key} was ${was}, above the sender's ${senderLevel}`;
      }
      if (now !== undefined && now > senderLevel) {
        return `[9.7.1] ${k}.${_key} would be ${now}, above the sender's ${senderLevel}`;
      }
      return null;
    });
    if (problem) return problem;
  }
  // [9.8], [9.9] entries of `users`.
  return entries(before.users, next.users, (user, was, now) => {
    // [9.8.1] nobody may change or remove the entry of someone at or above their own level (their own entry aside).
    if (user !== e.sender && was !== undefined && was >= senderLevel) {
      return `[9.8.1] ${user} is at ${was}, not below the sender's ${senderLevel}`;
    }
    // [9.9.1]
    if (now !== undefined && now > senderLevel) {
      return `[9.9.1] ${user} would be ${now}, above the sender's ${senderLevel}`;
    }
    return null;
  });
}

/**
 * Call `check` for each key of two integer maps whose entry was added, changed or removed; the first
 * complaint wins.
 */
function entries(
  before: unknown,
  after: unknown,
  check: (key: string, was?: number, now?: number) => string | null,
): string | null {
  const was = isObj(before) ? before : {};
  const now = isObj(after) ? after : {};
  for (const key of new Set([...Object.keys(was), ...Object.keys(now)])) {
    const a = Object.hasOwn(was, key) && isLevel(was[key]) ? (was[key] as number) : undefined;
    const b = Object.hasOwn(now, key) && isLevel(now[key]) ? (now[key] as number) : undefined;
    if (a === b) continue;
    const problem = check(key, a, b);
    if (problem) return problem;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// [4.4.1.7] "If any signature in signed matches any public key in the m.room.third_party_invite
// event, allow": its own small Ed25519 check over Matrix canonical JSON (appendices, §Signing
// JSON), so that the oracle shares no signing code with the verifier it judges.

/** The public keys of an m.room.third_party_invite [4.4.1.7.1, 4.4.1.7.2]. */
function publicKeysOf(e: OracleEvent): string[] {
  const keys: string[] = [];
  if (typeof e.content.public_key === "string") keys.push(e.content.public_key);
  if (Array.isArray(e.content.public_keys)) {
    for (const k of e.content.public_keys) if (isObj(k) && typeof k.public_key === "string") keys.push(k.public_key);
  }
  return keys;
}

/**
 * Policy: a key the inviter published is theirs to choose; a weak (small-order) one only lets
 * others claim that inviter's own invite, and [4.4.1.6] already ties the invite to that inviter,
 * so keys are not screened here beyond their length.
 */
function signedByAnyKey(signed: Obj, publicKeys: string[]): boolean {
  const message = canonicalJson(signed, new Set(["signatures", "unsigned"]));
  if (message === undefined || !isObj(signed.signatures)) return false;
  const byEntity = Object.values(signed.signatures);
  const signatures = byEntity.flatMap((byKeyId) => (isObj(byKeyId) ? Object.values(byKeyId) : []));
  const bytes = Buffer.from(message, "utf8");
  for (const keyText of publicKeys) {
    const key = unpaddedBase64(keyText, 32);
    if (!key) continue;
    let publicKey;
    try {
      publicKey = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, key]), format: "der", type: "spki" });
    } catch {
      continue;
    }
    for (const sigText of signatures) {
      const sig = typeof sigText === "string" ? unpaddedBase64(sigText, 64) : undefined;
      if (sig && verifySignature(null, bytes, publicKey, sig)) return true;
    }
  }
  return false;
}

const ED25519_SPKI_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/** Standard base64 (padding optional, as Matrix writes it unpadded) decoding to exactly `length` bytes. */
function unpaddedBase64(text: string, length: number): Buffer | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  const bytes = Buffer.from(text, "base64");
  return bytes.length === length ? bytes : undefined;
}

/**
 * Matrix canonical JSON (keys sorted by code point, no insignificant whitespace, integers only),
 * or undefined for what it cannot encode. Policy: nesting deeper than 32 is refused rather than
 * recursed into (`signed` is attacker-supplied; Matrix signs three flat strings there).
 */
function canonicalJson(value: unknown, skip: ReadonlySet<string> = new Set(), depth = 0): string | undefined {
  if (depth > 32) return undefined;
  if (value === null || typeof value === "boolean") return JSON.stringify(value);
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") return Number.isSafeInteger(value) ? String(value) : undefined;
  if (Array.isArray(value)) {
    const items = value.map((v) => canonicalJson(v, new Set(), depth + 1));
    return items.includes(undefined) ? undefined : `[${items.join(",")}]`;
  }
  if (!isObj(value)) return undefined;
  const parts: string[] = [];
  for (const k of Object.keys(value)
    .filter((k) => !skip.has(k))
    .sort(byCodePoint)) {
    const v = canonicalJson(value[k], new Set(), depth + 1);
    if (v === undefined) return undefined;
    parts.push(`${JSON.stringify(k)}:${v}`);
  }
  return `{${parts.join(",")}}`;
}

function byCodePoint(a: string, b: string): number {
  const [x, y] = [Array.from(a), Array.from(b)];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}
