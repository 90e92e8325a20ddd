/**
 * `npm run bench` (hostile shapes): no input shape may make verification cost grow faster than
 * its size (DESIGN.md §11). Each shape is built at a base size and doubled three times, and the
 * benchmark fails (exit 1) if any one doubling costs more than ×2.3. A quadratic cost is ×4 at
 * every doubling, a linear one ×2.
 *
 * Made robust to a shared machine by measuring more, not by judging less:
 * - Time is this process's CPU time, not the wall clock (on a shared machine the wall clock mostly
 *   measures the others), run with one-threaded garbage collection and a larger young generation
 *   (`npm run bench` passes --single-threaded-gc --max-semi-space-size=64), so that helper threads
 *   do not add their time, and after a collection (--expose-gc) before each timing. Measured here,
 *   neither a small young generation (1 or 4 MB) nor 16 MB made every shape steadier: each moved
 *   the step where a size first needs a scavenge, or major collections, into some other doubling.
 * - The sizes take turns, round by round (ROUNDS rounds, a fresh room each time), so that a slow
 *   spell of the machine falls on all of them; each size counts its fastest round.
 * - The base sizes are large enough that the smallest room takes tens of milliseconds, so that fixed
 *   costs do not flatter the ratios. Depth and width start at 2,000 members: from 1,000, the first
 *   doubling measured ×2.2–×2.4 and the next two ×1.7, the mark of a smallest room whose keys and
 *   memo still fit the CPU's caches. Allow lists start at 8,192 and repeated joins at 32,000: from
 *   4,096 and 16,000 their smallest rooms took 14–21 ms, and one doubling measured ×1.6 in one run
 *   and ×2.8–×3.1 in the next.
 * - A doubling above ×2.3 is measured again, both of its sizes, RETRIES times more with as many
 *   rounds; it fails only if it is still above ×2.3 with every measurement counted (the fastest of
 *   all rounds per size). Noise only ever slows a round down; a superlinear cost stays.
 * - A shape still over is measured one doubling further, and that ratio is printed, not judged.
 *   What it has shown here is a step, not a trend: with the young generation fixed
 *   (--min-semi-space-size equal to the max), keys per third-party invite took ×2.5–×2.6 from
 *   8,192 to 16,384 keys in every run at 64 MB, ×2.3 from 16,384 to 32,768 at 128 MB and no step
 *   at 16 MB, with ×1.9–×2.0 on the doubling after the step. A step that moves with the young
 *   generation's size is the garbage collector's (the rooms below it verify with fewer or cheaper
 *   scavenges), not the verifier's algorithm. At 16 MB the filler joins took the step
 *   instead (×2.6–×2.8 from 32,000 to 64,000), so no one size suits every shape.
 *
 * Signatures come from the test-only fake backend (test-support/fake-backend.ts: real keys and
 * key checks, a SHA-512 in place of the curve), so that what is measured is the verifier's own
 * work, and each equation still costs something.
 */
import type { JsonObject } from "../sim/core/canonical-json.ts";
import { signingKeyFromSeed } from "../sim/core/ed25519.ts";
import {
  buildThirdPartyInviteContent,
  buildThirdPartySuccessorInviteContent,
  signThirdPartyBinding,
} from "../sim/core/events.ts";
import { signJson } from "../sim/core/signing.ts";
import { type RoomView, verifyMembership } from "../sim/core/verify-membership.ts";
import { fakeBackend } from "../test-support/fake-backend.ts";
import { RoomBuilder, type TestUser, makeUser, seedFrom } from "../test-support/room-builder.ts";

const backend = fakeBackend();
const LIMIT = 2.3;
const SCALE = Number(process.env.BENCH_HOSTILE_SCALE ?? 1);
const users = new Map<string, TestUser>();
const user = (i: number): TestUser => {
  const id = `@h${i}:example.org`;
  let u = users.get(id);
  if (!u) users.set(id, (u = makeUser(id, { backend })));
  return u;
};
const isKey = signingKeyFromSeed(seedFrom("hostile identity server"), backend);
const otherKeys = Array.from(
  { length: 16 },
  (_, i) => signingKeyFromSeed(seedFrom(`listed key ${i}`), backend).publicKey,
);

interface Shape {
  name: string;
  base: number;
  build(n: number): RoomView;
}

/** A room where u0 created and invited u1..u(k-1). */
function width(k: number): RoomBuilder {
  const b = new RoomBuilder({ backend }).create(user(0));
  for (let i = 1; i < k; i++) b.inviteAndJoin(user(0), user(i));
  return b;
}

