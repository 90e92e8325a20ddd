/**
 * A threat's search space (issue 14): the attack parameters the adversary may choose, drawn by
 * fast-check around the threat's scripted basic form. Each dimension is one kind of choice, made
 * generic so any threat whose scenario gives it something to act on can declare it:
 *
 * - `fork`: the DAG nodes a forged membership event rests on: a colluding invite's `fork_at`, or the
 *   ban it is concurrent with, and for any other step that forges one (`forgesMember`), a
 *   `fork_next` before it;
 * - `claimed_time`: its claimed time, before, equal to or after what it names, by any offset;
 * - `grinding`: a budget of claimed times tried, to steer its content-addressed ID's order;
 * - `placement`: which users sit on the malicious server and which on honest ones (all of them on
 *   the malicious one included);
 * - `delay`: federation delay, overall and per direction between servers;
 * - `withholding`: which events a withholding server keeps, from whom, from when (the next one, so
 *   before it first federates, or the latest) and for how long;
 * - `silencing`: the later messages of chosen users, dropped;
 * - `split_view`: a ban hidden from a chosen part of the server's users;
 * - `replay`: old, genuine signed events served again: an invite's signed content re-issued for a
 *   user the server makes, a banned member's last join made current again, a member's join
 *   replayed into another room;
 * - `noise`: honest steps (messages, devices, verification, MSK resets, a bystander joining).
 *
 * A draw shrinks towards the basic form: every array towards empty, every option towards "as
 * scripted", every number towards 0, so a shrunk witness is the basic form plus what the breach
 * needs. The scenario a draw makes is a function of the base and the draw alone.
 */
import fc from "fast-check";
import { ACTIONS } from "../../scenarios/actions/index.ts";
import type { Capability, Scenario, Step } from "../../scenarios/format.ts";

export const DIMENSIONS = [
  "fork",
  "claimed_time",
  "grinding",
  "placement",
  "delay",
  "withholding",
  "silencing",
  "split_view",
  "replay",
  "noise",
] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** What each dimension varies, in a phrase (the report's and `--help`'s words). */
export const DIMENSION_SAYS: Record<Dimension, string> = {
  fork: "the DAG nodes a forged membership event rests on, or the ban it is concurrent with",
  claimed_time: "the claimed time of a forged membership event: before, at or after what it names",
  grinding: "claimed times tried to steer a content-addressed ID's order (up to 16)",
  placement: "which users sit on the malicious server and which on honest ones",
  delay: "federation delay, overall and per direction between servers (0-4 steps)",
  withholding: "which events are withheld, from whom, from when (before they first federate too), for how long",
  silencing: "the later messages of chosen users, dropped by the server",
  split_view: "a ban hidden from a chosen part of the server's users",
  replay: "old genuine events served again: an invite re-issued, a banned member's join, a join in another room",
  noise: "honest steps: messages, devices, out-of-band verification, MSK resets, a bystander joining",
};

export const BYSTANDER = "@zoe:z.example";
/** Where the placement dimension moves a user off the malicious server. */
const HONEST_HOME = "h.example";

type Insert = { at: number; step: Step };
export interface Draw {
  seed: number;
  /** Per `collude_invite` step of the base, in order: its fork point, claimed time and grinding budget. */
  invites: {
    fork_at?: number;
    concurrent_with_ban?: boolean;
    claimed_offset?: number;
    backdate?: number;
    grind?: number;
  }[];
  /** Per movable user (`movableUsers`), whether they change sides. */
  moved: boolean[];
  /** Extra delay overall, per-direction delays, and the step from which they hold (before: none). */
  network: { extra: number; pairs: { from: number; to: number; delay: number }[]; from: number };
  inserts: Insert[];
}

const serverOf = (userId: string): string => userId.slice(userId.indexOf(":") + 1);

/** The first adversary server with `capability`, if any. */
function serverWith(base: Scenario, capability: Capability): string | undefined {
  return base.adversary.servers.find((s) => s.capabilities.includes(capability))?.name;
}

/** The step before the adversary's first act (a step of no honest action), or 0. */
function firstAct(base: Scenario): number {
  const i = base.steps.findIndex((s) => !ACTIONS[s.action].honest);
  return Math.max(0, i - 1);
}

/** Users the placement dimension may move: every user of the cast who is not colluding. */
export function movableUsers(base: Scenario): string[] {
  return base.users.filter((u) => !base.adversary.colluding.includes(u));
}

