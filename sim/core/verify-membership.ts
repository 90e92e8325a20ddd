/**
 * The membership-tree verifier: the flowchart of MSC3917 §Membership Event Signature Tree, every
 * branch, plus the rules DESIGN.md §4 makes explicit (subject binding, RRK binding, termination).
 *
 * Input: the room as one client sees it (the RRK it believes in, current state, further events it
 * can look up) and what the client knows (pinned MSKs). Output: one verdict per user whose
 * membership in the state is `join`: `verified`, `rejected` with a reason and the event where it
 * failed, or `unknown` when an event the chain needs was never delivered.
 *
 * Every cause-of-membership check is a *task* for one (event, user, MSK) in one room context. A task
 * checks what it can locally, then depends on at most two other tasks (the sender's cause, and for
 * a restricted join the proof in the other room). Tasks run from an explicit stack, never by
 * recursion, so a 10^6-deep chain is fine; results are memoized per task, and a task met again
 * while still on the stack is a `parent_cycle`.
 */
import { decodeBase64, encodeBase64 } from "./base64.ts";
import { BoundedCache } from "./bounded-cache.ts";
import { MAX_JSON_DEPTH, compareCodePoints, isJsonObject } from "./canonical-json.ts";
import { crossSigningPublicKey } from "./cross-signing.ts";
import {
  type Ed25519Backend,
  PUBLIC_KEY_LENGTH,
  SIGNATURE_LENGTH,
  defaultBackend,
  speculate,
  verifyEd25519,
} from "./ed25519.ts";
import type { RejectReason, UnknownReason } from "./membership-reasons.ts";
import { type Msc3917Fields, readMsc3917Fields } from "./msc3917-fields.ts";
import { type Result, fail, ok } from "./result.ts";
import {
  RRK_KEY_ID,
  isRrkRoomId,
  isRrkShapedRoomId as isRrkRoomIdShaped,
  roomIdFromRrk,
  rrkFromContent,
} from "./room-root-key.ts";
import { isEd25519KeyId, signatureOf, signedView, verifySignedJson } from "./signing.ts";

export type { RejectReason, UnknownReason } from "./membership-reasons.ts";

/**
 * One member's verdict. A verified one names the cause-of-membership, the next event up its chain
 * (`parent`) and the chain's length; the whole chain only with `chains: true`, since a deep room's
 * chains together grow with the square of its depth (DESIGN.md §4, §12).
 */
export type MemberVerdict =
  | { status: "verified"; msk: string; cause: string; parent?: string; chain_length: number; chain?: string[] }
  | { status: "rejected"; reason: RejectReason; event: string; detail?: string }
  | { status: "unknown"; reason: UnknownReason; event: string; detail?: string };

/**
 * The verdict on the room itself: its create event must be in the state, carry the RRK the client
 * believes in and be signed by it. A room that fails this has no member who can verify.
 */
export type RoomVerdict =
  | { status: "verified"; event: string }
  | { status: "rejected"; reason: RejectReason; event: string; detail?: string }
  | { status: "unknown"; reason: "parent_missing"; event: "m.room.create"; detail: string };

export interface MembershipResult {
  room_id: string;
  room: RoomVerdict;
  /** By user ID. Policy: an object with a null prototype, so a user ID such as `__proto__` is data. */
  members: Record<string, MemberVerdict>;
}

/** The room as one client sees it (DESIGN.md §12, the room file). Everything in it is untrusted. */
export interface RoomView {
  /** The RRK the client believes in: bytes, or unpadded standard base64. */
  roomRootKey: Uint8Array | string;
  /** Current state: client-format events. */
  state: readonly unknown[];
  /** Further events the client can look up by `event_id`. */
  events?: readonly unknown[];
}

export interface VerifyOptions {
  /**
   * MSKs the client has pinned (verified out of band, or TOFU from earlier), by user ID.
   * Policy: a pinned MSK is the only one accepted for that user, for current and past events
   * alike. A user without a pin is trusted on first use from the events: the MSK their
   * cause-of-membership names, which must still verify all the way to the create event.
   */
  pinned?: ReadonlyMap<string, Uint8Array> | Readonly<Record<string, Uint8Array | string>>;
  /** Consulted for event IDs that neither `state` nor `events` holds. */
  lookup?: (eventId: string) => unknown;
  backend?: Ed25519Backend;
  /**
   * `true` or `"full"`: verified verdicts also list their whole chain of event IDs. Otherwise
   * (`false`, `"length"`, the default) a verdict gives `parent` and `chain_length` only, which
   * keeps the output linear in the room.
   */
  chains?: boolean | "full" | "length";
}

/** The shape of `verifyMembership`: what callers that take a verifier as a parameter accept. */
export type MembershipVerifier = (room: RoomView, options?: VerifyOptions) => MembershipResult;

/**
 * The subject-binding checks of DESIGN.md §4. The public verifier always uses `STRICT_BINDING`
 * and has no option to change it; `verifierWithBinding` builds a verifier with others, the seam
 * through which test-support/planted-bugs.ts plants bugs for mutation tests.
 */
export interface SubjectBinding {
  /** invite_rrk: is the invite's `user_key` (decoded, or null) the joiner's MSK? */
  inviteUserKey(userKey: Uint8Array | null, msk: Uint8Array): boolean;
}

export const STRICT_BINDING: SubjectBinding = Object.freeze({
  inviteUserKey: (userKey: Uint8Array | null, msk: Uint8Array) => userKey !== null && sameBytes(userKey, msk),
});

// ---------------------------------------------------------------------------------------------
// Events, read defensively

export interface Ev {
  event_id: string;
  type: string;
  state_key: string | undefined;
  sender: string;
  content: Record<string, unknown>;
  fields: Msc3917Fields;
  raw: Record<string, unknown>;
}

export type Failure =
  | { status: "rejected"; reason: RejectReason; event: string; detail?: string }
  | { status: "unknown"; reason: UnknownReason; event: string; detail?: string };

export const reject = (reason: RejectReason, event: string, detail?: string): Failure =>
  detail === undefined ? { status: "rejected", reason, event } : { status: "rejected", reason, event, detail };
const missing = (event: string): Failure => ({ status: "unknown", reason: "parent_missing", event });
const unsupported = (event: string, detail: string): Failure => ({
  status: "unknown",
  reason: "join_rule_unsupported",
  event,
  detail,
});

/**
 * Read an event's envelope and MSC3917 fields. With `cache`, each object is read once: the
 * verifier keeps one cache per event index (so per verification, or per session) rather than one
 * for the whole process, so what it holds lives as long as the index that needed it.
 */
