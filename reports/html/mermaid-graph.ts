/**
 * Mermaid event graphs of a witness run: the membership tree (MSC3917 §Membership Event Signature
 * Tree, each event points at its `parent_event_id`) or the state DAG (each event points at its
 * `prev_events` / prev_state). Every act of the adversary is a node of its own shape and class,
 * with edges to what it rests on; a reference to an event the run never showed becomes a
 * "not seen" node, so nothing that references something floats.
 *
 * Pure: typed events in, mermaid text out. Plain flowchart syntax only (no HTML labels, no click
 * handlers), so the same text renders in the HTML page and in GitHub's markdown.
 */

/** What the adversary did with an event. `honest`: nothing. */
export type Act = "honest" | "forged" | "inserted" | "withheld" | "replayed" | "silenced" | "split";

/** One event of a witness run, as the graph needs it. IDs and labels may be attacker-controlled. */
export interface WitnessEvent {
  id: string;
  type: string;
  sender: string;
  state_key: string | null;
  membership: string | null;
  /** What the event rests on: `parent_event_id` (tree) or `prev_events` / prev_state (DAG). */
  parents: readonly string[];
  /** `auth_events`, when the model has them; drawn thin. */
  auth?: readonly string[];
  /** For a replayed copy: the event it replays. */
  replays?: string | null;
  /** For a ban, kick or leave (which names no parent): the membership event it ends. */
  ends?: string | null;
  act: Act;
  /** The room, when a witness spans several; the page draws one graph per room. */
  room?: string;
}

/** One registry for everything about an act: its shape, its colour, and what the legend says. */
export interface ActStyle {
  /** Mermaid shape: opening and closing brackets around the quoted label. */
  open: string;
  close: string;
  shapeName: string;
  /** The colour in words, for the legend: "red", "grey, dashed border". */
  colour: string;
  fill: string;
  stroke: string;
  dashed: boolean;
  meaning: string;
}

export const ACTS: Readonly<Record<Act, ActStyle>> = {
  honest: {
    open: "(",
    close: ")",
    shapeName: "rounded box",
    colour: "white",
    fill: "#ffffff",
    stroke: "#555555",
    dashed: false,
    meaning: "sent by a member's client and delivered as sent",
  },
  forged: {
    open: "{{",
    close: "}}",
    shapeName: "hexagon",
    colour: "red",
    fill: "#ff8a8a",
    stroke: "#b00020",
    dashed: false,
    meaning: "made by the adversary and signed with no member's key, or with a stolen or colluder's key",
  },
  inserted: {
    open: "[/",
    close: "/]",
    shapeName: "parallelogram",
    colour: "orange",
    fill: "#ffb870",
    stroke: "#b35900",
    dashed: false,
    meaning: "an event the adversary added to the room's history (e.g. a re-inserted old member)",
  },
  withheld: {
    open: "[[",
    close: "]]",
    shapeName: "box with side bars",
    colour: "light grey, dashed border",
    fill: "#d9d9d9",
    stroke: "#444444",
    dashed: true,
    meaning: "an honest event the adversary kept back from some servers or clients",
  },
  replayed: {
    open: "[/",
    close: "\\]",
    shapeName: "trapezoid",
    colour: "purple",
    fill: "#d7b8ff",
    stroke: "#5b2a99",
    dashed: false,
    meaning: "a copy of an earlier genuine event, sent again",
  },
  silenced: {
    open: ">",
    close: "]",
    shapeName: "flag",
    colour: "dark grey, dashed border",
    fill: "#bcbcbc",
    stroke: "#222222",
    dashed: true,
    meaning: "a member's event (or alarm) the adversary suppressed",
  },
  split: {
    open: "{",
    close: "}",
    shapeName: "diamond",
    colour: "blue",
    fill: "#9cd0ff",
    stroke: "#0b5394",
    dashed: false,
    meaning: "an event shown to only one side of a partition (a fork of the room's view)",
  },
};

/** A referenced event the run never showed. */
export const NOT_SEEN: ActStyle = {
  open: "((",
  close: "))",
  shapeName: "circle",
  colour: "white, dashed grey border",
  fill: "#ffffff",
  stroke: "#999999",
  dashed: true,
  meaning: "an event that something references but that the run never delivered",
};

export const ACT_ORDER: readonly Act[] = ["honest", "forged", "inserted", "withheld", "replayed", "silenced", "split"];