/** One m.room.third_party_invite listing `keys` keys (the identity server's last of the first 16), and `joins` third-party joins through it. */
function thirdParty(keys: number, joins: number, pad = 0): RoomView {
  const b = new RoomBuilder({ backend }).create(user(0));
  const listed = Array.from({ length: keys }, (_, i) =>
    i === Math.min(keys, 16) - 1 ? isKey.publicKey : otherKeys[i % 16]!,
  );
  const token = "tok";
  const tpi = b.add({
    type: "m.room.third_party_invite",
    state_key: token,
    sender: user(0).userId,
    content: buildThirdPartyInviteContent(
      {
        displayName: "x",
        publicKeys: listed,
        keyValidityUrl: "https://id.example/v",
        signer: user(0),
        parentEventId: b.cause(user(0)),
      },
      b.opts,
    ),
  });
  for (let i = 1; i <= joins; i++) {
    const u = user(i);
    const signed = signThirdPartyBinding(
      { mxid: u.userId, token, userKey: u.msk.publicKey, identityServer: "id.example", keyId: "ed25519:0", key: isKey },
      b.opts,
    );
    const invite = b.add({
      type: "m.room.member",
      state_key: u.userId,
      sender: user(0).userId,
      content: buildThirdPartySuccessorInviteContent(
        {
          thirdPartyInviteEventId: tpi.event_id,
          displayName: "x",
          signed: pad ? signWithPadding(u, token, pad) : signed,
        },
        b.opts,
      ),
    });
    b.member("join", u, u, invite.event_id);
  }
  return b.room();
}

function signWithPadding(u: TestUser, token: string, pad: number): JsonObject {
  const content: JsonObject = {
    mxid: u.userId,
    token,
    user_key: Buffer.from(u.msk.publicKey).toString("base64").replace(/=+$/, ""),
    padding: "x".repeat(pad),
  };
  return signJson(content, "id.example", "ed25519:0", isKey, backend);
}

const shapes: Shape[] = [
  {
    name: "keys per third-party invite (n keys listed, n/8 joins through it)",
    // From 4096, not 1024: with the young generation at 64 MB, the rooms of 1024 and 2048 keys
    // were verified without a single scavenge once the verifier allocated less per key (issue 11,
    // third round), and crossing into collections showed as a ×2.7 step from 2048 to 4096 while
    // every doubling after it was ×2.0. From 4096 every size collects.
    base: 4096,
    build: (n) => thirdParty(n, n / 8),
  },
  {
    name: "large signed third-party data (n/64 joins, each signed block n bytes)",
    base: 4096,
    build: (n) => thirdParty(1, 32, n * 64),
  },
  {
    name: "repeated joins of one user (n joins for one user in the state)",
    base: 32000,
    build: (n) => {
      const b = width(2);
      const room = b.room();
      const join = b.find("$4");
      const copies = Array.from({ length: n }, (_, i) => ({ ...join, event_id: `$copy${i}` }));
      return { ...room, state: [...room.state, ...copies] };
    },
  },
  {
    name: "repeated events (the same invite delivered n times, differing only in unsigned)",
    base: 8000,
    build: (n) => {
      const room = width(4).room();
      const invite = room.events![0] as JsonObject;
      const copies = Array.from({ length: n }, (_, i) => ({ ...structuredClone(invite), unsigned: { age: i } }));
      return { ...room, events: [...room.events!, ...copies] };
    },
  },
  {
    name: "long restricted allow lists (n rooms allowed, n/16 joins through the rule)",
    base: 8192,
    build: (n) => {
      const b = new RoomBuilder({ backend }).create(user(0));
      const allowed = Array.from(
        { length: n },
        (_, i) => new RoomBuilder({ label: `allowed ${i % 64}`, backend }).roomId,
      );
      const rule = b.joinRules(user(0), "restricted", allowed);
      for (let i = 1; i <= n / 16; i++) b.joinVia(rule, user(i)); // no proof: each join is unknown, after the rule is read
      return b.room();
    },
  },
  {
    name: "joins without event IDs after n filler state events",
    base: 8000,
    build: (n) => {
      const room = width(2).room();
      const filler = Array.from({ length: n }, (_, i) => ({
        event_id: `$f${i}`,
        type: "m.room.topic",
        state_key: `${i}`,
        sender: "@x:y",
        content: { topic: "t" },
      }));
      const nameless = Array.from({ length: n }, (_, i) => ({
        type: "m.room.member",
        state_key: `@n${i}:example.org`,
        sender: `@n${i}:example.org`,
        content: { membership: "join", sender_key: 5 },
      }));
      return { ...room, state: [...room.state, ...filler, ...nameless] };
    },
  },
  {
    name: "signatures per event (256 members, each event with n junk signatures)",
    base: 256,
    build: (n) => {
      const room = width(256).room();
      const junk = Object.fromEntries(Array.from({ length: n }, (_, i) => [`ed25519:junk${i}`, "A".repeat(86)]));
      for (const e of [...room.state, ...room.events!] as {
        content: { signatures?: Record<string, Record<string, string>> };
      }[]) {
        if (e.content.signatures) e.content.signatures["@junk:example.org"] = junk;
      }
      return room;
    },
  },
  {
    name: "depth (a linear invitation chain of n members)",
    base: 2000,
    build: (n) => {
      const b = new RoomBuilder({ backend }).create(user(0));
      for (let i = 1; i < n; i++) b.inviteAndJoin(user(i - 1), user(i));
      return b.room();
    },
  },
  { name: "width (n members, all invited by the creator)", base: 2000, build: (n) => width(n).room() },
];