export function parseEvent(raw: unknown, cache?: Map<object, Result<Ev, RejectReason>>): Result<Ev, RejectReason> {
  if (!isJsonObject(raw)) return fail("malformed");
  const cached = cache?.get(raw);
  if (cached !== undefined) return cached;
  let result: Result<Ev, RejectReason>;
  const { event_id, type, state_key, sender, content } = raw;
  if (
    typeof event_id !== "string" ||
    typeof type !== "string" ||
    typeof sender !== "string" ||
    !isJsonObject(content) ||
    (state_key !== undefined && typeof state_key !== "string")
  ) {
    result = fail("malformed");
  } else {
    const fields = readMsc3917Fields(content);
    result = fields.ok
      ? ok({ event_id, type, state_key, sender, content, fields: fields.value, raw })
      : fail(fields.error);
  }
  cache?.set(raw, result);
  return result;
}

export function decodeKey(value: unknown): Uint8Array | null {
  if (typeof value !== "string") return null;
  const d = decodeBase64(value, { expectedLength: PUBLIC_KEY_LENGTH });
  return d.ok ? d.value : null;
}

export const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && Buffer.compare(a, b) === 0;

/** Index of events by ID. Policy: two *different* events under one ID make that ID ambiguous, and anything resting on it `malformed`. */
export class EventIndex {
  private readonly byId = new Map<string, unknown>();
  private readonly ambiguous = new Set<string>();
  /** Events read so far (`parseEvent`), by object: those looked up, and the state's create event. */
  private readonly parsed = new Map<object, Result<Ev, RejectReason>>();

  constructor(
    sources: readonly (readonly unknown[])[],
    private readonly fallback?: (eventId: string) => unknown,
  ) {
    this.add(sources);
  }

  /** Take in more events. Returns true if an ID that had one event now has two different ones. */
  add(sources: readonly (readonly unknown[])[]): boolean {
    let conflict = false;
    for (const list of sources) {
      for (const raw of list) {
        if (!isJsonObject(raw) || typeof raw.event_id !== "string") continue;
        const id = raw.event_id;
        const seen = this.byId.get(id);
        if (seen === undefined) this.byId.set(id, raw);
        else if (seen !== raw && !this.ambiguous.has(id) && !sameEvent(seen, raw)) {
          this.ambiguous.add(id);
          conflict = true;
        }
      }
    }
    return conflict;
  }

  get(eventId: string): { found: Ev } | Failure {
    if (this.ambiguous.size > 0 && this.ambiguous.has(eventId))
      return reject("malformed", eventId, "two different events share this event ID");
    let raw = this.byId.get(eventId);
    if (raw === undefined && this.fallback) {
      try {
        raw = this.fallback(eventId);
      } catch {
        raw = undefined;
      }
    }
    if (raw === undefined || raw === null) return missing(eventId);
    const ev = this.parse(raw);
    if (!ev.ok) return reject(ev.error, eventId);
    if (ev.value.event_id !== eventId) return reject("malformed", eventId, "lookup returned an event with another ID");
    let found = this.found.get(ev.value);
    if (found === undefined) this.found.set(ev.value, (found = { found: ev.value }));
    return found;
  }

  /** The answer `get` gives for each event read, made once (a join is looked up for every chain through it). */
  private readonly found = new WeakMap<Ev, { found: Ev }>();

  /** `parseEvent`, once per object for the life of this index. */
  parse(raw: unknown): Result<Ev, RejectReason> {
    return parseEvent(raw, this.parsed);
  }
}

/**
 * Structural equality of JSON values, without encoding them; a shared sub-object compares in one
 * step. `omit` names top-level keys to ignore. Values nested deeper than canonical JSON allows
 * are never equal, which bounds the recursion.
 */
function sameJson(a: unknown, b: unknown, omit?: ReadonlySet<string>, depth = 0): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null || depth > MAX_JSON_DEPTH)
    return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i], undefined, depth + 1)) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  let na = 0;
  for (const k of Object.keys(ra)) {
    if (omit?.has(k)) continue;
    na++;
    if (!Object.hasOwn(rb, k) || !sameJson(ra[k], rb[k], undefined, depth + 1)) return false;
  }
  let nb = 0;
  for (const k of Object.keys(rb)) if (!omit?.has(k)) nb++;
  return na === nb;
}

/**
 * Policy: two events under one ID are the same event when they agree on everything but the
 * event's own top-level `unsigned` (`age`, `transaction_id`, ...), which servers rewrite on every
 * delivery. Anything else that differs, signed or not (content, its `unsigned` proof, the
 * signatures, the envelope), makes them different events.
 */
function sameEvent(a: unknown, b: unknown): boolean {
  return sameJson(a, b, EVENT_UNSIGNED);
}

const EVENT_UNSIGNED: ReadonlySet<string> = new Set(["unsigned"]);

// ---------------------------------------------------------------------------------------------
// Tasks

/** One room as far as verification goes: its RRK and the events that can be looked up in it. */
export interface Context {
  id: number;
  rrk: Uint8Array;
  roomId: string;
  index: EventIndex;
  /** The create event's ID, where the state (or the proof) has one: a plain join rests on it. */
  createEventId: string | undefined;
}

interface Task {
  ctx: Context;
  eventId: string;
  user: string;
  msk: Uint8Array;
  /** Memo key, computed on first use. */
  key?: string;
}

/** A task on the solver's stack. */
interface Frame {
  task: Task;
  key: string;
  local: Local;
  next: number;
  unknown: Failure | undefined;
}

interface Dep {
  task: Task;
  /** The dependency this task's chain continues through (the sender's cause). */
  primary: boolean;
  /** For the restricted-join proof: a rejection inside the other room becomes `restricted_proof_failed`. */
  wrap?: RejectReason;
}

type Local = Failure | { status: "ok"; via: string[]; deps: Dep[] };

export type Outcome =
  | Failure
  | { status: "verified"; cause: string; via: string[]; next: string | undefined; length: number };

/**
 * The unpadded base64 text of a key, once per key object. Only for key objects the verifier owns
 * (decoded by it, or copied from the pins), which nothing mutates.
 */
const keyTexts = new WeakMap<Uint8Array, string>();
function textOfKey(key: Uint8Array): string {
  let text = keyTexts.get(key);
  if (text === undefined) keyTexts.set(key, (text = encodeBase64(key)));
  return text;
}