/** Room handles made by the steps before `at`. */
function roomsBefore(base: Scenario, at: number): string[] {
  return base.steps
    .slice(0, at)
    .flatMap((s) =>
      s.action === "create" || s.action === "join_link" || s.action === "join_space_child" ? [s.room] : [],
    );
}

/** Insertion points: after the first step (the room's creation), up to the end. */
function position(base: Scenario): fc.Arbitrary<number> {
  return fc.integer({ min: 1, max: base.steps.length });
}

function noiseStep(base: Scenario, rooms: string[]): fc.Arbitrary<Step> {
  const honest = base.users.filter((u) => !base.adversary.colluding.includes(u));
  const user = fc.constantFrom(...honest);
  const anyone = fc.constantFrom(...base.users, BYSTANDER);
  const noRoom: fc.Arbitrary<Step>[] = [
    fc.record({ action: fc.constant("add_device" as const), user }),
    fc.record({ action: fc.constant("verify_user" as const), user, target: anyone }),
    fc.record({ action: fc.constant("reset_msk" as const), user }),
  ];
  if (rooms.length === 0) return fc.oneof(...noRoom);
  const room = fc.constantFrom(...rooms);
  return fc.oneof(
    {
      arbitrary: fc.record({ action: fc.constant("send" as const), user, room, text: fc.constant("noise") }),
      weight: 4,
    },
    { arbitrary: fc.oneof(...noRoom), weight: 2 },
    {
      arbitrary: fc.record({ action: fc.constant("invite" as const), user, room, target: fc.constant(BYSTANDER) }),
      weight: 1,
    },
    { arbitrary: fc.record({ action: fc.constant("join" as const), user: fc.constant(BYSTANDER), room }), weight: 1 },
  );
}

/** Steps inserted at a position drawn per step, where rooms exist: one dimension's insertions. */
function insertions(
  base: Scenario,
  max: number,
  make: (rooms: string[], at: number) => fc.Arbitrary<Step> | null,
): fc.Arbitrary<Insert[]> {
  const one = position(base).chain((at) => {
    const step = make(roomsBefore(base, at), at);
    return step ? step.map((s) => ({ at, step: s })) : fc.constant(null);
  });
  return fc.array(one, { maxLength: max }).map((xs) => xs.filter((x): x is Insert => x !== null));
}

const subset = (xs: readonly string[], max = xs.length) =>
  fc.subarray([...xs], { minLength: 1, maxLength: Math.max(1, max) });

/** Steps that forge a membership event (`forgesMember`), each with its room handle, in order. */
export function forgingSteps(base: Scenario): { i: number; room: string; colluding: boolean }[] {
  return base.steps.flatMap((s, i) => {
    if (!ACTIONS[s.action].forgesMember) return [];
    const f = s as { room?: string; to_room?: string };
    const room = f.to_room ?? f.room;
    return room === undefined ? [] : [{ i, room, colluding: s.action === "collude_invite" }];
  });
}

/** Genuine events of the base that the replay dimension may serve again, as the step that would. */
function replayable(base: Scenario): { after: number; step: (forger: string, n: number) => Step }[] {
  const rooms = base.steps.flatMap((s) => (s.action === "create" ? [s.room] : []));
  return base.steps.flatMap((s, i) => {
    switch (s.action) {
      case "invite":
        return [
          {
            after: i,
            step: (forger: string, n: number): Step => ({
              action: "replay_envelope",
              server: forger,
              room: s.room,
              victim: s.target,
              member: `@replayed${n}:${forger}`,
            }),
          },
        ];
      case "ban":
        return [
          {
            after: i,
            step: (forger: string): Step => ({
              action: "reinsert_banned",
              server: forger,
              room: s.room,
              target: s.target,
            }),
          },
        ];
      case "join":
        return rooms
          .filter((r) => r !== s.room)
          .map((to) => ({
            after: i,
            step: (forger: string): Step => ({
              action: "replay_join",
              server: forger,
              from_room: s.room,
              to_room: to,
              target: s.user,
            }),
          }));
      default:
        return [];
    }
  });
}

/**
 * Why `dimension` has nothing to vary in `base`, or null if it has: a threat may declare only
 * dimensions its scenario gives something to act on (a test checks every declaration).
 */