/** Line styles, each with what the legend says. */
export const LINES = {
  signed: { arrow: "==>", name: "thick", meaning: "a reference inside an event a member signed" },
  adversary: { arrow: "-.->", name: "dotted", meaning: "a reference inside an event the adversary made" },
  auth: {
    arrow: "-->",
    name: "thin",
    meaning:
      "an auth_events reference: what an event that names no parent rests on by the room's rules alone (dotted when the adversary made it)",
  },
  replays: { arrow: "-. replays .->", name: 'dotted, labelled "replays"', meaning: "a replayed copy, to its original" },
  ends: {
    arrow: "-- ends -->",
    name: 'thin, labelled "ends"',
    meaning: "a ban, kick or leave (which names no parent), to the membership it ends",
  },
} as const;

const madeByAdversary = (act: Act): boolean => act === "forged" || act === "inserted";

/** Mermaid class name of an act (a prefix keeps it clear of mermaid's own keywords). */
export const classOf = (act: Act | "notseen"): string => `act_${act}`;

/**
 * A label inside mermaid's double quotes. Characters that could end the label, open a shape or a
 * markdown string, or read as HTML become entity codes (`#60;` for `<`), which mermaid decodes to
 * text: a user ID like `@"><script>` stays text. Other text, emoji included, is kept as it is.
 */
