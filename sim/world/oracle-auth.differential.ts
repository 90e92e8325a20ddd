/**
 * For the differential test (oracle-auth.prop.test.ts): the homeservers' authorization rules
 * (`authorize` in room.ts) against the oracle's own (oracle-auth.ts). Random event sequences
 * (membership changes of every kind, power level edits of every kind, join rule changes,
 * third-party invites, other state and messages, by users of varied levels) go through both; each
 * side keeps its own state from the events it accepted.
 *
 * It reads room.ts only through `authorize(room, e, ctx)` and `RoomReplica` (`new`, `append`).
 * Which side a disagreement proves wrong is decided from the spec: oracle-auth.DISAGREEMENTS.md.
 * A test helper: only tests import it.
 */
import fc from "fast-check";
import { seedFrom } from "../../test-support/room-builder.ts";
import { encodeBase64 } from "../core/base64.ts";
import type { JsonObject } from "../core/canonical-json.ts";
import { signingKeyFromSeed } from "../core/ed25519.ts";
import { signThirdPartyBinding } from "../core/events.ts";
import { type OracleEvent, OracleRoomState, oracleAuthorize } from "./oracle-auth.ts";
import { RoomReplica, authorize, type WorldEvent } from "./room.ts";

const ROOM = "!r:s1";
const USERS = ["@a:s1", "@b:s1", "@c:s2", "@d:s3", "@e:s4"];
const OTHER_ROOMS = ["!x:s2", "!y:s3"];
const LEVELS = [-1, 0, 1, 49, 50, 51, 99, 100, 101];
const TOKENS = ["tokA", "tokB"];
const IDENTITY = signingKeyFromSeed(seedFrom("oracle-auth/identity-server"));
const WRONG_KEY = signingKeyFromSeed(seedFrom("oracle-auth/not-the-identity-server"));
const TOP_LEVEL = ["users_default", "events_default", "state_default", "ban", "kick", "invite", "redact"];
const EVENT_TYPES = [
  "m.room.name",
  "m.room.power_levels",
  "m.room.join_rules",
  "m.room.encrypted",
  "m.room.third_party_invite",
];

/**
 * A user: 0..4 a fixed one; 5..9 one of those joined now (so that more events come from members);
 * 10..14 one of those banned now (so that unbans happen), else a fixed one.
 */
const user = fc.nat(USERS.length * 3 - 1);
const level = fc.constantFrom(...LEVELS);

/** One edit of a power levels event: every kind v11's rule 9 distinguishes. */
const plEdit = fc.oneof(
  fc.record({ k: fc.constant("user" as const), u: user, level }),
  fc.record({ k: fc.constant("unuser" as const), u: user }),
  fc.record({ k: fc.constant("top" as const), key: fc.constantFrom(...TOP_LEVEL), level }),
  fc.record({ k: fc.constant("untop" as const), key: fc.constantFrom(...TOP_LEVEL) }),
  fc.record({ k: fc.constant("event" as const), type: fc.constantFrom(...EVENT_TYPES), level }),
  fc.record({ k: fc.constant("unevent" as const), type: fc.constantFrom(...EVENT_TYPES) }),
  fc.record({ k: fc.constant("nousers" as const) }),
  fc.record({ k: fc.constant("string-level" as const), key: fc.constantFrom(...TOP_LEVEL) }),
);

export const action = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      k: fc.constant("member" as const),
      by: user,
      target: user,
      membership: fc.constantFrom("join", "invite", "leave", "ban", "knock", "bogus"),
      self: fc.boolean(),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      k: fc.constant("power" as const),
      by: user,
      edits: fc.array(plEdit, { minLength: 1, maxLength: 3 }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant("join_rule" as const),
      by: user,
      rule: fc.constantFrom("public", "invite", "restricted", "knock", "knock_restricted", "private"),
      allow: fc.subarray(OTHER_ROOMS),
      typed: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ k: fc.constant("restricted_join" as const), by: user, via: user }) },
  {
    weight: 1,
    arbitrary: fc.record({ k: fc.constant("tpi_state" as const), by: user, token: fc.constantFrom(...TOKENS) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      k: fc.constant("tpi_invite" as const),
      by: user,
      target: user,
      token: fc.constantFrom(...TOKENS),
      mxidMatches: fc.boolean(),
      signature: fc.constantFrom("valid", "wrong-key", "none"),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant("state" as const),
      by: user,
      stateKeyUser: fc.option(user, { nil: undefined }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant("message" as const), by: user }) },
);
export type Action = typeof action extends fc.Arbitrary<infer T> ? T : never;

/** Which (room, user) pairs are joined elsewhere, for restricted joins. */
export const elsewhere = fc.subarray(OTHER_ROOMS.flatMap((r) => USERS.map((u) => `${r}|${u}`)));

type PlEdit = typeof plEdit extends fc.Arbitrary<infer T> ? T : never;

