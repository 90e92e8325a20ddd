/**
 * A structure-aware fuzzer for the membership verifier and the room-file reader of `msc3917
 * verify` (DESIGN.md §11, "untrusted input").
 *
 * Each input is a valid room (real signatures) with 1 to 4 mutations: events dropped, duplicated
 * or reordered; fields swapped between events or given another type; bytes of signatures and keys
 * flipped; user IDs replaced by case and Unicode variants or by prototype keys (`__proto__`, ...);
 * events spliced in from another room. The mutated room is written as JSON text, read back with
 * `parseRoomFile` (what the CLI does) and verified.
 *
 * An input passes when nothing throws, no verdict is `verifier_error`, it takes at most 1 s, and
 * the verdicts are sound by a separate, simpler reference check (`intactChain`): a member may be
 * `verified` only if the room is the original room and that member's original join and every
 * event of its original chain (and, for a restricted join, its proof) are present and unchanged.
 *
 * Every input is drawn from seedrandom with the label `msc3917-fuzz/<seed>/<index>`, so any one
 * can be replayed alone.
 */
import seedrandom from "seedrandom";
import { decodeBase64, encodeBase64 } from "../sim/core/base64.ts";
import { type JsonValue, canonicalJson, isJsonObject } from "../sim/core/canonical-json.ts";
import { type Ed25519Backend, nodeBackend, signingKeyFromSeed } from "../sim/core/ed25519.ts";
import { parseRoomFile } from "../sim/core/room-file.ts";
import {
  type MemberVerdict,
  type MembershipResult,
  type RoomView,
  type VerifyOptions,
  verifyMembership,
} from "../sim/core/verify-membership.ts";
import { RoomBuilder, type TestUser, makeUser, seedFrom } from "../test-support/room-builder.ts";

type Json = JsonValue;
type Obj = { [k: string]: Json };
interface Room {
  room_root_key: string;
  state: Json[];
  events: Json[];
  master_keys?: Obj;
}

// ---------------------------------------------------------------------------------------------
// The corpus: two valid rooms that share a member.

const IS_KEY = signingKeyFromSeed(seedFrom("fuzz identity server"));
const people = [
  "@alice:example.org",
  "@bob:example.org",
  "@carol:example.org",
  "@dave:example.org",
  "@erin:example.org",
  "@olivia:other.example",
  "@frank:example.org",
];
const U: Record<string, TestUser> = Object.create(null);
for (const id of people) U[id] = makeUser(id);
const user = (id: string) => U[id]!;
const GINA = makeUser("@gina:example.org");
const GINA_IMPOSTOR = makeUser("@gina:example.org", { label: "gina, as the server made her" });

function corpus(): { a: Room; b: Room; honest: Map<string, Honest> } {
  const other = new RoomBuilder({ label: "fuzz other", firstId: 500 }).create(user("@olivia:other.example"));
  other.inviteAndJoin(user("@olivia:other.example"), user("@erin:example.org"));
  const a = new RoomBuilder({ label: "fuzz room" }).create(user("@alice:example.org"));
  a.inviteAndJoin(user("@alice:example.org"), user("@bob:example.org"));
  a.thirdPartyInviteAndJoin(user("@bob:example.org"), user("@carol:example.org"), { isKey: IS_KEY });
  a.joinVia(a.joinRules(user("@alice:example.org"), "public"), user("@dave:example.org"));
  a.joinVia(
    a.joinRules(user("@bob:example.org"), "restricted", [other.roomId]),
    user("@erin:example.org"),
    other.proofFor(user("@erin:example.org")),
  );
  a.inviteAndJoin(user("@dave:example.org"), user("@frank:example.org"));
  // A forged member in the valid room: Alice invited Gina's MSK, but the join is by another MSK
  // (the server's). A verifier that skips a subject-binding check lets her in.
  const invite = a.member("invite", user("@alice:example.org"), GINA, a.cause(user("@alice:example.org")));
  a.member("join", GINA_IMPOSTOR, GINA_IMPOSTOR, invite.event_id);
  const toRoom = (b: RoomBuilder): Room => {
    const r = b.room();
    return JSON.parse(JSON.stringify({ room_root_key: r.roomRootKey, state: r.state, events: r.events ?? [] }));
  };
  const roomA = toRoom(a);
  const honest = honestMembers(roomA);
  honest.delete(GINA.userId);
  return { a: roomA, b: toRoom(other), honest };
}

