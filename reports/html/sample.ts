/**
 * A sample `HtmlReport` for the page's tests and for looking at the page: several threats and
 * models, two witnesses using every adversarial act, bench points and progress series. The
 * numbers are made up for layout only; the attacker's user IDs carry markup on purpose.
 */
import type { HtmlCell, HtmlReport, Mark } from "./types.ts";

export const HOSTILE_USER = `@"><script>alert('x')</script>:evil.example`;
export const HOSTILE_LABEL = `</script><img src=x onerror=alert(1)> & "quotes"`;

const MODELS = [
  { id: "baseline", title: "Baseline (Matrix today)" },
  { id: "membership-tree", title: "Membership tree" },
  { id: "state-dag", title: "State DAG (ts)" },
  { id: "state-dag-no-ts", title: "State DAG (no-ts)" },
];

const THREATS = [
  { id: "T1", title: "A malicious homeserver adds a device to a user" },
  { id: "T2", title: "A malicious homeserver re-inserts a removed member" },
  { id: "T3", title: "A banned member invites someone, backdated" },
  { id: "T4", title: "A member without invite rights invites" },
  { id: "T10", title: "A server withholds a ban from part of the room" },
  { id: "T13", title: `An attacker-named threat title with ${HOSTILE_LABEL}` },
];

function cell(
  threat: string,
  model: string,
  mark: Mark | null,
  budget: number,
  undetected: number,
  detected: number,
  witness: string | null,
): HtmlCell {
  return {
    threat,
    model,
    mark,
    witness,
    counts: {
      budget,
      breaches: undetected + (detected ? 1 : 0),
      undetected,
      detected,
      falseRejections: 0,
      falseAlarms: model === "state-dag" ? 1 : 0,
      readByAttacker: undetected * 2,
    },
  };
}