/** `ed25519:<base64>`, the key ID a cross-signing key signs with (keyIdOf), once per key object. */
const keyIds = new WeakMap<Uint8Array, string>();
function keyIdOfKey(key: Uint8Array): string {
  let id = keyIds.get(key);
  if (id === undefined) keyIds.set(key, (id = `ed25519:${textOfKey(key)}`));
  return id;
}

/**
 * Keys decoded from their text, once per distinct text in this process: the same object for the
 * same text, so that its text and key ID (`textOfKey`, `keyIdOfKey`) are made once too. Keys are
 * long-lived (a member's MSK and RSK appear in every room and every call), events are not. Only
 * the verifier reads these objects, and nothing mutates them. Bounded; cleared when full.
 */
const decodedKeys = new BoundedCache<string, Uint8Array | null>(1 << 18);
const keyFromText = (text: string): Uint8Array | null => {
  const known = decodedKeys.get(text);
  return known !== undefined ? known : decodedKeys.set(text, decodeKey(text));
};

const taskKey = (t: Task): string =>
  (t.key ??= `${t.ctx.id}\u0000${t.eventId}\u0000${t.user}\u0000${textOfKey(t.msk)}`);

/**
 * Policy: a third-party invite is checked against at most the first 16 distinct identity-server keys
 * that the m.room.third_party_invite lists (`public_key` first, then `public_keys` in order) and at most
 * 16 of the signatures on its signed data. DESIGN.md §4 says any listed key may have signed; the
 * cap is a deliberate exception. The spec's rule (any signature under any listed key) costs
 * keys × signatures verifications per invite, and one member-signed m.room.third_party_invite
 * can be the parent of any number of successor invites, so without a cap a room could demand a
 * number of verifications that grows with the square of its size. With it, one invite costs at
 * most 256. Honest invites list one or two keys and carry one signature. The price is
 * completeness only: an identity server that signs with a 17th listed key is not believed.
 */
const MAX_IDENTITY_KEYS = 16;
const MAX_IDENTITY_SIGNATURES = 16;

/** What a restricted rule's `allow` list means to the verifier; worked out once per rule event. */
type RuleAllows = { legacy: true } | { legacy: false; rooms: ReadonlySet<string> } | Failure;

export class Verifier {
  private readonly memo = new Map<string, Outcome>();
  private readonly senderChecks = new Map<string, { dep: Dep; via: string } | Failure>();
  private readonly subkeyChecks = new Map<string, { user: string; mskKeyId: string; key: unknown }[]>();
  private readonly identityKeys = new WeakMap<Ev, Uint8Array[]>();
  private readonly rsks = new WeakMap<object, { user: string; rsk: ReturnType<typeof crossSigningPublicKey> }>();
  private readonly createChecks = new Map<string, boolean>();
  private readonly ruleAllows = new WeakMap<Ev, RuleAllows>();
  /** `room_root_key` texts read as RRKs, once per distinct text. */
  private readonly rrkTexts = new Map<string, Result<Uint8Array>>();
  private readonly backend: Ed25519Backend;
  private contexts = 0;

  constructor(
    private readonly pinned: ReadonlyMap<string, Uint8Array>,
    backend: Ed25519Backend,
    private readonly binding: SubjectBinding = STRICT_BINDING,
  ) {
    this.backend = backend;
  }

  /** A 32-byte key from its unpadded base64 text, or null (`keyFromText`). */
  key(value: unknown): Uint8Array | null {
    return typeof value === "string" ? keyFromText(value) : null;
  }

  /** Is a `room_root_key` field this context's RRK? (rrkFromContent, once per distinct text.) */
  private isRrk(value: unknown, ctx: Context): boolean {
    if (typeof value !== "string") return false;
    let rrk = this.rrkTexts.get(value);
    if (rrk === undefined) this.rrkTexts.set(value, (rrk = rrkFromContent(value)));
    return rrk.ok && sameBytes(rrk.value, ctx.rrk);
  }

  newContext(rrk: Uint8Array, index: EventIndex, createEventId: string | undefined): Context {
    return { id: this.contexts++, rrk, roomId: roomIdFromRrk(rrk), index, createEventId };
  }

  private readonly onStack = new Set<string>();
  private readonly stack: Frame[] = [];
  private solving = false;

  private open(task: Task, key: string): Frame {
    this.onStack.add(key);
    return { task, key, local: this.localCheck(task), next: 0, unknown: undefined };
  }

  /** Verify one task and everything it rests on, iteratively. */
  solve(root: Task): Outcome {
    const rootKey = taskKey(root);
    const done = this.memo.get(rootKey);
    if (done) return done;
    // One set and one stack per verifier, reused by every solve. Nothing a solve calls solves
    // again; if something did, it would only be wrong, so it is refused.
    if (this.solving) throw new Error("Verifier.solve: not re-entrant");
    this.solving = true;
    try {
      return this.solveFrom(root, rootKey);
    } finally {
      this.solving = false;
      this.onStack.clear();
      this.stack.length = 0;
    }
  }

  private solveFrom(root: Task, rootKey: string): Outcome {
    const onStack = this.onStack;
    const stack = this.stack;
    stack.push(this.open(root, rootKey));
    const finish = (f: Frame, outcome: Outcome): void => {
      this.memo.set(f.key, outcome);
      onStack.delete(f.key);
      stack.pop();
    };
    while (stack.length > 0) {
      const f = stack[stack.length - 1]!;
      const local = f.local;
      if (local.status !== "ok") {
        finish(f, local);
        continue;
      }
      if (f.next < local.deps.length) {
        const dep = local.deps[f.next]!;
        const key = taskKey(dep.task);
        const result = this.memo.get(key);
        if (result === undefined) {
          if (onStack.has(key)) finish(f, reject("parent_cycle", dep.task.eventId));
          else stack.push(this.open(dep.task, key));
          continue;
        }
        if (result.status === "rejected") {
          finish(
            f,
            dep.wrap
              ? reject(dep.wrap, result.event, result.detail ? `${result.reason}: ${result.detail}` : result.reason)
              : result,
          );
          continue;
        }
        if (result.status === "unknown") f.unknown ??= result;
        f.next++;
        continue;
      }
      if (f.unknown) {
        finish(f, f.unknown);
        continue;
      }
      const primary = local.deps.find((d) => d.primary);
      const primaryKey = primary ? taskKey(primary.task) : undefined;
      const primaryOutcome = primaryKey ? this.memo.get(primaryKey) : undefined;
      const tail = primaryOutcome?.status === "verified" ? primaryOutcome.length : 0;
      finish(f, {
        status: "verified",
        cause: f.task.eventId,
        via: local.via,
        next: primaryKey,
        length: 1 + local.via.length + tail,
      });
    }
    return this.memo.get(rootKey)!;
  }