// ---------------------------------------------------------------------------------------------
// The reference check: simple, and independent of the verifier's code.

interface Honest {
  msk: string;
  join: string;
  /** Every event the member's chain rests on in this room, create event included. */
  chain: Obj[];
  /** For a restricted join: the proof events from the other room. */
  proof: Obj[];
}

const parentOf = (e: Obj): string | undefined => {
  const c = e.content as Obj;
  const p = c.parent_event_id ?? c["org.matrix.msc3917.v1.parent_event_id"];
  return typeof p === "string" ? p : undefined;
};

/** Follow parent links through the original, valid room: each member's chain of events. */
function honestMembers(room: Room): Map<string, Honest> {
  const byId = new Map<string, Obj>();
  for (const e of [...room.state, ...room.events] as Obj[]) byId.set(e.event_id as string, e);
  const out = new Map<string, Honest>();
  for (const join of room.state as Obj[]) {
    if (join.type !== "m.room.member" || (join.content as Obj).membership !== "join") continue;
    const chain: Obj[] = [];
    let cur: Obj | undefined = join;
    for (let guard = 0; cur && guard < 1000; guard++) {
      chain.push(cur);
      if (cur.type === "m.room.create") break;
      const p = parentOf(cur);
      cur = p === undefined ? undefined : byId.get(p);
    }
    if (chain[chain.length - 1]?.type !== "m.room.create")
      throw new Error("corpus: a chain does not reach the create event");
    const unsigned = (join.content as Obj).unsigned as Obj | undefined;
    const proof = (unsigned?.membership_events as Obj[] | undefined) ?? [];
    out.set(join.state_key as string, {
      msk: (join.content as Obj).user_key as string,
      join: join.event_id as string,
      chain,
      proof,
    });
  }
  return out;
}

const canonicalOr = (v: unknown): string => {
  try {
    return canonicalJson(v);
  } catch {
    return `!${JSON.stringify(v)}`;
  }
};
const without = (o: unknown, ...keys: string[]): unknown => {
  if (!isJsonObject(o)) return o;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) if (!keys.includes(k)) out[k] = o[k];
  return out;
};

/**
 * The part of an event that someone vouched for: the envelope the verifier binds (type, state
 * key, sender) and the signed content (without `signatures` and `unsigned`). The successor of a
 * third-party invite is signed by nobody but the identity server: there it is the identity
 * server's signed data, and the parent link the verifier follows.
 */
let vouchedMemo = new WeakMap<object, string>();

function vouched(e: Json): string {
  if (!isJsonObject(e)) return JSON.stringify(e);
  const seen = vouchedMemo.get(e);
  if (seen !== undefined) return seen;
  const text = vouchedText(e);
  vouchedMemo.set(e, text);
  return text;
}

/** What `vouched` computes; memoized per object, since an input is not changed once it is verified. */
function vouchedText(e: Obj): string {
  const content = e.content;
  const envelope = [e.type, e.state_key, e.sender];
  if (isJsonObject(content) && isJsonObject(content.third_party_invite)) {
    const tpi = content.third_party_invite;
    // Its sender is the server's word, which the verifier rightly ignores (it checks the inviter on the m.room.third_party_invite).
    return canonicalOr([
      [e.type, e.state_key],
      content.membership,
      content.parent_event_id ?? null,
      without(tpi.signed, "signatures"),
    ]);
  }
  return canonicalOr([envelope, without(content, "signatures", "unsigned")]);
}