export function emptyBecause(base: Scenario, dimension: Dimension): string | null {
  switch (dimension) {
    case "fork":
    case "claimed_time":
    case "grinding":
      return forgingSteps(base).length === 0
        ? "the scenario forges no membership event (no collude_invite, nor any step that forges one)"
        : null;
    case "placement":
      return movableUsers(base).length === 0 || base.adversary.servers.length === 0
        ? "no user to move, or no malicious server"
        : null;
    case "withholding":
    case "silencing":
      return serverWith(base, "withhold") ? null : "no server declared to withhold";
    case "split_view":
      if (!serverWith(base, "withhold")) return "no server declared to withhold";
      return base.steps.some((s) => s.action === "ban") ? null : "the scenario bans nobody";
    case "replay":
      if (!serverWith(base, "forge")) return "no server declared to forge";
      return replayable(base).length > 0 ? null : "the scenario has no invite, ban or join to replay";
    case "delay":
    case "noise":
      return null;
  }
}

/** The arbitrary of draws over the dimensions `space` names, around `base`. */
export function drawArbitrary(base: Scenario, space: readonly Dimension[]): fc.Arbitrary<Draw> {
  const has = (d: Dimension) => space.includes(d) && emptyBecause(base, d) === null;
  const none = <T>(v: T) => fc.constant(v);
  // Values near the boundaries are where orderings flip (a claimed time 1 ms before what it names,
  // a fork one or two nodes back), so they are drawn more often than the rest of the range.
  const near = (small: fc.Arbitrary<number>, wide: fc.Arbitrary<number>) =>
    fc.oneof({ withCrossShrink: true }, { weight: 3, arbitrary: small }, { weight: 1, arbitrary: wide });
  // Each parameter is left as scripted a quarter of the time, and drawn the rest.
  const drawn = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 4 });
  const forkAt = near(
    fc.integer({ min: -3, max: -1 }),
    fc.integer({ min: -6, max: 6 }).filter((n) => n !== 0),
  );
  const claimedOffset = near(fc.integer({ min: -2, max: 2 }), fc.integer({ min: -3_600_000, max: 3_600_000 }));
  const grindBudget = near(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 16 }));
  const invite = fc.record({
    fork_at: has("fork") ? drawn(forkAt) : none(undefined),
    concurrent_with_ban: has("fork") ? drawn(fc.boolean()) : none(undefined),
    claimed_offset: has("claimed_time") ? drawn(claimedOffset) : none(undefined),
    backdate: has("claimed_time") ? drawn(near(fc.integer({ min: 0, max: 2 }), fc.nat(3_600_000))) : none(undefined),
    grind: has("grinding") ? drawn(grindBudget) : none(undefined),
  });
  const collusions = base.steps.filter((s) => s.action === "collude_invite").length;
  const users = [...base.users];
  const servers = [
    ...new Set([...base.users.map(serverOf), ...base.adversary.servers.map((s) => s.name), HONEST_HOME]),
  ];
  const withholder = serverWith(base, "withhold");
  const forger = serverWith(base, "forge");
  const steps = fc.integer({ min: 1, max: 4 });
  const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });

  const parts: fc.Arbitrary<Insert[]>[] = [];
  if (has("noise")) parts.push(insertions(base, 4, (rooms) => noiseStep(base, rooms)));
  if (has("withholding") && withholder)
    parts.push(
      insertions(base, 2, (rooms) =>
        rooms.length === 0
          ? null
          : fc
              .record({
                room: fc.constantFrom(...rooms),
                kind: fc.constantFrom("any", "state", "member", "ban", "power", "message") as fc.Arbitrary<
                  "any" | "state" | "member" | "ban" | "power" | "message"
                >,
                sender: maybe(fc.constantFrom(...users)),
                from: maybe(subset(users)),
                when: fc.constantFrom("next" as const, "latest" as const),
                steps: maybe(steps),
              })
              .map((w): Step => ({ action: "withhold", server: withholder, ...dropUndefined(w) }) as Step),
      ),
    );
  if (has("silencing") && withholder)
    parts.push(
      insertions(base, 1, (rooms) =>
        rooms.length === 0
          ? null
          : fc
              .record({ room: fc.constantFrom(...rooms), users: subset(users, 2), steps: maybe(steps) })
              .map((w): Step => ({ action: "silence", server: withholder, ...dropUndefined(w) }) as Step),
      ),
    );
  if (has("split_view") && withholder) {
    const bans = base.steps.flatMap((s, i) => (s.action === "ban" ? [{ i, s }] : []));
    const split = fc.record({ ban: fc.constantFrom(...bans), hide_from: subset(users) }).map(
      ({ ban, hide_from }): Insert => ({
        at: ban.i + 1,
        step: {
          action: "split_view",
          server: withholder,
          room: (ban.s as Extract<Step, { action: "ban" }>).room,
          target: (ban.s as Extract<Step, { action: "ban" }>).target,
          hide_from,
        },
      }),
    );
    parts.push(fc.array(split, { maxLength: 1 }));
  }
  if (has("replay") && forger) {
    const genuine = replayable(base);
    const replay = fc
      .record({ what: fc.constantFrom(...genuine), n: fc.nat(2) })
      .chain(({ what, n }) =>
        fc
          .integer({ min: what.after + 1, max: base.steps.length })
          .map((at): Insert => ({ at, step: what.step(forger, n) })),
      );
    parts.push(fc.array(replay, { maxLength: 2 }));
  }
  // Fork points for the forging steps other than colluding invites (theirs are `invites` below).
  const forging = forgingSteps(base).filter((f) => !f.colluding);
  if (forger && forging.length > 0 && (has("fork") || has("claimed_time") || has("grinding"))) {
    const fork = fc
      .record({
        target: fc.constantFrom(...forging),
        fork_at: has("fork") ? drawn(forkAt) : none(undefined),
        claimed_offset: has("claimed_time") ? drawn(claimedOffset) : none(undefined),
        grind: has("grinding") ? drawn(grindBudget) : none(undefined),
      })
      .map(
        ({ target, ...p }): Insert => ({
          at: target.i,
          step: { action: "fork_next", server: forger, room: target.room, ...dropUndefined(p) } as Step,
        }),
      );
    parts.push(fc.array(fork, { maxLength: 1 }));
  }
  const moved = movableUsers(base);
  return fc.record({
    seed: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    invites: fc.array(invite, { minLength: collusions, maxLength: collusions }),
    // Placement: as scripted, every user on the malicious server (the proposal's main case: no honest
    // server exists to drop anything), every user off it, or any mix.
    moved: has("placement")
      ? fc.oneof(
          { withCrossShrink: true },
          { weight: 3, arbitrary: fc.array(fc.boolean(), { minLength: moved.length, maxLength: moved.length }) },
          { weight: 2, arbitrary: fc.constant(moved.map((u) => serverOf(u) !== base.adversary.servers[0]!.name)) },
          { weight: 1, arbitrary: fc.constant(moved.map((u) => serverOf(u) === base.adversary.servers[0]!.name)) },
        )
      : none(moved.map(() => false)),
    // Half the runs keep the scripted network, so the other dimensions are searched without delay too.
    network: has("delay")
      ? fc.oneof(
          { withCrossShrink: true },
          { weight: 1, arbitrary: fc.constant<Draw["network"]>({ extra: 0, pairs: [], from: 0 }) },
          {
            weight: 1,
            arbitrary: fc.record({
              // From the step before the adversary's first act on, so the scripted setup (invites and joins) stands.
              from: fc.integer({ min: 0, max: Math.max(0, base.steps.length - firstAct(base)) }),
              extra: fc.nat(3),
              pairs: fc.array(
                fc.record({ from: fc.nat(servers.length - 1), to: fc.nat(servers.length - 1), delay: fc.nat(4) }),
                { maxLength: 3 },
              ),
            }),
          },
        )
      : none<Draw["network"]>({ extra: 0, pairs: [], from: 0 }),
    inserts: parts.length === 0 ? none([]) : fc.tuple(...parts).map((xs) => xs.flat()),
  });
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** Is this draw the basic form itself (nothing varied but, perhaps, the seed)? */
export function isBasic(d: Draw): boolean {
  return (
    d.inserts.length === 0 &&
    d.moved.every((m) => !m) &&
    d.network.extra === 0 &&
    d.network.pairs.length === 0 &&
    d.invites.every((i) => Object.values(i).every((v) => v === undefined))
  );
}