  /**
   * Forget every outcome that rests on a missing event: it may have arrived since. Verified and
   * rejected outcomes rest only on events that were present, which a session never replaces.
   */
  forgetUnknown(): void {
    for (const [k, v] of this.memo) if (v.status === "unknown") this.memo.delete(k);
    for (const [k, v] of this.senderChecks) if ("status" in v && v.status === "unknown") this.senderChecks.delete(k);
  }

  /** The event after a verified outcome's cause in its chain, if the chain goes on. */
  parentOf(outcome: Outcome & { status: "verified" }): string | undefined {
    if (outcome.via.length > 0) return outcome.via[0];
    const next = outcome.next === undefined ? undefined : this.memo.get(outcome.next);
    return next?.status === "verified" ? next.cause : undefined;
  }

  /** create_rrk and create_sig on the room's own create event, for the room-level verdict; null if it passes. */
  checkRoomCreate(e: Ev, ctx: Context): (Failure & { status: "rejected" }) | null {
    if (!this.isRrk(e.fields.values.room_root_key, ctx))
      return {
        status: "rejected",
        reason: "create_wrong_rrk",
        event: e.event_id,
        detail: "the create event does not carry the RRK the client believes in",
      };
    return this.createSigned(e, ctx)
      ? null
      : {
          status: "rejected",
          reason: "create_bad_signature",
          event: e.event_id,
          detail: "the create event is not signed by the RRK",
        };
  }

  /** create_sig, checked once per create event. */
  private createSigned(e: Ev, ctx: Context): boolean {
    const memoKey = `${ctx.id}\u0000${e.event_id}`;
    let signed = this.createChecks.get(memoKey);
    if (signed === undefined) {
      // Policy: the RRK's signature is accepted under the entity <room ID> (MSC3917's text) or under
      // the creator's user ID (the proposal's example event). The key is what matters, and it must
      // be the RRK the client believes in either way.
      signed =
        verifySignedJson(e.content, ctx.roomId, RRK_KEY_ID, ctx.rrk, this.backend).ok ||
        verifySignedJson(e.content, e.sender, RRK_KEY_ID, ctx.rrk, this.backend).ok;
      this.createChecks.set(memoKey, signed);
    }
    return signed;
  }

  /** The chain of event IDs from a verified task up to the create event. */
  chain(outcome: Outcome): string[] {
    const out: string[] = [];
    let cur: Outcome | undefined = outcome;
    while (cur?.status === "verified") {
      out.push(cur.cause, ...cur.via);
      cur = cur.next === undefined ? undefined : this.memo.get(cur.next);
    }
    return out;
  }

  /**
   * Verify an event that a member signs but that is not a cause of membership (`m.space.child`):
   * check_sender on it, then its sender's cause, iteratively. The chain starts at the event.
   */
  solveSenderSigned(e: Ev, ctx: Context): Outcome {
    const checked = this.checkSender(e, ctx);
    if ("status" in checked) return checked;
    const cause = this.solve(checked.dep.task);
    if (cause.status !== "verified") return cause;
    return {
      status: "verified",
      cause: e.event_id,
      via: [],
      next: taskKey(checked.dep.task),
      length: 1 + cause.length,
    };
  }

  /**
   * Is this RSK (a `CrossSigningKey` from `sender_key`) signed by `msk`? Checked once per distinct
   * key: the cache is keyed by user, MSK and the MSK's signature text, and keeps the object it was
   * checked for, so a different object with the same signature text is compared in full, never
   * trusted on the key alone.
   */
  /**
   * The RSK a `sender_key` holds for `user`, read once per object (a join's `sender_key` is read
   * for its own signature and again for the RSK→MSK check). Keyed by object identity, so a
   * different object is always read afresh.
   */
  private rskOf(senderKey: unknown, user: string): ReturnType<typeof crossSigningPublicKey> {
    const expect = { userId: user, usage: "room_signing" as const, decode: keyFromText };
    if (!isJsonObject(senderKey)) return crossSigningPublicKey(senderKey, expect);
    const cached = this.rsks.get(senderKey);
    if (cached !== undefined && cached.user === user) return cached.rsk;
    // The key object comes from `key()`, one per text, so its key ID (keyIdOfKey) is made once.
    const rsk = crossSigningPublicKey(senderKey, expect);
    this.rsks.set(senderKey, { user, rsk });
    return rsk;
  }

  private rskSignedBy(senderKey: unknown, user: string, msk: Uint8Array): boolean {
    const mskKeyId = keyIdOfKey(msk);
    const sig = signatureOf(senderKey, user, mskKeyId);
    if (sig === undefined) return false;
    // Keyed by the signature's text (a string of the input, so its hash is made once), then
    // compared on user and MSK: no key string is built per check.
    const checked = this.subkeyChecks.get(sig);
    if (checked !== undefined)
      for (const c of checked)
        if (c.user === user && c.mskKeyId === mskKeyId && sameJson(c.key, senderKey)) return true;
    // verifySubkey, with the RSK read once (rskOf, the same checks) and the MSK's key ID made once.
    const ok = this.rskOf(senderKey, user).ok && verifySignedJson(senderKey, user, mskKeyId, msk, this.backend).ok;
    // Only successes are kept: they have been through canonical JSON, which bounds their depth
    // for `sameJson`. A failure is rare in an honest room and costs one check per event. At most
    // a few per signature text: more are checked every time (a signature copied onto many keys).
    if (ok) {
      const entry = { user, mskKeyId, key: senderKey };
      if (checked === undefined) this.subkeyChecks.set(sig, [entry]);
      else if (checked.length < 4) checked.push(entry);
    }
    return ok;
  }

  /** The cause-of-membership check for `task`: flowchart node `start` and what follows it locally. */
  private localCheck(task: Task): Local {
    const { ctx, user, msk } = task;
    const looked = ctx.index.get(task.eventId);
    if (!("found" in looked)) return looked;
    const e = looked.found;
    if (e.type === "m.room.create" && e.state_key === "") return this.checkCreate(e, ctx, user, msk);
    if (e.type === "m.room.member" && e.content.membership === "join") {
      if (e.state_key !== user) return reject("wrong_parent_kind", e.event_id, "a join for another user");
      return this.checkJoin(e, ctx, user, msk);
    }
    return reject(
      "wrong_parent_kind",
      e.event_id,
      `a cause of membership must be a join or m.room.create, not ${e.type}${typeof e.content.membership === "string" ? ` (${e.content.membership})` : ""}`,
    );
  }

