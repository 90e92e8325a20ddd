import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fcParams } from "../../test-support/fast-check.ts";
import {
  ACT_ORDER,
  ACTS,
  escapeMermaidLabel,
  legendMarkdown,
  legendMermaid,
  LINES,
  mermaidBlock,
  witnessMermaid,
  type Act,
  type WitnessEvent,
} from "./mermaid-graph.ts";
import { HOSTILE_LABEL, HOSTILE_USER } from "./sample.ts";

const ev = (id: string, act: Act, parents: string[], extra: Partial<WitnessEvent> = {}): WitnessEvent => ({
  id,
  type: "m.room.member",
  sender: "@alice:a",
  state_key: "@bob:b",
  membership: "join",
  parents,
  act,
  ...extra,
});

/** The graph's lines, parsed back: node declarations (id, shape opening, label) and edges. */
function parse(text: string) {
  const nodes = new Map<string, { open: string; label: string }>();
  const edges: { from: string; arrow: string; to: string }[] = [];
  const classes = new Map<string, string>();
  const lines = text.split("\n");
  expect(lines[0]).toMatch(/^flowchart (BT|TB|LR|RL)$/);
  for (const line of lines.slice(1)) {
    let m = /^ {2}([nm]\d+)(\(\(|\{\{|\[\/|\[\[|\(|>|\{)"([^"]*)"(\)\)|\}\}|\/\]|\\\]|\]\]|\)|\]|\})$/.exec(line);
    if (m) {
      nodes.set(m[1]!, { open: m[2]!, label: m[3]! });
      continue;
    }
    m = /^ {2}([nm]\d+) (==>|-\.->|-->|-\. replays \.->|-- ends -->) ([nm]\d+)$/.exec(line);
    if (m) {
      edges.push({ from: m[1]!, arrow: m[2]!, to: m[3]! });
      continue;
    }
    m = /^ {2}class ([nm0-9,]+) (act_\w+);$/.exec(line);
    if (m) {
      for (const id of m[1]!.split(",")) classes.set(id, m[2]!);
      continue;
    }
    if (/^ {2}classDef act_\w+ [a-z0-9:#,. -]+;$/.test(line)) continue;
    throw new Error(`unexpected line: ${line}`);
  }
  return { nodes, edges, classes };
}

describe("witnessMermaid", () => {
  const events = [
    ev("$c", "honest", [], { type: "m.room.create", membership: null }),
    ev("$i", "honest", ["$c"]),
    ev("$ban", "withheld", ["$i"], { membership: "ban" }),
    ev("$f", "forged", ["$i", "$gone"]),
    ev("$r", "replayed", ["$c"], { replays: "$i" }),
    ev("$ins", "inserted", ["$c"]),
    ev("$s", "silenced", ["$ban"]),
    ev("$sp", "split", ["$f"], { auth: ["$c"] }),
  ];

  it("draws every event once, each act with its own shape and class", () => {
    const g = parse(witnessMermaid(events));
    expect(g.nodes.size).toBe(events.length + 1); // + the "not seen" $gone
    events.forEach((e, i) => {
      expect(g.nodes.get(`n${i}`)?.open).toBe(ACTS[e.act].open);
      expect(g.classes.get(`n${i}`)).toBe(`act_${e.act}`);
    });
    expect(g.classes.get("m0")).toBe("act_notseen");
    const shapes = new Set(ACT_ORDER.map((a) => ACTS[a].open + ACTS[a].close));
    expect(shapes.size).toBe(ACT_ORDER.length);
  });

  it("gives every reference an edge: nothing that rests on something floats", () => {
    const g = parse(witnessMermaid(events));
    events.forEach((e, i) => {
      const out = g.edges.filter((x) => x.from === `n${i}`);
      expect(out.length, e.id).toBe(e.parents.length + (e.auth?.length ?? 0) + (e.replays ? 1 : 0));
    });
    // The forged event's references are dotted; a signed one's thick; the replay is labelled.
    expect(g.edges.filter((x) => x.from === "n3").map((x) => x.arrow)).toEqual(["-.->", "-.->"]);
    expect(g.edges.find((x) => x.from === "n3" && x.to === "m0")).toBeDefined();
    expect(g.edges.filter((x) => x.from === "n2").map((x) => x.arrow)).toEqual(["==>"]);
    expect(g.edges.filter((x) => x.from === "n4").map((x) => x.arrow)).toEqual(["==>", "-. replays .->"]);
    expect(g.edges.filter((x) => x.from === "n7").map((x) => x.arrow)).toEqual(["==>", "-->"]);
  });

  it("labels name the act in words, so a graph without colour still shows the attack", () => {
    const g = parse(witnessMermaid(events, { classDefs: false }));
    expect(g.classes.size).toBe(0);
    expect(g.nodes.get("n3")?.label).toBe("forged · alice: join bob");
    expect(g.nodes.get("n2")?.label).toBe("withheld · alice: ban bob");
    expect(g.nodes.get("n0")?.label).toBe("alice: create");
  });

  it("numbers events by their step in the timeline, when given", () => {
    const g = parse(witnessMermaid(events, { steps: new Map([["$f", 5]]) }));
    expect(g.nodes.get("n3")?.label).toBe("#35;5 forged · alice: join bob");
    expect(g.nodes.get("n2")?.label).toBe("withheld · alice: ban bob");
  });

  it("keeps hostile text inside the label: no quote, bracket or angle bracket survives", () => {
    const text = witnessMermaid([
      ev(HOSTILE_USER, "forged", [HOSTILE_LABEL], { sender: HOSTILE_USER, type: HOSTILE_LABEL }),
    ]);
    const g = parse(text);
    for (const n of g.nodes.values()) expect(n.label).not.toMatch(/[<>"[\]{}()|`\n]/);
    expect(escapeMermaidLabel(`a"b<c\n`)).toBe("a#34;b#60;c ");
    expect(escapeMermaidLabel("🚧 é")).toBe("🚧 é");
    expect(escapeMermaidLabel("a\u202Eb")).toBe("a\uFFFDb");
  });

  it("parses back, for any events with any text (property)", () => {
    const act = fc.constantFrom(...ACT_ORDER);
    const text = fc.string({ unit: "grapheme", maxLength: 12 });
    const events = fc.array(
      fc.record({
        id: text,
        type: text,
        sender: text,
        state_key: fc.option(text),
        membership: fc.option(text),
        parents: fc.array(text, { maxLength: 3 }),
        act,
        replays: fc.option(text),
      }),
      { maxLength: 12 },
    );
    fc.assert(
      fc.property(events, (es) => {
        const g = parse(witnessMermaid(es));
        const distinct = new Set(es.map((e) => e.id)).size;
        expect([...g.nodes.keys()].filter((k) => k.startsWith("n")).length).toBe(distinct);
        for (const n of g.nodes.values()) expect(n.label).not.toMatch(/["\n]/);
      }),
      fcParams(200),
    );
  });

  it("the legend draws every act and every line style", () => {
    const legend = legendMermaid();
    for (const a of ACT_ORDER) expect(legend).toContain(`${ACTS[a].open}"${a}"${ACTS[a].close}`);
    for (const arrow of ["==>", "-.->", "-->", "-. replays .->"]) expect(legend).toContain(` ${arrow} `);
  });

  it("the markdown legend names every act and line once", () => {
    const md = legendMarkdown();
    for (const a of [...ACT_ORDER, "not seen"])
      expect(md.match(new RegExp(`^- \\*\\*${a}\\*\\*:`, "gm"))?.length, a).toBe(1);
    expect(md.match(/ arrow: /g)?.length).toBe(Object.keys(LINES).length);
    expect(mermaidBlock("flowchart BT")).toBe("```mermaid\nflowchart BT\n```");
  });
});