/** The scenario `draw` makes of `base`. */
export function applyDraw(base: Scenario, draw: Draw, name: string): Scenario {
  // 1. The colluding invites' parameters.
  let n = 0;
  let steps: Step[] = base.steps.map((s) => {
    if (s.action !== "collude_invite") return s;
    const p = dropUndefined(draw.invites[n++] ?? {});
    return { ...s, ...p };
  });
  // 2. Insertions, at their positions in the base's steps (later positions first, so earlier ones stay put).
  const inserts = draw.inserts.map((x, k) => ({ ...x, k })).sort((a, b) => b.at - a.at || b.k - a.k);
  for (const { at, step } of inserts) steps.splice(Math.min(at, steps.length), 0, step);
  let users = [...base.users];
  if (steps.some((s) => JSON.stringify(s).includes(BYSTANDER)) && !users.includes(BYSTANDER)) users.push(BYSTANDER);
  // 3. Placement: move users across, renaming them everywhere they appear.
  const malicious = base.adversary.servers[0]?.name;
  const movable = movableUsers(base);
  if (malicious) {
    const rename = new Map<string, string>();
    movable.forEach((u, i) => {
      if (!draw.moved[i]) return;
      const local = u.slice(1, u.indexOf(":"));
      const to = `@${local}:${serverOf(u) === malicious ? HONEST_HOME : malicious}`;
      if (!users.includes(to) && ![...rename.values()].includes(to)) rename.set(u, to);
    });
    if (rename.size > 0) {
      let text = JSON.stringify(steps);
      for (const [from, to] of rename) text = text.replaceAll(JSON.stringify(from), JSON.stringify(to));
      steps = JSON.parse(text) as Step[];
      users = users.map((u) => rename.get(u) ?? u);
    }
  }
  // 4. The network.
  const servers = [...new Set([...users.map(serverOf), ...base.adversary.servers.map((s) => s.name), HONEST_HOME])];
  const delay = (base.network?.delay ?? 0) + draw.network.extra;
  // Insertions before the first act move it later: the drawn offset counts from where it now is.
  const fromStep = steps.findIndex((s) => !ACTIONS[s.action].honest);
  // A base with a delay of its own keeps it from the first step.
  const from = base.network?.delay ? 0 : Math.max(0, (fromStep < 0 ? steps.length : fromStep) - 1 + draw.network.from);
  const pairs: Record<string, number> = {};
  for (const p of draw.network.pairs) {
    const from = servers[p.from % servers.length]!;
    const to = servers[p.to % servers.length]!;
    if (from !== to) pairs[`${from}>${to}`] = p.delay;
  }
  const network =
    delay > 0 || Object.keys(pairs).length > 0
      ? {
          network: {
            delay,
            ...(Object.keys(pairs).length > 0 ? { pairs } : {}),
            ...(from > 0 ? { from_step: from } : {}),
          },
        }
      : {};
  const { network: _dropped, ...rest } = base;
  return {
    ...rest,
    name,
    seed: draw.seed,
    users,
    steps,
    ...network,
    refusals: "allowed",
  };
}