/** Is every event of `want` present in `events` under its ID, vouched for as in the original, with no other version under that ID? */
function allIntact(want: readonly Obj[], events: readonly Json[]): boolean {
  const byId = new Map<string, string[]>();
  for (const e of events) {
    if (!isJsonObject(e) || typeof e.event_id !== "string") continue;
    let list = byId.get(e.event_id);
    if (!list) byId.set(e.event_id, (list = []));
    list.push(vouched(e));
  }
  return want.every((w) => {
    const copies = byId.get(w.event_id as string);
    const text = vouched(w);
    return copies !== undefined && copies.every((c) => c === text);
  });
}

/**
 * May `user` be verified with `verdict` in `room`? The reference's answer: the room is the
 * original (same RRK), any pin for the user is the original MSK, the verdict's cause is a join
 * in the state vouched for as the user's original join (event IDs are not signed, so it may have
 * another ID), and every other event of the original chain, and of a restricted join's proof, is
 * present and vouched for as in the original. Signatures themselves are not looked at: the
 * fuzzer cannot forge one, so unchanged signed parts can only carry the original signers' word.
 */
export function intactChain(
  original: Original,
  room: Room,
  user: string,
  verdict: MemberVerdict & { status: "verified" },
): boolean {
  const h = original.honest.get(user);
  if (!h || verdict.msk !== h.msk) return false;
  if (room.room_root_key !== original.room.room_root_key) return false;
  const pin = room.master_keys?.[user];
  if (pin !== undefined && pin !== h.msk) return false;
  const joins = room.state.filter((e) => isJsonObject(e) && e.event_id === verdict.cause);
  if (joins.length === 0 || !joins.every((j) => vouched(j) === vouched(h.chain[0]!))) return false;
  if (!allIntact(h.chain.slice(1), [...room.state, ...room.events])) return false;
  if (h.proof.length > 0) {
    const unsigned = ((joins[0] as Obj).content as Obj).unsigned as Obj | undefined;
    const list = Array.isArray(unsigned?.membership_events) ? (unsigned.membership_events as Json[]) : [];
    if (list.length === 0 || vouched(list[0]!) !== vouched(h.proof[0]!) || !allIntact(h.proof, list)) return false;
  }
  return true;
}

interface Original {
  room: Room;
  honest: Map<string, Honest>;
  /** What was vouched for in every event of the original room. */
  authentic: Set<string>;
}

/**
 * The weaker reading, for a chain the server re-routed: event IDs are the server's, so it can give
 * an authentic event the ID a signed `parent_event_id` names (a public join rule, say, in place
 * of the invite). Sound still, if the user's own join is an authentic event of the original room
 * naming the MSK the verdict gives, and every event on the chain the verifier reports is an
 * authentic event of the original room, ending at its create event: then nothing forged let
 * anyone in. (This admits Gina's server-made join through Alice's public join rule: she could
 * have named that rule in her join herself.)
 */
export function authenticChain(
  original: Original,
  room: Room,
  user: string,
  verdict: MemberVerdict & { status: "verified" },
): boolean {
  const chain = verdict.chain;
  if (room.room_root_key !== original.room.room_root_key || !chain || chain.length < 2) return false;
  const pin = room.master_keys?.[user];
  if (pin !== undefined && pin !== verdict.msk) return false;
  const all = [...room.state, ...room.events].filter(isJsonObject);
  const join = room.state.filter((e) => isJsonObject(e) && e.event_id === chain[0]) as Obj[];
  if (
    join.length === 0 ||
    !join.every(
      (j) => original.authentic.has(vouched(j)) && j.state_key === user && (j.content as Obj).user_key === verdict.msk,
    )
  )
    return false;
  const create = original.room.state.find((e) => isJsonObject(e) && e.type === "m.room.create") as Obj;
  for (const id of chain.slice(1)) {
    const copies = all.filter((e) => e.event_id === id);
    if (copies.length === 0 || !copies.every((c) => original.authentic.has(vouched(c)))) return false;
    // Subject binding: an invite of this user on the chain must name the MSK the verdict gives.
    const boundWrong = (c: Obj) =>
      c.type === "m.room.member" &&
      c.state_key === user &&
      (c.content as Obj).membership === "invite" &&
      (c.content as Obj).user_key !== undefined &&
      (c.content as Obj).user_key !== verdict.msk;
    if (copies.some(boundWrong)) return false;
  }
  const last = all.filter((e) => e.event_id === chain[chain.length - 1]);
  return last.length > 0 && last.every((e) => vouched(e) === vouched(create));
}