const gc = (globalThis as { gc?: () => void }).gc;
const ROUNDS = Number(process.env.BENCH_HOSTILE_ROUNDS ?? 7);
const RETRIES = Number(process.env.BENCH_HOSTILE_RETRIES ?? 2);
/** BENCH_HOSTILE_ONLY=text: only the shapes whose name contains it (to look at one shape again). */
const ONLY = process.env.BENCH_HOSTILE_ONLY;
const chosen = ONLY === undefined ? shapes : shapes.filter((s) => s.name.includes(ONLY));
if (chosen.length === 0) {
  console.error(`BENCH_HOSTILE_ONLY=${JSON.stringify(ONLY)} matches no shape: ${shapes.map((s) => s.name).join("; ")}`);
  process.exit(2);
}
function timeOne(room: RoomView): number {
  gc?.();
  const t = process.cpuUsage();
  const r = verifyMembership(room, { backend });
  const used = process.cpuUsage(t);
  const ms = (used.user + used.system) / 1000;
  if (r.room.status !== "verified") throw new Error("a hostile room lost its create event");
  return ms;
}
/** The fastest of `rounds` rounds per size, the sizes taking turns within each round. */
function fastest(build: (n: number) => RoomView, sizes: number[], rounds: number, best: number[]): void {
  for (let round = 0; round < rounds; round++)
    sizes.forEach((n, i) => {
      best[i] = Math.min(best[i] ?? Number.POSITIVE_INFINITY, timeOne(build(n)));
    });
}
let failed = false;
console.log(
  `Hostile input shapes: verification CPU time as each doubles three times; fails if any doubling costs more than x${LIMIT} (fake signatures, fastest of ${ROUNDS} interleaved rounds, a doubling above x${LIMIT} measured again up to ${RETRIES} times)`,
);
for (const shape of chosen) {
  const sizes = [1, 2, 4, 8].map((f) => Math.round(shape.base * SCALE * f));
  timeOne(shape.build(sizes[0]!)); // warm up: the first run pays for the JIT
  const times: number[] = [];
  fastest(shape.build, sizes, ROUNDS, times);
  const first = times.slice(1).map((t, i) => t / times[i]!);
  let retried = 0;
  for (let i = 0; i < 3; i++) {
    for (let k = 0; k < RETRIES && times[i + 1]! / times[i]! > LIMIT; k++, retried++) {
      const pair = [times[i]!, times[i + 1]!];
      fastest(shape.build, [sizes[i]!, sizes[i + 1]!], ROUNDS, pair);
      [times[i], times[i + 1]] = pair as [number, number];
    }
  }
  const ratios = times.slice(1).map((t, i) => t / times[i]!);
  const bad = ratios.some((r) => r > LIMIT);
  failed ||= bad;
  const changed = retried > 0;
  console.log(`  ${shape.name}`);
  console.log(
    `    n = ${sizes.join(", ")}: ${times.map((t) => `${t.toFixed(1)} ms`).join(", ")}; per doubling ${ratios.map((r) => `x${r.toFixed(2)}`).join(", ")}${changed ? ` (first measured ${first.map((r) => `x${r.toFixed(2)}`).join(", ")}; ${retried} re-measurement${retried === 1 ? "" : "s"})` : ""}${bad ? "  OVER" : ""}`,
  );
  if (bad) {
    // Still over: one more doubling, to show the reader whether the cost keeps growing faster
    // than the size (a superlinear cost: every later doubling is steeper still) or took one step
    // (as the garbage collector's steps do, which move with --min/max-semi-space-size: see the
    // header). Information only: the shape has failed all the same.
    const next = sizes[3]! * 2;
    const pair = [times[3]!];
    fastest(shape.build, [sizes[3]!, next], ROUNDS, pair);
    console.log(
      `    one more doubling, not judged: n = ${sizes[3]}, ${next}: ${pair.map((t) => `${t.toFixed(1)} ms`).join(", ")}; x${(pair[1]! / pair[0]!).toFixed(2)}`,
    );
  }
}
if (failed) process.exitCode = 1;