/** What a draw changed in the basic form, in a line (the witness's description says it). */
export function describeDraw(base: Scenario, draw: Draw): string {
  const parts: string[] = [];
  draw.invites.forEach((p, i) => {
    const set = Object.entries(p).filter(([, v]) => v !== undefined);
    if (set.length > 0) parts.push(`colluding invite ${i + 1}: ${set.map(([k, v]) => `${k} ${v}`).join(", ")}`);
  });
  const malicious = base.adversary.servers[0]?.name;
  const moved = movableUsers(base).filter((_, i) => draw.moved[i]);
  if (moved.length > 0 && malicious)
    parts.push(
      `placement: ${moved.map((u) => `${u} to ${serverOf(u) === malicious ? HONEST_HOME : malicious}`).join(", ")}`,
    );
  const n = draw.network;
  if (n.extra > 0 || n.pairs.length > 0)
    parts.push(
      `federation delay: +${n.extra}${n.pairs.length > 0 ? ` and ${n.pairs.length} per-direction delay(s)` : ""}, from ${n.from} step(s) before the first act on`,
    );
  const adversarial = draw.inserts.filter((x) => !ACTIONS[x.step.action].honest);
  const honest = draw.inserts.length - adversarial.length;
  for (const x of adversarial) parts.push(`inserted at step ${x.at}: ${JSON.stringify(x.step)}`);
  if (honest > 0) parts.push(`${honest} honest step(s) of noise`);
  return parts.length === 0 ? "the basic form, with another seed" : parts.join("; ");
}