function applyEdit(content: JsonObject, edit: PlEdit, pick: (i: number) => string): void {
  const users = () => (content.users ??= {}) as JsonObject;
  const events = () => (content.events ??= {}) as JsonObject;
  switch (edit.k) {
    case "user":
      users()[pick(edit.u)] = edit.level;
      break;
    case "unuser":
      if (content.users) delete (content.users as JsonObject)[pick(edit.u)];
      break;
    case "top":
      content[edit.key] = edit.level;
      break;
    case "untop":
      delete content[edit.key];
      break;
    case "event":
      events()[edit.type] = edit.level;
      break;
    case "unevent":
      if (content.events) delete (content.events as JsonObject)[edit.type];
      break;
    case "nousers":
      delete content.users;
      break;
    case "string-level":
      content[edit.key] = "50";
      break;
  }
}

/** The event an action makes, given the state so far (the oracle's: both sides agree up to here). */
function eventOf(a: Action, oracle: OracleRoomState, n: number): WorldEvent {
  const pick = (i: number): string => {
    const [group, k] = [Math.floor(i / USERS.length), i % USERS.length];
    const among = group === 0 ? USERS : USERS.filter((u) => oracle.membership(u) === (group === 1 ? "join" : "ban"));
    return among[k % among.length] ?? USERS[k]!;
  };
  const by = pick(a.by);
  const ev = (type: string, content: JsonObject, stateKey?: string, sender = by): WorldEvent => ({
    event_id: `$${n}`,
    room_id: ROOM,
    origin_server_ts: n,
    type,
    sender,
    content,
    ...(stateKey !== undefined ? { state_key: stateKey } : {}),
  });
  switch (a.k) {
    case "member": {
      const target = pick(a.target);
      // Joins, knocks and leaves are usually one's own; sometimes not.
      const self = (a.membership === "join" || a.membership === "knock") && a.self;
      return ev("m.room.member", { membership: a.membership }, self ? by : target);
    }
    case "power": {
      const content = structuredClone(oracle.get("m.room.power_levels")?.content ?? {}) as JsonObject;
      for (const edit of a.edits) applyEdit(content, edit, pick);
      return ev("m.room.power_levels", content, "");
    }
    case "join_rule": {
      const allow: JsonObject[] = a.allow.map((room_id) =>
        a.typed
          ? {
              type: "m.room_membership",
              room_id,
            }
          : ({ room_id } as JsonObject),
      );
      return ev("m.room.join_rules", { join_rule: a.rule, ...(a.rule.includes("restricted") ? { allow } : {}) }, "");
    }
    case "restricted_join":
      return ev(
        "m.room.member",
        { membership: "join", ...(a.via !== a.by ? { join_authorised_via_users_server: pick(a.via) } : {}) },
        by,
      );
    case "tpi_state":
      return ev(
        "m.room.third_party_invite",
        {
          display_name: "x…",
          key_validity_url: "https://id/isvalid",
          public_key: encodeBase64(IDENTITY.publicKey),
          public_keys: [{ public_key: encodeBase64(IDENTITY.publicKey) }],
        },
        a.token,
      );
    case "tpi_invite": {
      const target = pick(a.target);
      const mxid = a.mxidMatches ? target : USERS[(USERS.indexOf(target) + 1) % USERS.length]!;
      const key = a.signature === "wrong-key" ? WRONG_KEY : IDENTITY;
      const bound = signThirdPartyBinding({
        mxid,
        token: a.token,
        userKey: new Uint8Array(32),
        identityServer: "id.example",
        keyId: "ed25519:0",
        key,
      });
      const { signatures: _s, ...unsigned } = bound;
      const signed = a.signature === "none" ? unsigned : bound;
      const content = { membership: "invite", third_party_invite: { display_name: "x…", signed } };
      return ev("m.room.member", content, target);
    }
    case "state":
      return ev("m.room.name", { name: `n${n}` }, a.stateKeyUser === undefined ? "" : pick(a.stateKeyUser));
    case "message":
      return ev("m.room.encrypted", { ciphertext: `c${n}` });
  }
}

function describeEvent(e: WorldEvent): string {
  const key = e.state_key !== undefined ? `[${JSON.stringify(e.state_key)}]` : "";
  const content = e.content.third_party_invite ? { ...e.content, third_party_invite: "…" } : e.content;
  return `${e.sender} ${e.type}${key} ${JSON.stringify(content)}`;
}

/** How a run starts: the other users' levels in the first power levels event, and who of them is joined. */
export const start = fc.record({
  levels: fc.array(level, { minLength: 4, maxLength: 4 }),
  joined: fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
});
export type Start = typeof start extends fc.Arbitrary<infer T> ? T : never;

/**
 * The room as createRoom makes it (create, the creator's join, power levels, invite-only), then the
 * users `init.joined` names invited and joined.
 */