  /** create_rrk, create_sig. */
  private checkCreate(e: Ev, ctx: Context, user: string, msk: Uint8Array): Local {
    if (!this.isRrk(e.fields.values.room_root_key, ctx)) return reject("create_wrong_rrk", e.event_id);
    const creatorKey = this.key(e.fields.values.creator_key);
    if (!creatorKey || !sameBytes(creatorKey, msk))
      return reject("create_wrong_creator", e.event_id, "creator_key is not the user's MSK");
    if (e.sender !== user)
      return reject("create_wrong_creator", e.event_id, "the create event was sent by another user");
    if (!this.createSigned(e, ctx)) return reject("create_bad_signature", e.event_id);
    return { status: "ok", via: [], deps: [] };
  }

  /** join_rrk, join_sig, join_rsk_msk, then why_join. */
  private checkJoin(e: Ev, ctx: Context, user: string, msk: Uint8Array): Local {
    const v = e.fields.values;
    if (e.fields.form === null) {
      // The creator's first join may be a plain join: it rests on the create event, whose checks
      // bind it to this user and MSK. Anyone else's plain join fails there.
      if (e.sender !== user) return reject("join_bad_signature", e.event_id, "a join sent by another user");
      if (ctx.createEventId === undefined) return missing("m.room.create");
      const create = ctx.index.get(ctx.createEventId);
      if (!("found" in create)) return create;
      if (create.found.sender !== user)
        return reject("join_wrong_rrk", e.event_id, "a join without MSC3917 fields, by someone other than the creator");
      return { status: "ok", via: [], deps: [{ task: { ctx, eventId: ctx.createEventId, user, msk }, primary: true }] };
    }
    if (!this.isRrk(v.room_root_key, ctx)) return reject("join_wrong_rrk", e.event_id);
    const userKey = this.key(v.user_key);
    if (!userKey || !sameBytes(userKey, msk)) return reject("join_wrong_msk", e.event_id);
    if (e.sender !== user) return reject("join_bad_signature", e.event_id, "a join sent by another user");
    const rsk = this.rskOf(v.sender_key, user);
    if (!rsk.ok)
      return reject(
        "join_bad_signature",
        e.event_id,
        `sender_key: ${typeof rsk.error === "string" ? rsk.error : rsk.error.signature}`,
      );
    const sig = verifySignedJson(e.content, user, keyIdOfKey(rsk.value), rsk.value, this.backend);
    if (!sig.ok) return reject("join_bad_signature", e.event_id, sig.error);
    if (!this.rskSignedBy(v.sender_key, user, msk)) return reject("join_rsk_not_signed", e.event_id);
    return this.whyJoin(e, ctx, user, msk);
  }

  /** why_join: what allowed this join? */
  private whyJoin(join: Ev, ctx: Context, user: string, msk: Uint8Array): Local {
    const parentId = join.fields.values.parent_event_id;
    if (typeof parentId !== "string") return reject("malformed", join.event_id, "parent_event_id is not a string");
    const looked = ctx.index.get(parentId);
    if (!("found" in looked)) return looked;
    const p = looked.found;
    if (p.type === "m.room.create" && p.state_key === "") {
      // The creator's signed join, with the create event as its parent.
      return { status: "ok", via: [], deps: [{ task: { ctx, eventId: p.event_id, user, msk }, primary: true }] };
    }
    if (p.type === "m.room.member" && p.content.membership === "invite") {
      if (p.state_key !== user) return reject("invite_wrong_msk", p.event_id, "the invite is for another user");
      return isJsonObject(p.content.third_party_invite)
        ? this.checkThirdPartyInvite(p, ctx, user, msk)
        : this.checkUserInvite(p, ctx, msk);
    }
    if (p.type === "m.room.join_rules" && p.state_key === "") return this.checkJoinRule(join, p, ctx, user, msk);
    return reject(
      "wrong_parent_kind",
      p.event_id,
      `a join's parent must be an invite or m.room.join_rules, not ${p.type}`,
    );
  }

  /** invite_rrk, then check_sender. */
  private checkUserInvite(invite: Ev, ctx: Context, msk: Uint8Array): Local {
    if (!this.isRrk(invite.fields.values.room_root_key, ctx)) return reject("invite_wrong_rrk", invite.event_id);
    const userKey = this.key(invite.fields.values.user_key);
    if (!this.binding.inviteUserKey(userKey, msk)) return reject("invite_wrong_msk", invite.event_id);
    return this.viaSender(invite, ctx, [invite.event_id]);
  }

  /** idserver_sig, threepid_signed_msk, lookup_threepid, threepid_token, then check_sender on the m.room.third_party_invite. */
  private checkThirdPartyInvite(invite: Ev, ctx: Context, user: string, msk: Uint8Array): Local {
    const tpi = invite.content.third_party_invite as Record<string, unknown>;
    const signed = tpi.signed;
    if (!isJsonObject(signed))
      return reject("malformed", invite.event_id, "third_party_invite.signed is not an object");
    const signedFields = readMsc3917Fields(signed);
    if (!signedFields.ok) return reject("mixed_field_forms", invite.event_id);
    const signedKey = this.key(signedFields.value.values.user_key);
    if (signed.mxid !== user || !signedKey || !sameBytes(signedKey, msk))
      return reject("threepid_wrong_msk", invite.event_id);
    const tpiId = invite.fields.values.parent_event_id;
    if (typeof tpiId !== "string") return reject("malformed", invite.event_id, "parent_event_id is not a string");
    const looked = ctx.index.get(tpiId);
    if (!("found" in looked)) return looked;
    const t = looked.found;
    if (t.type !== "m.room.third_party_invite")
      return reject(
        "wrong_parent_kind",
        t.event_id,
        `a third-party successor invite's parent must be m.room.third_party_invite, not ${t.type}`,
      );
    if (typeof signed.token !== "string" || signed.token !== t.state_key)
      return reject("threepid_token_mismatch", invite.event_id);
    if (!this.identityServerSigned(signed, t)) return reject("threepid_bad_signature", invite.event_id);
    return this.viaSender(t, ctx, [invite.event_id, t.event_id]);
  }