export function escapeMermaidLabel(text: string): string {
  let out = "";
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (/[\p{Cc}]/u.test(ch)) out += " ";
    // Policy: invisible format characters (bidi overrides, zero-width) could make one user ID
    // look like another; they are shown as U+FFFD rather than kept or silently dropped.
    else if (/[\p{Cf}]/u.test(ch)) out += "\uFFFD";
    else if (/["#&;<>[\]{}()|`\\*~^=%]/.test(ch)) out += `#${cp};`;
    else out += ch;
  }
  return out;
}

const short = (user: string): string => user.replace(/^@/, "").replace(/:.*$/, "");

/** `forged · mallory: invite eve`: the act in words too, for readers without colour. */
export function eventLabel(e: WitnessEvent): string {
  const what =
    e.type === "m.room.member"
      ? `${e.membership ?? "member"}${e.state_key && e.state_key !== e.sender ? ` ${short(e.state_key)}` : ""}`
      : e.type.replace(/^m\.room\./, "").replace(/^m\./, "");
  const text = `${short(e.sender)}: ${what}`;
  return e.act === "honest" ? text : `${e.act} · ${text}`;
}

export interface GraphOptions {
  /** Add `classDef` lines (colours). On by default; shapes alone still tell the acts apart. */
  classDefs?: boolean;
  /**
   * The timeline's step number of each event (the first step that made or touched it); a label
   * then starts with `#5`, so a reader can find the event's row in the run's timeline.
   */
  steps?: ReadonlyMap<string, number>;
  /** Mermaid direction; `BT` puts the room's creation at the top and arrows point to parents. */
  direction?: "BT" | "TB" | "LR" | "RL";
}

function classDefLines(acts: Iterable<Act | "notseen">): string[] {
  const lines: string[] = [];
  for (const act of acts) {
    const s = act === "notseen" ? NOT_SEEN : ACTS[act];
    const dash = s.dashed ? ",stroke-dasharray:5 3" : "";
    lines.push(`  classDef ${classOf(act)} fill:${s.fill},stroke:${s.stroke},stroke-width:2px,color:#000${dash};`);
  }
  return lines;
}

/**
 * The graph of `events`, in the order given. Duplicate IDs keep the first event (a replayed copy
 * should carry an ID of its own and `replays` naming the original). Iterative; no recursion.
 */
export function witnessMermaid(events: readonly WitnessEvent[], options: GraphOptions = {}): string {
  const ids = new Map<string, string>();
  const nodes: WitnessEvent[] = [];
  for (const e of events) {
    if (ids.has(e.id)) continue;
    ids.set(e.id, `n${ids.size}`);
    nodes.push(e);
  }
  const missing = new Map<string, string>();
  const ref = (target: string): string => {
    const known = ids.get(target);
    if (known) return known;
    let m = missing.get(target);
    if (!m) {
      m = `m${missing.size}`;
      missing.set(target, m);
    }
    return m;
  };
  const edges: string[] = [];
  for (const e of nodes) {
    const from = ids.get(e.id) as string;
    const line = madeByAdversary(e.act) ? LINES.adversary.arrow : LINES.signed.arrow;
    for (const p of e.parents) edges.push(`  ${from} ${line} ${ref(p)}`);
    for (const a of e.auth ?? [])
      edges.push(`  ${from} ${madeByAdversary(e.act) ? LINES.adversary.arrow : LINES.auth.arrow} ${ref(a)}`);
    if (e.replays) edges.push(`  ${from} ${LINES.replays.arrow} ${ref(e.replays)}`);
    if (e.ends) edges.push(`  ${from} ${LINES.ends.arrow} ${ref(e.ends)}`);
  }
  const lines = [`flowchart ${options.direction ?? "BT"}`];
  for (const e of nodes) {
    const s = ACTS[e.act];
    const step = options.steps?.get(e.id);
    const label = step === undefined ? eventLabel(e) : `#${step} ${eventLabel(e)}`;
    lines.push(`  ${ids.get(e.id)}${s.open}"${escapeMermaidLabel(label)}"${s.close}`);
  }
  for (const [target, m] of missing) {
    lines.push(`  ${m}${NOT_SEEN.open}"${escapeMermaidLabel(`not seen: ${target}`)}"${NOT_SEEN.close}`);
  }
  lines.push(...edges);
  const used = new Map<Act | "notseen", string[]>();
  for (const e of nodes) used.set(e.act, [...(used.get(e.act) ?? []), ids.get(e.id) as string]);
  if (missing.size) used.set("notseen", [...missing.values()]);
  if (options.classDefs ?? true) {
    lines.push(...classDefLines(used.keys()));
    for (const [act, members] of used) lines.push(`  class ${members.join(",")} ${classOf(act)};`);
  }
  return lines.join("\n");
}

/**
 * The legend as a graph: one node of each shape and one edge of each line style, drawn by the
 * same code as the witnesses, so the legend cannot disagree with them.
 */
export function legendMermaid(options: GraphOptions = {}): string {
  const lines = [`flowchart ${options.direction ?? "LR"}`];
  // Two rows: the shapes, chained by invisible links (`~~~`), then one edge of each line style.
  ACT_ORDER.forEach((act, i) => lines.push(`  a${i}${ACTS[act].open}"${escapeMermaidLabel(act)}"${ACTS[act].close}`));
  lines.push(`  nx${NOT_SEEN.open}"not seen"${NOT_SEEN.close}`);
  lines.push(`  ${[...ACT_ORDER.map((_, i) => `a${i}`), "nx"].join(" ~~~ ")}`);
  lines.push(`  s1("member's event") ${LINES.signed.arrow} s2("its parent")`);
  lines.push(`  s2 ~~~ f1{{"adversary's event"}} ${LINES.adversary.arrow} f2("what it rests on")`);
  lines.push(`  f2 ~~~ u1("DAG event") ${LINES.auth.arrow} u2("auth event")`);
  lines.push(`  u2 ~~~ r1[/"copy"\\] ${LINES.replays.arrow} r2("original")`);
  lines.push(`  r2 ~~~ b1("ban") ${LINES.ends.arrow} b2("the join it ends")`);
  if (options.classDefs ?? true) {
    lines.push(...classDefLines([...ACT_ORDER, "notseen"]));
    ACT_ORDER.forEach((act, i) => lines.push(`  class a${i} ${classOf(act)};`));
    lines.push(`  class nx ${classOf("notseen")};`);
    lines.push(`  class f1 ${classOf("forged")};`);
    lines.push(`  class r1 ${classOf("replayed")};`);
    lines.push(`  class s1,s2,f2,u1,u2,r2,b1,b2 ${classOf("honest")};`);
  }
  return lines.join("\n");
}

/** A mermaid graph as a fenced block for markdown (GitHub renders it). */
export const mermaidBlock = (graph: string): string => "```mermaid\n" + graph + "\n```";

/** The legend in markdown, once per report: every shape, colour and line style, from the registry. */
export function legendMarkdown(): string {
  const acts = [...ACT_ORDER.map((a) => [a, ACTS[a]] as const), ["not seen", NOT_SEEN] as const].map(
    ([a, st]) => `- **${a}**: ${st.shapeName}, ${st.colour}; ${st.meaning}.`,
  );
  const lines = Object.values(LINES).map((l) => `- **${l.name}** arrow: ${l.meaning}.`);
  return [
    "Event graphs: arrows point from an event to what it rests on; the room's creation is at the top.",
    "Every label also names its act, so the graph reads without colour.",
    "",
    ...acts,
    "",
    ...lines,
  ].join("\n");
}