export function sampleReport(): HtmlReport {
  const cells: HtmlCell[] = [];
  for (const t of THREATS) {
    for (const m of MODELS) {
      const n = Number(t.id.slice(1));
      if (m.id === "baseline") cells.push(cell(t.id, m.id, "❌", 200, 200, 0, t.id === "T2" ? "w-baseline-T2" : null));
      else if (t.id === "T2" && m.id === "membership-tree") cells.push(cell(t.id, m.id, "❌", 500, 37, 0, "w-tree-T2"));
      else if (t.id === "T3" && m.id === "state-dag") cells.push(cell(t.id, m.id, "🚧", 500, 0, 41, "w-dag-T3"));
      else if (t.id === "T13" && m.id === "state-dag-no-ts") continue;
      else cells.push(cell(t.id, m.id, n % 3 === 0 ? "🚧" : "✅", 500, 0, n % 3 === 0 ? 12 : 0, null));
    }
  }
  return {
    title: "MSC3917 threat model, measured",
    version: "0.1.0",
    provenance: "sample input, seed 42, budget 500 runs per cell",
    marks: {
      "✅": "no breach in any run",
      "🚧": "breaches only in some variants, or every run detected",
      "❌": "an undetected breach in the attack's basic form",
    },
    threats: THREATS,
    models: MODELS,
    proposal: {
      models: ["membership-tree", "state-dag"],
      rows: [
        { threat: "T1", claims: { "membership-tree": "✅", "state-dag": "✅" } },
        { threat: "T2", claims: { "membership-tree": "❌", "state-dag": "✅" } },
        {
          threat: "T3",
          claims: { "membership-tree": "❌", "state-dag": "🚧" },
          note: "(1) dependent on whether timestamps can be falsified",
        },
        {
          threat: "T4",
          claims: { "membership-tree": "❌", "state-dag": "✅" },
          note: "(2) partial if the user once had invitation privileges",
        },
      ],
    },
    cells,
    witnesses: [
      {
        id: "w-tree-T2",
        threat: "T2",
        model: "membership-tree",
        file: "reports/out/witnesses/T2-membership-tree.json",
        verdict: `undetected breach: ${HOSTILE_USER} read 2 messages`,
        seed: 42,
        steps: [
          {
            index: 0,
            actor: "@alice:a.example",
            op: "create_room",
            act: "honest",
            summary: "alice creates the room",
            event: "$c",
          },
          {
            index: 1,
            actor: "@alice:a.example",
            op: "invite",
            act: "honest",
            summary: `alice invites ${HOSTILE_USER}`,
            event: "$i1",
          },
          { index: 2, actor: HOSTILE_USER, op: "join", act: "honest", summary: "the invitee joins", event: "$j1" },
          {
            index: 3,
            actor: "@alice:a.example",
            op: "ban",
            act: "honest",
            summary: "alice bans the invitee",
            event: "$b1",
          },
          {
            index: 4,
            actor: "adversary",
            op: "reinsert_join",
            act: "inserted",
            summary: "the server re-inserts the old join",
            event: "$j1'",
          },
          {
            index: 5,
            actor: "adversary",
            op: "withhold",
            act: "withheld",
            summary: "the ban is kept from bob's server",
            event: "$b1",
          },
          { index: 6, actor: "@alice:a.example", op: "send", act: "honest", summary: "alice sends a message" },
        ],
        events: [
          {
            id: "$c",
            type: "m.room.create",
            sender: "@alice:a.example",
            state_key: "",
            membership: null,
            parents: [],
            act: "honest",
          },
          {
            id: "$i1",
            type: "m.room.member",
            sender: "@alice:a.example",
            state_key: HOSTILE_USER,
            membership: "invite",
            parents: ["$c"],
            act: "honest",
          },
          {
            id: "$j1",
            type: "m.room.member",
            sender: HOSTILE_USER,
            state_key: HOSTILE_USER,
            membership: "join",
            parents: ["$i1"],
            act: "honest",
          },
          {
            id: "$b1",
            type: "m.room.member",
            sender: "@alice:a.example",
            state_key: HOSTILE_USER,
            membership: "ban",
            parents: ["$j1"],
            act: "withheld",
          },
          {
            id: "$j1'",
            type: "m.room.member",
            sender: HOSTILE_USER,
            state_key: HOSTILE_USER,
            membership: "join",
            parents: ["$i1"],
            act: "inserted",
          },
        ],
      },
      {
        id: "w-dag-T3",
        threat: "T3",
        model: "state-dag",
        file: "reports/out/witnesses/T3 state-dag's run.json",
        verdict: "detected: bob's client alarmed on a missing event",
        seed: "0x2a",
        steps: [
          {
            index: 1,
            actor: "@alice:a.example",
            op: "create_room",
            act: "honest",
            summary: "alice creates the room",
            event: "$c",
          },
          {
            index: 2,
            actor: "@alice:a.example",
            op: "invite",
            act: "honest",
            summary: "alice invites mallory",
            event: "$im",
          },
          {
            index: 3,
            actor: "@mallory:evil.example",
            op: "join",
            act: "honest",
            summary: "mallory joins",
            event: "$jm",
          },
          {
            index: 4,
            actor: "@alice:a.example",
            op: "ban",
            act: "honest",
            summary: "alice bans mallory",
            event: "$bm",
          },
          {
            index: 5,
            actor: "adversary",
            op: "forge_invite",
            act: "forged",
            summary: `mallory's backdated invite of ${HOSTILE_USER}`,
            event: "$fi",
          },
          {
            index: 6,
            actor: "adversary",
            op: "replay",
            act: "replayed",
            summary: "mallory's old join is sent again",
            event: "$jm-copy",
          },
          {
            index: 7,
            actor: "adversary",
            op: "silence",
            act: "silenced",
            summary: "bob's alarm is dropped",
            event: "$alarm",
          },
          {
            index: 8,
            actor: "adversary",
            op: "split",
            act: "split",
            summary: "the forged invite goes to carol's server only",
            event: "$sp",
          },
          { index: 9, actor: "@bob:b.example", op: "send", act: "honest", summary: "bob sends", ok: false },
        ],
        events: [
          {
            id: "$c",
            type: "m.room.create",
            sender: "@alice:a.example",
            state_key: "",
            membership: null,
            parents: [],
            act: "honest",
            room: "!r1:a.example",
          },
          {
            id: "$im",
            type: "m.room.member",
            sender: "@alice:a.example",
            state_key: "@mallory:evil.example",
            membership: "invite",
            parents: ["$c"],
            auth: ["$c"],
            act: "honest",
            room: "!r1:a.example",
          },
          {
            id: "$jm",
            type: "m.room.member",
            sender: "@mallory:evil.example",
            state_key: "@mallory:evil.example",
            membership: "join",
            parents: ["$im"],
            auth: ["$c", "$im"],
            act: "honest",
            room: "!r1:a.example",
          },
          {
            id: "$bm",
            type: "m.room.member",
            sender: "@alice:a.example",
            state_key: "@mallory:evil.example",
            membership: "ban",
            parents: ["$jm"],
            auth: ["$c", "$jm"],
            act: "honest",
            room: "!r1:a.example",
          },
          {
            id: "$fi",
            type: "m.room.member",
            sender: "@mallory:evil.example",
            state_key: HOSTILE_USER,
            membership: "invite",
            parents: ["$im", "$unseen<x>"],
            act: "forged",
            room: "!r1:a.example",
          },
          {
            id: "$jm-copy",
            type: "m.room.member",
            sender: "@mallory:evil.example",
            state_key: "@mallory:evil.example",
            membership: "join",
            parents: ["$im"],
            replays: "$jm",
            act: "replayed",
            room: "!r1:a.example",
          },
          {
            id: "$alarm",
            type: HOSTILE_LABEL,
            sender: "@bob:b.example",
            state_key: null,
            membership: null,
            parents: ["$bm"],
            act: "silenced",
            room: "!r1:a.example",
          },
          {
            id: "$sp",
            type: "m.room.member",
            sender: HOSTILE_USER,
            state_key: HOSTILE_USER,
            membership: "join",
            parents: ["$fi"],
            act: "split",
            room: "!r1:a.example",
          },
          {
            id: "$c2",
            type: "m.room.create",
            sender: "@bob:b.example",
            state_key: "",
            membership: null,
            parents: [],
            act: "honest",
            room: `!${HOSTILE_LABEL}`,
          },
          {
            id: "$j2",
            type: "m.room.member",
            sender: "@bob:b.example",
            state_key: "@bob:b.example",
            membership: "join",
            parents: ["$c2"],
            act: "honest",
            room: `!${HOSTILE_LABEL}`,
          },
        ],
      },
      {
        id: "w-baseline-T2",
        threat: "T2",
        model: "baseline",
        file: "reports/out/witnesses/T2-baseline.json",
        verdict: "undetected breach: the re-inserted device read every message",
        steps: [
          {
            index: 0,
            actor: "@alice:a.example",
            op: "create_room",
            act: "honest",
            summary: "alice creates the room",
            event: "$c",
          },
          {
            index: 1,
            actor: "adversary",
            op: "forge_join",
            act: "forged",
            summary: "the server adds a join for eve",
            event: "$fj",
          },
        ],
        events: [
          {
            id: "$c",
            type: "m.room.create",
            sender: "@alice:a.example",
            state_key: "",
            membership: null,
            parents: [],
            act: "honest",
          },
          {
            id: "$fj",
            type: "m.room.member",
            sender: "@eve:evil.example",
            state_key: "@eve:evil.example",
            membership: "join",
            parents: ["$c"],
            act: "forged",
          },
        ],
      },
    ],
    bench: [100, 1000, 10000].flatMap((members, i) => [
      { series: "membership-tree verify", members, ms: 2.1 * (i + 1) ** 2, peak_mb: 40 + 8 * i },
      { series: "membership-tree incremental", members, ms: 0.2 * (i + 1), peak_mb: 38 + 2 * i },
      { series: "state-dag resolve", members, ms: 5.5 * 3 ** i },
    ]),
    progress: [
      {
        threat: "T2",
        model: "membership-tree",
        points: [
          { runs: 0, undetected: 0 },
          { runs: 50, undetected: 4 },
          { runs: 200, undetected: 15 },
          { runs: 500, undetected: 37 },
        ],
      },
      {
        threat: "T3",
        model: "state-dag",
        points: [
          { runs: 0, undetected: 0 },
          { runs: 500, undetected: 0 },
        ],
      },
      {
        threat: "T10",
        model: "state-dag",
        points: [
          { runs: 0, undetected: 0 },
          { runs: 120, undetected: 1 },
          { runs: 500, undetected: 2 },
        ],
      },
      {
        threat: "T2",
        model: "baseline",
        points: [
          { runs: 0, undetected: 0 },
          { runs: 1, undetected: 1 },
          { runs: 200, undetected: 200 },
        ],
      },
    ],
  };
}