  /**
   * Policy: the identity server's signature counts only if it verifies under a key that the
   * m.room.third_party_invite event lists in `public_key` or `public_keys`: the keys a member chose
   * and signed, never keys the homeserver offers.
   */
  private identityServerSigned(signed: Record<string, unknown>, t: Ev): boolean {
    const listed = this.listedIdentityKeys(t);
    if (listed.length === 0 || !isJsonObject(signed.signatures)) return false;
    let message: Uint8Array | undefined;
    let tried = 0;
    const signatures = signed.signatures;
    for (const entity in signatures) {
      const byKeyId = signatures[entity];
      if (!Object.hasOwn(signatures, entity) || !isJsonObject(byKeyId)) continue;
      for (const keyId in byKeyId) {
        if (!Object.hasOwn(byKeyId, keyId)) continue;
        if (tried++ >= MAX_IDENTITY_SIGNATURES) return false;
        const text = byKeyId[keyId];
        if (!isEd25519KeyId(keyId) || typeof text !== "string") continue;
        const sig = decodeBase64(text, { expectedLength: SIGNATURE_LENGTH });
        if (!sig.ok) continue;
        if (message === undefined) {
          try {
            message = signedView(signed);
          } catch {
            return false;
          }
        }
        for (const key of listed) if (verifyEd25519(sig.value, message, key, this.backend).ok) return true;
      }
    }
    return false;
  }

  /** The identity-server keys an m.room.third_party_invite lists, decoded once per event (see MAX_IDENTITY_KEYS). */
  private listedIdentityKeys(t: Ev): Uint8Array[] {
    let listed = this.identityKeys.get(t);
    if (listed !== undefined) return listed;
    listed = [];
    const add = (k: unknown) => {
      const d = this.key(k);
      if (d && !listed!.some((x) => sameBytes(x, d))) listed!.push(d);
    };
    add(t.content.public_key);
    const keys = t.content.public_keys;
    if (Array.isArray(keys)) {
      for (let i = 0; i < keys.length && listed.length < MAX_IDENTITY_KEYS; i++) {
        const pk = keys[i];
        if (isJsonObject(pk)) add(pk.public_key);
      }
    }
    this.identityKeys.set(t, listed);
    return listed;
  }

  /** join_rule_type, any_old_rooms, join_state, joinrule_match, then check_sender. */
  private checkJoinRule(join: Ev, rule: Ev, ctx: Context, user: string, msk: Uint8Array): Local {
    const kind = rule.content.join_rule;
    if (kind === "public") return this.viaSender(rule, ctx, [rule.event_id]);
    if (kind !== "restricted")
      return reject("join_rule_not_joinable", rule.event_id, `join rule ${JSON.stringify(kind)}`);
    const allows = this.allowsOf(rule);
    if ("status" in allows) return allows;
    // any_old_rooms: a rule that lists any legacy room takes the plain check_sender path.
    if (allows.legacy) return this.viaSender(rule, ctx, [rule.event_id]);
    const allowed = allows.rooms;
    const unsigned = join.content.unsigned;
    const proof =
      isJsonObject(unsigned) && Array.isArray(unsigned.membership_events) ? unsigned.membership_events : undefined;
    if (!proof || proof.length === 0) return missing(join.event_id);
    const first = parseEvent(proof[0]);
    if (!first.ok) return reject("restricted_proof_failed", join.event_id, `membership_events[0]: ${first.error}`);
    const otherRrk = rrkFromContent(first.value.fields.values.room_root_key);
    if (!otherRrk.ok) return reject("restricted_proof_failed", first.value.event_id, "room_root_key of the proof");
    if (!allowed.has(roomIdFromRrk(otherRrk.value)))
      return reject("restricted_room_not_allowed", join.event_id, roomIdFromRrk(otherRrk.value));
    const createInProof = proof.find(
      (x) => isJsonObject(x) && x.type === "m.room.create" && typeof x.event_id === "string",
    ) as { event_id: string } | undefined;
    const other = this.newContext(otherRrk.value, new EventIndex([proof]), createInProof?.event_id);
    const sender = this.viaSender(rule, ctx, [rule.event_id]);
    if (sender.status !== "ok") return sender;
    return {
      status: "ok",
      via: sender.via,
      deps: [
        {
          task: { ctx: other, eventId: first.value.event_id, user, msk },
          primary: false,
          wrap: "restricted_proof_failed",
        },
        ...sender.deps,
      ],
    };
  }

  /**
   * any_old_rooms, worked out once per rule event.
   * Policy: strict. An allow entry of a type other than `m.room_membership`, one that is not an
   * object or has no string `room_id`, and a room ID shaped like an RRK that is not a usable key
   * make the rule `unknown` (join_rule_unsupported), never the legacy path: treating them as
   * legacy rooms would let anyone with a signed join verify. Only a room ID with a server name
   * (`!opaque:server`) is a legacy room.
   */
  private allowsOf(rule: Ev): RuleAllows {
    const cached = this.ruleAllows.get(rule);
    if (cached !== undefined) return cached;
    const allow = Array.isArray(rule.content.allow) ? rule.content.allow : [];
    const rooms = new Set<string>();
    let legacy = false;
    let result: RuleAllows | undefined;
    for (let i = 0; i < allow.length && result === undefined; i++) {
      const a = allow[i];
      if (!isJsonObject(a) || a.type !== "m.room_membership" || typeof a.room_id !== "string") {
        const why = !isJsonObject(a)
          ? "not an object"
          : a.type === "m.room_membership"
            ? "room_id is not a string"
            : `type ${JSON.stringify(a.type)}`;
        result = unsupported(rule.event_id, `allow[${i}]: ${why}`);
      } else if (isRrkRoomId(a.room_id)) rooms.add(a.room_id);
      else if (isRrkRoomIdShaped(a.room_id))
        result = unsupported(rule.event_id, `allow[${i}]: ${a.room_id} is shaped like an RRK but is not a usable key`);
      else legacy = true;
    }
    result ??= legacy ? { legacy: true } : { legacy: false, rooms };
    this.ruleAllows.set(rule, result);
    return result;
  }

  /** check_sender, sender_rsk_msk and lookup_sender_cause, for an invite, join rule or third-party invite. Memoized per event. */
  private viaSender(x: Ev, ctx: Context, via: string[]): Local {
    const memoKey = `${ctx.id}\u0000${x.event_id}`;
    let checked = this.senderChecks.get(memoKey);
    if (checked === undefined) {
      checked = this.checkSender(x, ctx);
      this.senderChecks.set(memoKey, checked);
    }
    if ("status" in checked) return checked;
    return { status: "ok", via, deps: [checked.dep] };
  }