// ---------------------------------------------------------------------------------------------
// Mutations

type Rng = seedrandom.PRNG;
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)]!;
const int = (rng: Rng, n: number) => Math.floor(rng() * n);

const PROTO_KEYS = ["__proto__", "constructor", "toString", "hasOwnProperty", "valueOf", "__defineGetter__"];

function userIdVariant(rng: Rng, id: string): string {
  switch (int(rng, 9)) {
    case 0:
      return id.toUpperCase();
    case 1:
      return id.replace("@", "\uff20"); // fullwidth commercial at
    case 2:
      return id.replace("a", "\u0430"); // Cyrillic a
    case 3:
      return id.replace(":", "\u200b:"); // zero-width space
    case 4:
      return `${id}.`;
    case 5:
      return id.normalize("NFD").replace("e", "e\u0301");
    case 6:
      return id.replace(/^@(.)/, (_m, c: string) => `@${c.toUpperCase()}`);
    default:
      return pick(rng, PROTO_KEYS);
  }
}

function randomJson(rng: Rng, depth = 0): Json {
  switch (int(rng, depth > 2 ? 6 : 9)) {
    case 0:
      return null;
    case 1:
      return rng() < 0.5;
    case 2:
      return int(rng, 2 ** 31) - 2 ** 30;
    case 3:
      return "";
    case 4:
      return pick(rng, ["$1", "!x:y", "AAAA", "ed25519:rrk", "join", "invite", ...PROTO_KEYS, ...people]);
    case 5:
      return "A".repeat(pick(rng, [43, 86, 1000]));
    case 6:
      return Array.from({ length: int(rng, 4) }, () => randomJson(rng, depth + 1));
    case 7: {
      const o: Obj = {};
      for (let i = int(rng, 4); i > 0; i--)
        Object.defineProperty(o, pick(rng, ["a", "type", "membership", ...PROTO_KEYS]), {
          value: randomJson(rng, depth + 1),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      return o;
    }
    default: {
      let deep: Json = 1;
      for (let i = int(rng, 200); i > 0; i--) deep = [deep];
      return deep;
    }
  }
}

/** Every (object, key) inside `v`, for mutations that pick a place at random. */
function places(v: Json, out: [Obj | Json[], string | number][] = [], depth = 0): [Obj | Json[], string | number][] {
  if (depth > 8) return out;
  if (Array.isArray(v)) v.forEach((x, i) => (out.push([v, i]), places(x, out, depth + 1)));
  else if (isJsonObject(v))
    for (const k of Object.keys(v)) out.push([v as Obj, k]), places((v as Obj)[k]!, out, depth + 1);
  return out;
}

const setAt = (o: Obj | Json[], k: string | number, value: Json) => {
  if (Array.isArray(o)) o[k as number] = value;
  else Object.defineProperty(o, k, { value, enumerable: true, writable: true, configurable: true });
};

function flipBase64(rng: Rng, text: string): string {
  const d = decodeBase64(text);
  if (d.ok && d.value.length > 0) {
    const bytes = Uint8Array.from(d.value);
    bytes[int(rng, bytes.length)]! ^= 1 << int(rng, 8);
    return encodeBase64(bytes);
  }
  const i = int(rng, Math.max(1, text.length));
  return text.slice(0, i) + pick(rng, ["A", "B", "+", "/", "-", "_", "="]) + text.slice(i + 1);
}

const MUTATIONS = [
  "drop",
  "duplicate",
  "reorder",
  "move",
  "swap_field",
  "change_type",
  "flip_bytes",
  "user_id_variant",
  "proto_key",
  "splice",
  "pin",
] as const;
export type Mutation = (typeof MUTATIONS)[number];

function mutate(rng: Rng, room: Room, other: Room, counts: Map<string, number>): Mutation {
  const m = pick(rng, MUTATIONS);
  counts.set(m, (counts.get(m) ?? 0) + 1);
  mutateWith(m, rng, room, other);
  return m;
}

function mutateWith(m: Mutation, rng: Rng, room: Room, other: Room): void {
  const lists = [room.state, room.events];
  const list = pick(rng, lists);
  const all = () => [...room.state, ...room.events].filter(isJsonObject) as Obj[];
  switch (m) {
    case "drop":
      if (list.length) list.splice(int(rng, list.length), 1);
      return;
    case "duplicate": {
      if (!list.length) return;
      const copy = structuredClone(list[int(rng, list.length)]!) as Json;
      if (isJsonObject(copy) && rng() < 0.5) (copy as Obj).unsigned = { age: int(rng, 1000) };
      pick(rng, lists).splice(int(rng, list.length + 1), 0, copy);
      return;
    }
    case "reorder":
      for (let i = list.length - 1; i > 0; i--) {
        const j = int(rng, i + 1);
        [list[i], list[j]] = [list[j]!, list[i]!];
      }
      return;
    case "move": {
      const [from, to] = rng() < 0.5 ? [room.state, room.events] : [room.events, room.state];
      if (from.length) to.push(...from.splice(int(rng, from.length), 1));
      return;
    }
    case "swap_field": {
      const evs = all();
      if (evs.length < 2) return;
      const [x, y] = [pick(rng, evs), pick(rng, evs)];
      const inContent = rng() < 0.6;
      const key = inContent
        ? pick(rng, [
            "parent_event_id",
            "sender_key",
            "user_key",
            "room_root_key",
            "membership",
            "signatures",
            "unsigned",
            "third_party_invite",
            "join_rule",
            "allow",
          ])
        : pick(rng, ["sender", "state_key", "type", "event_id", "content"]);
      const [ox, oy] = inContent ? [x.content as Obj, y.content as Obj] : [x, y];
      if (!isJsonObject(ox) || !isJsonObject(oy)) return;
      const tmp = ox[key];
      if (oy[key] === undefined) delete ox[key];
      else setAt(ox, key, oy[key]!);
      if (tmp === undefined) delete oy[key];
      else setAt(oy, key, tmp);
      return;
    }
    case "change_type": {
      const ps = places(pick(rng, [room.state, room.events, room.state]) as Json);
      if (!ps.length) return;
      const [o, k] = pick(rng, ps);
      setAt(o, k, randomJson(rng));
      return;
    }
    case "flip_bytes": {
      const ps = places([room.state, room.events] as unknown as Json).filter(
        ([o, k]) =>
          typeof (o as Record<string | number, Json>)[k] === "string" &&
          /^[A-Za-z0-9+/_:-]{40,}$/.test((o as Record<string | number, Json>)[k] as string),
      );
      const keyIds = places([room.state, room.events] as unknown as Json).filter(
        ([o, k]) => typeof k === "string" && k.startsWith("ed25519:") && k.length > 20 && !Array.isArray(o),
      );
      if (keyIds.length && rng() < 0.2) {
        const [o, k] = pick(rng, keyIds) as [Obj, string];
        const v = o[k]!;
        delete o[k];
        setAt(o, `ed25519:${flipBase64(rng, k.slice(8))}`, v);
        return;
      }
      if (!ps.length) return;
      const [o, k] = pick(rng, ps);
      setAt(o, k, flipBase64(rng, (o as Record<string | number, Json>)[k] as string));
      return;
    }
    case "user_id_variant": {
      const ps = places([room.state, room.events] as unknown as Json).filter(
        ([o, k]) =>
          typeof (o as Record<string | number, Json>)[k] === "string" &&
          people.includes((o as Record<string | number, Json>)[k] as string),
      );
      const keyPlaces = places([room.state, room.events] as unknown as Json).filter(
        ([o, k]) => typeof k === "string" && people.includes(k) && !Array.isArray(o),
      );
      const target = pick(rng, people);
      if (rng() < 0.3) {
        // Rename one user everywhere (values and keys): a consistent impostor.
        const variant = userIdVariant(rng, target);
        const text = JSON.stringify({ state: room.state, events: room.events }).replaceAll(
          JSON.stringify(target),
          JSON.stringify(variant),
        );
        const back = JSON.parse(text) as Room;
        room.state = back.state;
        room.events = back.events;
        return;
      }
      if (keyPlaces.length && rng() < 0.3) {
        const [o, k] = pick(rng, keyPlaces) as [Obj, string];
        const v = o[k]!;
        delete o[k];
        setAt(o, userIdVariant(rng, k), v);
        return;
      }
      if (!ps.length) return;
      const [o, k] = pick(rng, ps);
      setAt(o, k, userIdVariant(rng, (o as Record<string | number, Json>)[k] as string));
      return;
    }
    case "proto_key": {
      const objs = places([room.state, room.events] as unknown as Json)
        .map(([o, k]) => (o as Record<string | number, Json>)[k])
        .filter(isJsonObject) as Obj[];
      if (rng() < 0.3 && all().length) {
        const e = pick(rng, all());
        e[pick(rng, ["event_id", "state_key", "sender"])] = pick(rng, PROTO_KEYS);
        return;
      }
      if (!objs.length) return;
      setAt(pick(rng, objs), pick(rng, PROTO_KEYS), randomJson(rng));
      return;
    }
    case "splice": {
      const theirs = [...other.state, ...other.events];
      if (rng() < 0.15) {
        room.room_root_key = other.room_root_key;
        return;
      }
      const e = structuredClone(pick(rng, theirs));
      if (rng() < 0.3 && all().length && isJsonObject(e)) (e as Obj).event_id = pick(rng, all()).event_id!;
      pick(rng, lists).splice(int(rng, list.length + 1), 0, e);
      return;
    }
    case "pin": {
      const id = pick(rng, [...people, ...PROTO_KEYS]);
      const key =
        rng() < 0.5 ? user(pick(rng, people.slice(0, 5))).msk.publicKey : user(id in U ? id : people[0]!).msk.publicKey;
      room.master_keys ??= {};
      setAt(room.master_keys, id, encodeBase64(key));
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The run

/** node:crypto with the answers remembered: the same function, so the verdicts are the same, faster on the unchanged events. */
function memoBackend(): Ed25519Backend {
  const memo = new Map<string, boolean>();
  const latin1 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.length).toString("latin1");
  return {
    ...nodeBackend,
    name: "node (memo)",
    verifyEquation(sig, msg, pub) {
      const k = `${latin1(sig)}${latin1(pub)}${latin1(msg)}`;
      let ok = memo.get(k);
      if (ok === undefined) {
        if (memo.size > 200_000) memo.clear();
        memo.set(k, (ok = nodeBackend.verifyEquation(sig, msg, pub)));
      }
      return ok;
    },
  };
}

export interface Finding {
  index: number;
  kind: "threw" | "verifier_error" | "slow" | "unsound";
  detail: string;
}

export interface FuzzReport {
  inputs: number;
  seed: number;
  findings: Finding[];
  statuses: Record<string, number>;
  mutations: Record<string, number>;
  /** Inputs the room-file reader refused (exit 2 in the CLI). */
  refused: number;
  maxMs: number;
  maxCpuMs: number;
  verifiedSound: number;
  /** Verified members whose chain the server re-routed through other authentic events (see authenticChain). */
  rerouted: number;
}

export interface FuzzOptions {
  inputs: number;
  seed: number;
  /** Index of the first input (to replay one: `first: i, inputs: 1`). */
  first?: number;
  /** The verifier under test (default `verifyMembership`; a test plants a bug here to check the fuzzer finds it). */
  verify?: (room: RoomView, options: VerifyOptions) => MembershipResult;
  onProgress?: (done: number) => void;
  dump?: (i: number, room: Room) => void;
}

export function runFuzz(opts: FuzzOptions): FuzzReport {
  const verify = opts.verify ?? verifyMembership;
  const { a, b, honest } = corpus();
  const original: Original = { room: a, honest, authentic: new Set([...a.state, ...a.events].map(vouched)) };
  const baseText = JSON.stringify(a);
  const otherText = JSON.stringify(b);
  const backend = memoBackend();
  const findings: Finding[] = [];
  const statuses = new Map<string, number>();
  const mutations = new Map<string, number>();
  let refused = 0;
  let maxMs = 0;
  let maxCpuMs = 0;
  let verifiedSound = 0;
  let rerouted = 0;
  // The unmutated room must verify every member, or the oracle is wrong.
  const clean = verifyMembership({ roomRootKey: a.room_root_key, state: a.state, events: a.events }).members;
  if (![...honest.keys()].every((u) => clean[u]?.status === "verified") || clean[GINA.userId]?.status !== "rejected")
    throw new Error("fuzz corpus: the unmutated room does not verify as built");
  for (let i = opts.first ?? 0; i < (opts.first ?? 0) + opts.inputs; i++) {
    const rng = seedrandom(`msc3917-fuzz/${opts.seed}/${i}`);
    const room = JSON.parse(baseText) as Room;
    const other = JSON.parse(otherText) as Room;
    const applied: Mutation[] = [];
    for (let k = 1 + int(rng, 4); k > 0; k--) applied.push(mutate(rng, room, other, mutations));
    vouchedMemo = new WeakMap();
    const started = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    let result: MembershipResult | undefined;
    try {
      const file = parseRoomFile(`input ${i}`, JSON.stringify(room));
      if (!file.ok) refused++;
      else result = verify(file.value, { pinned: file.value.pinned, backend, chains: true });
    } catch (e) {
      findings.push({ index: i, kind: "threw", detail: (e as Error)?.stack ?? String(e) });
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1000;
    maxMs = Math.max(maxMs, ms);
    maxCpuMs = Math.max(maxCpuMs, cpuMs);
    // "Takes over 1 s" in CPU time: on a shared machine the wall clock also counts the others' work.
    if (cpuMs > 1000)
      findings.push({ index: i, kind: "slow", detail: `${cpuMs.toFixed(0)} ms of CPU (${ms.toFixed(0)} ms wall)` });
    if (result) {
      const st = `room:${result.room.status}`;
      statuses.set(st, (statuses.get(st) ?? 0) + 1);
      for (const [u, v] of Object.entries(result.members)) {
        const key = v.status === "verified" ? "verified" : `${v.status}:${v.reason}`;
        statuses.set(key, (statuses.get(key) ?? 0) + 1);
        if (v.status === "unknown" && v.reason === "verifier_error")
          findings.push({ index: i, kind: "verifier_error", detail: `${u}: ${v.detail}` });
        if (v.status === "verified") {
          if (intactChain(original, room, u, v)) verifiedSound++;
          else if (authenticChain(original, room, u, v)) rerouted++;
          else if (opts.dump) opts.dump(i, room);
          else
            findings.push({
              index: i,
              kind: "unsound",
              detail: `${JSON.stringify(u)} verified (cause ${v.cause}) without an intact original chain (mutations: ${applied.join(", ")})`,
            });
        }
      }
    }
    if (opts.onProgress && (i + 1) % 10_000 === 0) opts.onProgress(i + 1);
  }
  const sorted = (m: Map<string, number>) => Object.fromEntries([...m].sort(([x], [y]) => (x < y ? -1 : 1)));
  return {
    inputs: opts.inputs,
    seed: opts.seed,
    findings,
    statuses: sorted(statuses),
    mutations: sorted(mutations),
    refused,
    maxMs,
    maxCpuMs,
    verifiedSound,
    rerouted,
  };
}