function setup(init: Start): WorldEvent[] {
  const a = USERS[0]!;
  let n = 0;
  const mk = (type: string, content: JsonObject, stateKey = "", sender = a): WorldEvent => ({
    event_id: `$s${++n}`,
    room_id: ROOM,
    origin_server_ts: n,
    type,
    sender,
    content,
    state_key: stateKey,
  });
  const others = USERS.slice(1);
  const users = Object.fromEntries([
    [a, 100],
    ...others.map((u, i) => [u, init.levels[i]!]).filter(([, l]) => l !== 0),
  ]);
  return [
    mk("m.room.create", { room_version: "msc3917" }),
    mk("m.room.member", { membership: "join" }, a),
    mk("m.room.power_levels", {
      users,
      users_default: 0,
      invite: 0,
      kick: 50,
      ban: 50,
      state_default: 50,
      events_default: 0,
      events: {},
    }),
    mk("m.room.join_rules", { join_rule: "invite" }),
    ...others.flatMap((u, i) =>
      init.joined[i]
        ? [mk("m.room.member", { membership: "invite" }, u), mk("m.room.member", { membership: "join" }, u, u)]
        : [],
    ),
  ];
}

export interface Disagreement {
  /** The trace up to and including the disagreement, one event a line with both verdicts. */
  trace: string;
  /** Which recorded room.ts bug (oracle-auth.DISAGREEMENTS.md) explains it, or null: a new one. */
  known: string | null;
}

/** Run one sequence through both rule sets; the first disagreement, with the trace that led to it. */
export function firstDisagreement(init: Start, actions: Action[], joinedElsewhere: string[]): string | null {
  return disagreements(init, actions, joinedElsewhere, false)[0]?.trace ?? null;
}

/**
 * Every disagreement in one sequence (`all`), or only the first. After a disagreement both sides
 * take the oracle's verdict, so that later events are compared from the same state.
 */
export function disagreements(init: Start, actions: Action[], joinedElsewhere: string[], all: boolean): Disagreement[] {
  const replica = new RoomReplica(ROOM);
  const oracle = new OracleRoomState(ROOM);
  const ctx = { isJoined: (room: string, userId: string) => joinedElsewhere.includes(`${room}|${userId}`) };
  const trace: string[] = [];
  const found: Disagreement[] = [];
  const events = [...setup(init), ...actions.map((a, i) => ({ a, i }))];
  for (const item of events) {
    const e = "event_id" in item ? item : eventOf(item.a, oracle, item.i);
    const servers = authorize(replica, e, ctx);
    const ours = oracleAuthorize(oracle, e as OracleEvent, ctx);
    const line = `${describeEvent(e)} -> room.ts: ${servers ?? "allow"}; oracle: ${ours ?? "allow"}`;
    if ((servers === null) !== (ours === null)) {
      found.push({ trace: [...trace, `DISAGREE: ${line}`].join("\n"), known: knownBug(oracle, e, ours) });
      if (!all) return found;
    }
    trace.push(line);
    if (ours === null) {
      replica.append(e);
      oracle.accept(e as OracleEvent);
    }
  }
  return found;
}

/**
 * Which recorded room.ts bug a disagreement on `e` is (IDs of oracle-auth.DISAGREEMENTS.md),
 * from the event, the oracle's state before it and the oracle's verdict; null if none fits.
 * This reads the oracle's side only, so it keeps working whatever room.ts says.
 */
export function knownBug(state: OracleRoomState, e: WorldEvent, oracleWhy: string | null): string | null {
  const pl = state.get("m.room.power_levels");
  const creator = state.get("m.room.create")?.sender;
  const users = pl?.content.users as JsonObject | undefined;
  // R6: a power levels event without the creator in `users` (room.ts keeps them at 100).
  const noUsers = typeof users !== "object" || users === null;
  const creatorFallback = pl !== undefined && noUsers && (e.sender === creator || e.state_key === creator);
  const m = e.type === "m.room.member" ? e.content.membership : undefined;
  if (oracleWhy === null) {
    if (m === "knock" || (m === "leave" && state.membership(e.sender) === "knock")) return "R8";
    if (m === "join" && state.joinRule() === "knock_restricted") return "R9";
    if (m === "join" && e.content.join_authorised_via_users_server !== undefined) return "R11";
    if (m === "invite" && e.content.third_party_invite !== undefined) return "R14";
    if (e.type === "m.room.third_party_invite") return "R15";
    if (e.type === "m.room.power_levels" && !pl) return "R5";
    if (creatorFallback) return "R6";
    return null;
  }
  const rule = /^\[([\d.]+)\]/.exec(oracleWhy)?.[1] ?? "";
  if (
    creatorFallback &&
    ["7", "6", "4.4.5", "4.5.5", "4.6.3", "9.5.1", "9.5.2", "9.6.1", "9.7.1", "9.8.1", "9.9.1"].includes(rule)
  )
    return "R6";
  if (rule === "9.8.1") return "R1";
  if (rule.startsWith("9.5.")) return "R2";
  if (rule === "9.6.1" || rule === "9.7.1") return "R3";
  if (["9.1", "9.2", "9.3"].includes(rule)) return "R4";
  if (rule === "9.9.1") return "R17";
  if (rule === "4.5.5" && state.membership(e.state_key ?? "") === "ban") return "R7";
  if (rule === "4.5.3") return "R7";
  if (rule === "4.3.5.2") return e.content.join_authorised_via_users_server !== undefined ? "R11" : "R10";
  if (rule === "4.3.7" && state.joinRule() === "private") return "R12";
  if (rule.startsWith("4.4.1.")) return "R13";
  if (rule === "8") return "R16";
  return null;
}