  private checkSender(x: Ev, ctx: Context): { dep: Dep; via: string } | Failure {
    const sender = x.sender;
    const senderKey = x.fields.values.sender_key;
    const rsk = this.rskOf(senderKey, sender);
    if (!rsk.ok)
      return reject(
        "sender_bad_signature",
        x.event_id,
        `sender_key: ${typeof rsk.error === "string" ? rsk.error : rsk.error.signature}`,
      );
    const sig = verifySignedJson(x.content, sender, keyIdOfKey(rsk.value), rsk.value, this.backend);
    if (!sig.ok) return reject("sender_bad_signature", x.event_id, sig.error);
    const parentId = x.fields.values.parent_event_id;
    if (typeof parentId !== "string") return reject("malformed", x.event_id, "parent_event_id is not a string");
    let senderMsk = this.pinned.get(sender);
    if (!senderMsk) {
      // Unpinned: the sender's MSK is the one their cause-of-membership names (TOFU); the task
      // on that cause then has to verify it all the way to the create event.
      const looked = ctx.index.get(parentId);
      if (!("found" in looked)) return looked;
      const cause = looked.found;
      const named =
        cause.type === "m.room.create"
          ? cause.fields.values.creator_key
          : cause.type === "m.room.member" && cause.content.membership === "join" && cause.state_key === sender
            ? cause.fields.values.user_key
            : undefined;
      if (named === undefined)
        return reject(
          "wrong_parent_kind",
          cause.event_id,
          `the parent of ${x.type} must be its sender's join or the create event`,
        );
      const decoded = this.key(named);
      if (!decoded) return reject("malformed", cause.event_id, "the MSK it names is not a key");
      senderMsk = decoded;
    }
    if (!this.rskSignedBy(senderKey, sender, senderMsk)) return reject("sender_rsk_not_signed", x.event_id);
    return { dep: { task: { ctx, eventId: parentId, user: sender, msk: senderMsk }, primary: true }, via: x.event_id };
  }
}

export function normalizePins(pinned: VerifyOptions["pinned"]): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  if (!pinned) return out;
  let entries: [string, Uint8Array | string][];
  if (pinned instanceof Map) entries = [...pinned.entries()];
  else {
    // Policy: user IDs are data. An object literal `{ __proto__: key }` sets a prototype instead of
    // pinning `__proto__`, and the pin would silently vanish, so objects must be plain.
    const proto = Object.getPrototypeOf(pinned);
    if (proto !== Object.prototype && proto !== null)
      throw new TypeError(
        "pinned MSKs must be a Map or a plain object (a `__proto__` key in an object literal sets its prototype)",
      );
    entries = Object.entries(pinned);
  }
  for (const [user, key] of entries) {
    const bytes = typeof key === "string" ? decodeKey(key) : key;
    if (!(bytes instanceof Uint8Array) || bytes.length !== PUBLIC_KEY_LENGTH)
      throw new TypeError(`pinned MSK for ${user} is not a 32-byte key`);
    out.set(user, Uint8Array.from(bytes)); // a copy: the caller may reuse its buffer, and the verifier caches by key object
  }
  return out;
}

const wantChains = (chains: VerifyOptions["chains"]): boolean => chains === true || chains === "full";

/**
 * Verify the membership of every user whose `m.room.member` in `room.state` is `join`.
 * Never throws on untrusted room content: every member gets a verdict. (Throws `TypeError` only on
 * a malformed RRK or pin, which are the caller's own inputs.)
 */
export function verifyMembership(room: RoomView, options: VerifyOptions = {}): MembershipResult {
  return verifyWith(room, options, STRICT_BINDING);
}

/**
 * A verifier whose subject-binding checks are `binding` instead of the strict ones: the seam that
 * test-support/planted-bugs.ts plants bugs through. Nothing outside tests may use it.
 */
export function verifierWithBinding(binding: SubjectBinding): MembershipVerifier {
  return (room, options = {}) => verifyWith(room, options, binding);
}

function verifyWith(room: RoomView, options: VerifyOptions, binding: SubjectBinding): MembershipResult {
  const rrk = typeof room.roomRootKey === "string" ? rrkFromContent(room.roomRootKey) : ok(room.roomRootKey);
  if (!rrk.ok) throw new TypeError(`verifyMembership: ${rrk.error}`);
  const pins = normalizePins(options.pinned);
  const state = Array.isArray(room.state) ? room.state : [];
  const lookup = options.lookup && onceEach(options.lookup);
  // The equations are answered at once and checked in batches; a failed one means a second run
  // (`speculate`). Each run is a fresh Verifier over the same input, and asks `lookup` nothing new.
  return speculate(options.backend ?? defaultBackend(), (backend) => {
    const verifier = new Verifier(pins, backend, binding);
    const index = new EventIndex([state, Array.isArray(room.events) ? room.events : []], lookup);
    const createEvent = createOf(state, index);
    const ctx = verifier.newContext(rrk.value, index, createEvent?.event_id);
    return verdictsOf(state, pins, verifier, ctx, createEvent, wantChains(options.chains));
  });
}

/** `lookup`, asked at most once per event ID: a second run sees what the first saw. A throw is kept as one. */
function onceEach(lookup: (eventId: string) => unknown): (eventId: string) => unknown {
  const seen = new Map<string, { value: unknown } | { error: unknown }>();
  return (eventId) => {
    let answer = seen.get(eventId);
    if (answer === undefined) {
      try {
        answer = { value: lookup(eventId) };
      } catch (error) {
        answer = { error };
      }
      seen.set(eventId, answer);
    }
    if ("error" in answer) throw answer.error;
    return answer.value;
  };
}

function createOf(state: readonly unknown[], index: EventIndex): Ev | undefined {
  for (const raw of state) {
    const e = index.parse(raw);
    if (e.ok && e.value.type === "m.room.create" && e.value.state_key === "") return e.value;
  }
  return undefined;
}

/** The room-level verdict: the state's create event, checked against the RRK (create_rrk, create_sig). */
function roomVerdictOf(verifier: Verifier, ctx: Context, createEvent: Ev | undefined): RoomVerdict {
  if (!createEvent)
    return {
      status: "unknown",
      reason: "parent_missing",
      event: "m.room.create",
      detail: "the state has no m.room.create event",
    };
  const checked = verifier.checkRoomCreate(createEvent, ctx);
  return checked ?? { status: "verified", event: createEvent.event_id };
}

/** One verdict per user whose membership in `state` is `join`. */
function verdictsOf(
  state: readonly unknown[],
  pins: Map<string, Uint8Array>,
  verifier: Verifier,
  ctx: Context,
  createEvent: Ev | undefined,
  chains: boolean,
): MembershipResult {
  // Per user: their first two join events in the state with different event IDs (the same event
  // delivered twice is one; a second is all it takes to refuse them, so no more are kept), or, for
  // a join whose event cannot be read, the first raw event that names them.
  const joins = new Map<string, Ev[]>();
  const unreadable = new Map<string, { raw: Record<string, unknown>; error: RejectReason }>();
  for (const raw of state) {
    // Read, not cached: most state events are read here only, and a join looked up later is
    // read (and cached) by the index then. Caching every state event would keep them all alive.
    const e = parseEvent(raw);
    if (e.ok) {
      const v = e.value;
      if (v.type !== "m.room.member" || v.content.membership !== "join" || v.state_key === undefined) continue;
      const mine = joins.get(v.state_key);
      if (!mine) joins.set(v.state_key, [v]);
      else if (mine.length === 1 && mine[0]!.event_id !== v.event_id) mine.push(v);
    } else if (
      isJsonObject(raw) &&
      raw.type === "m.room.member" &&
      typeof raw.state_key === "string" &&
      isJsonObject(raw.content) &&
      raw.content.membership === "join"
    ) {
      // State events whose content is unreadable but that still name a joined user get a verdict too.
      if (!unreadable.has(raw.state_key)) unreadable.set(raw.state_key, { raw, error: e.error });
    }
  }
  const users = new Set([...joins.keys(), ...unreadable.keys()]);
  const members: Record<string, MemberVerdict> = Object.create(null);
  for (const user of [...users].sort(compareUserIds)) {
    const mine = joins.get(user);
    if (mine) members[user] = verdictFor(user, mine, pins, verifier, ctx, createEvent, chains);
    else {
      const { raw, error } = unreadable.get(user)!;
      members[user] = reject(error, typeof raw.event_id === "string" ? raw.event_id : "(no event_id)");
    }
  }
  return { room_id: ctx.roomId, room: roomVerdictOf(verifier, ctx, createEvent), members };
}

/**
 * A client verifies the same room again at every message. A session keeps what it has verified,
 * so that one more member costs the checks of that member's new events only: a join, its invite,
 * and the RSK→MSK signature if the RSK is new (DESIGN.md §11, O(1) per join).
 *
 * Policy: the session holds on to the first event it was given under each ID. A later, different
 * event under an ID it already has makes that ID ambiguous (`malformed`), and the session starts
 * again from nothing. Outcomes that rested on a missing event are recomputed at every call, since
 * the event may have arrived. The pins are fixed for the session's life.
 */
export class MembershipSession {
  private readonly pins: Map<string, Uint8Array>;
  private readonly rrk: Uint8Array;
  private verifier!: Verifier;
  private index!: EventIndex;
  private ctx!: Context;

  constructor(
    roomRootKey: Uint8Array | string,
    private readonly options: Omit<VerifyOptions, "lookup"> = {},
  ) {
    const rrk = typeof roomRootKey === "string" ? rrkFromContent(roomRootKey) : ok(roomRootKey);
    if (!rrk.ok) throw new TypeError(`MembershipSession: ${rrk.error}`);
    this.rrk = rrk.value;
    this.pins = normalizePins(options.pinned);
    this.reset();
  }

  private reset(): void {
    this.verifier = new Verifier(this.pins, this.options.backend ?? defaultBackend(), STRICT_BINDING);
    this.index = new EventIndex([]);
    this.ctx = this.verifier.newContext(this.rrk, this.index, undefined);
  }

  /** The verdicts for the room as it is now. Never throws on untrusted room content. */
  verify(room: Pick<RoomView, "state" | "events">): MembershipResult {
    const state = Array.isArray(room.state) ? room.state : [];
    const sources = [state, Array.isArray(room.events) ? room.events : []];
    const createEvent = createOf(state, this.index);
    if (
      this.index.add(sources) ||
      (this.ctx.createEventId !== undefined && createEvent?.event_id !== this.ctx.createEventId)
    ) {
      const ambiguous = this.index;
      this.reset();
      this.index = ambiguous; // keep what was learned about ambiguous IDs
      this.ctx = this.verifier.newContext(this.rrk, this.index, undefined);
    }
    this.ctx.createEventId ??= createEvent?.event_id;
    this.verifier.forgetUnknown();
    return verdictsOf(state, this.pins, this.verifier, this.ctx, createEvent, wantChains(this.options.chains));
  }
}

/** Verdicts are in UTF-8 byte order of the user IDs, which is their code-point order (no encoding needed). */
const compareUserIds = compareCodePoints;

function verdictFor(
  user: string,
  joins: Ev[],
  pins: Map<string, Uint8Array>,
  verifier: Verifier,
  ctx: Context,
  createEvent: Ev | undefined,
  chains: boolean,
): MemberVerdict {
  const join = joins[0]!;
  if (joins.length > 1)
    return reject("malformed", join.event_id, "more than one join for this user in the current state");
  // The MSK this member is verified for: the pinned one, else the one the join names (TOFU).
  // A plain join (no MSC3917 fields) can only be the creator's, and names the create's creator_key.
  let msk = pins.get(user);
  if (!msk) {
    const named = join.fields.form === null ? createEvent?.fields.values.creator_key : join.fields.values.user_key;
    const decoded = verifier.key(named);
    if (!decoded)
      return join.fields.form === null && !createEvent
        ? missing("m.room.create")
        : reject("join_wrong_msk", join.event_id, "user_key is not a key");
    msk = decoded;
  }
  try {
    const outcome = verifier.solve({ ctx, eventId: join.event_id, user, msk });
    if (outcome.status !== "verified") return outcome;
    const parent = verifier.parentOf(outcome);
    // Built in place (no spread objects), in the key order the verdicts are written in.
    const msText = textOfKey(msk);
    const verdict: MemberVerdict & { status: "verified" } =
      parent !== undefined
        ? { status: "verified", msk: msText, cause: outcome.cause, parent, chain_length: outcome.length }
        : { status: "verified", msk: msText, cause: outcome.cause, chain_length: outcome.length };
    if (chains) verdict.chain = verifier.chain(outcome);
    return verdict;
  } catch (e) {
    return {
      status: "unknown",
      reason: "verifier_error",
      event: join.event_id,
      detail: (e as Error)?.message ?? String(e),
    };
  }
}
