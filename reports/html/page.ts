/**
 * The threat-model report as one self-contained HTML page: the proposal's table (claims against
 * measurements) first, the legend once, the full catalogue, the search's progress and the bench,
 * then every witness with its timeline, its event graph and its replay command.
 *
 * Pure: `HtmlReport` and the library bundles in, one HTML string out. Every string that comes
 * from data is escaped here (user IDs are attacker-controlled); charts are Vega-Lite specs and
 * graphs are mermaid text, both handed to the page as JSON and drawn in the browser by the
 * inlined libraries.
 */
import type { InlineScript } from "./assets.ts";
import { ACT_ORDER, ACTS, LINES, NOT_SEEN, legendMermaid, witnessMermaid, type Act } from "./mermaid-graph.ts";
import type { CellCounts, HtmlCell, HtmlReport, HtmlWitness, Mark } from "./types.ts";

/** Text and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON inside `<script type="application/json">`: no `<` can close the element. */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, "\\u003c")
    .replace(/>/g, "\\u003e")
    .replace(/&/g, "\\u0026")
    .replace(/\u2028/g, "\\u2028")
    .replace(/\u2029/g, "\\u2029");
}

/** An element ID for any string, injective: `[A-Za-z0-9-]` kept, everything else `_hex_`. */
export function anchorId(prefix: string, key: string): string {
  let out = "";
  for (const ch of key) out += /[A-Za-z0-9-]/.test(ch) ? ch : `_${(ch.codePointAt(0) ?? 0).toString(16)}_`;
  return `${prefix}-${out}`;
}

export const witnessAnchor = (id: string): string => anchorId("witness", id);

const natural = new Intl.Collator("en", { numeric: true, sensitivity: "base" }).compare;

const MARK_CLASS: Record<Mark, string> = { "✅": "ok", "🚧": "partial", "❌": "breach" };

/**
 * Policy: a mark is drawn as a glyph and a word from fonts every system has, not as the emoji:
 * a browser without an emoji font (a headless CI box, many Linux desktops) shows emoji as boxes.
 * The emoji stays in the tooltip, to match the proposal's table.
 */
const MARK_SHOWN: Record<Mark, { glyph: string; word: string }> = {
  "✅": { glyph: "✓", word: "protected" },
  "🚧": { glyph: "◐", word: "partial" },
  "❌": { glyph: "✗", word: "breached" },
};

const COUNT_WORDS: Record<keyof CellCounts, { short: string; long: string }> = {
  budget: { short: "N", long: "runs the search was allowed (budget)" },
  breaches: { short: "B", long: "runs with a breach, detected or not" },
  undetected: { short: "U", long: "breaches no honest client alarmed on" },
  detected: { short: "D", long: "runs in which an honest client raised an alarm traced to the adversary" },
  falseRejections: { short: "FR", long: "honest events an honest verifier rejected" },
  falseAlarms: { short: "FA", long: "alarms in runs where nothing adversarial reached the alarmed client" },
  readByAttacker: { short: "R", long: "messages read by a device that was not a legitimate member's" },
};

const COUNT_ORDER: (keyof CellCounts)[] = [
  "budget",
  "breaches",
  "undetected",
  "detected",
  "falseRejections",
  "falseAlarms",
  "readByAttacker",
];

/** Checks the input where it enters: every reference resolves, nothing is duplicated. */
export function checkReport(r: HtmlReport): void {
  const threats = new Set(r.threats.map((t) => t.id));
  const models = new Set(r.models.map((m) => m.id));
  const witnesses = new Set<string>();
  if (threats.size !== r.threats.length) throw new Error("html report: duplicate threat id");
  if (models.size !== r.models.length) throw new Error("html report: duplicate model id");
  for (const w of r.witnesses) {
    if (witnesses.has(w.id)) throw new Error(`html report: duplicate witness ${JSON.stringify(w.id)}`);
    witnesses.add(w.id);
    for (const x of [...w.steps, ...w.events]) {
      if (!(x.act in ACTS)) throw new Error(`html report: witness ${JSON.stringify(w.id)} has an unknown act`);
    }
    if (!threats.has(w.threat) || !models.has(w.model))
      throw new Error(`html report: witness ${JSON.stringify(w.id)} names an unknown threat or model`);
  }
  const cells = new Set<string>();
  for (const c of r.cells) {
    const key = JSON.stringify([c.threat, c.model]);
    if (cells.has(key)) throw new Error(`html report: duplicate cell ${key}`);
    cells.add(key);
    if (!threats.has(c.threat) || !models.has(c.model))
      throw new Error(`html report: cell ${key} names an unknown threat or model`);
    if (c.mark !== null && !(c.mark in MARK_CLASS))
      throw new Error(`html report: cell ${key} has an unknown mark ${JSON.stringify(c.mark)}`);
    for (const [k, v] of Object.entries(c.counts)) {
      if (v !== undefined && !(Number.isInteger(v) && v >= 0))
        throw new Error(`html report: cell ${key} has a bad count ${k}=${JSON.stringify(v)}`);
    }
    if (c.witness !== null && !witnesses.has(c.witness))
      throw new Error(`html report: cell ${key} links to missing witness ${JSON.stringify(c.witness)}`);
  }
  for (const m of r.proposal.models)
    if (!models.has(m)) throw new Error(`html report: proposal column ${JSON.stringify(m)} is not a model`);
  for (const row of r.proposal.rows) {
    if (!threats.has(row.threat))
      throw new Error(`html report: proposal row ${JSON.stringify(row.threat)} is not a threat`);
    for (const m of Object.values(row.claims)) {
      if (m !== undefined && !(m in MARK_CLASS))
        throw new Error(`html report: proposal row ${JSON.stringify(row.threat)} claims an unknown mark`);
    }
  }
}

function markBadge(mark: Mark | null, extra = ""): string {
  if (mark === null) return `<span class="mark none${extra}" title="not measured">— n/a</span>`;
  const { glyph, word } = MARK_SHOWN[mark];
  return `<span class="mark ${MARK_CLASS[mark]}${extra}" title="${mark}">${glyph} ${word}</span>`;
}

function countsLine(c: CellCounts): string {
  const parts: string[] = [];
  for (const k of COUNT_ORDER) {
    const v = c[k];
    if (v === undefined) continue;
    const zero = v === 0 && k !== "budget" ? " zero" : "";
    parts.push(
      `<span class="n${zero}" title="${escapeHtml(COUNT_WORDS[k].long)}">${COUNT_WORDS[k].short}&nbsp;${v}</span>`,
    );
  }
  return `<span class="counts">${parts.join(" ")}</span>`;
}

function witnessLink(cell: HtmlCell, witnesses: Map<string, HtmlWitness>): string {
  if (cell.witness === null) return "";
  const w = witnesses.get(cell.witness) as HtmlWitness;
  const href = `#${witnessAnchor(w.id)}`;
  return `<a class="wlink" href="${href}" title="${escapeHtml(w.verdict)}">witness ${escapeHtml(w.id)}</a>`;
}

function cellHtml(cell: HtmlCell | undefined, witnesses: Map<string, HtmlWitness>, claimed?: Mark): string {
  const claim =
    claimed === undefined
      ? ""
      : `<span class="claim" title="the proposal claims">claimed ${markBadge(claimed, " small")}</span>`;
  if (!cell) return `<td class="cell none">${claim}${markBadge(null)}</td>`;
  const cls = cell.mark === null ? "none" : MARK_CLASS[cell.mark];
  const differs = claimed !== undefined && cell.mark !== null && claimed !== cell.mark ? " differs" : "";
  const note = cell.note ? `<div class="note">${escapeHtml(cell.note)}</div>` : "";
  return (
    `<td class="cell ${cls}${differs}">${claim}<span class="measured">${markBadge(cell.mark)}</span>` +
    `${countsLine(cell.counts)}${witnessLink(cell, witnesses)}${note}</td>`
  );
}

function proposalTable(
  r: HtmlReport,
  cellOf: (t: string, m: string) => HtmlCell | undefined,
  witnesses: Map<string, HtmlWitness>,
): string {
  const title = new Map(r.threats.map((t) => [t.id, t.title]));
  const modelTitle = new Map(r.models.map((m) => [m.id, m.title]));
  const rows = [...r.proposal.rows].sort((a, b) => natural(a.threat, b.threat));
  const head = r.proposal.models.map((m) => `<th>${escapeHtml(modelTitle.get(m) ?? m)}</th>`).join("");
  const body = rows
    .map((row) => {
      const cells = r.proposal.models.map((m) => cellHtml(cellOf(row.threat, m), witnesses, row.claims[m])).join("");
      const note = row.note ? `<div class="note">${escapeHtml(row.note)}</div>` : "";
      const name = `<b>${escapeHtml(row.threat)}</b> ${escapeHtml(title.get(row.threat) ?? "")}`;
      return `<tr><th class="threat">${name}${note}</th>${cells}</tr>`;
    })
    .join("\n");
  let claims = 0;
  let agree = 0;
  let unmeasured = 0;
  for (const row of rows) {
    for (const m of r.proposal.models) {
      const claimed = row.claims[m];
      if (claimed === undefined) continue;
      claims++;
      const measured = cellOf(row.threat, m)?.mark ?? null;
      if (measured === null) unmeasured++;
      else if (measured === claimed) agree++;
    }
  }
  const summary =
    `<p class="summary">Of the proposal's ${claims} claims, ${agree} match the measurement and ` +
    `${claims - agree - unmeasured} differ (outlined)${unmeasured ? `; ${unmeasured} not measured` : ""}.</p>`;
  const table = `<table class="grid proposal"><thead><tr><th>Threat</th>${head}</tr></thead>`;
  return `${table}<tbody>\n${body}\n</tbody></table>${summary}`;
}

function catalogueTable(
  r: HtmlReport,
  cellOf: (t: string, m: string) => HtmlCell | undefined,
  witnesses: Map<string, HtmlWitness>,
): string {
  const threats = [...r.threats].sort((a, b) => natural(a.id, b.id));
  const head = r.models.map((m) => `<th>${escapeHtml(m.title)}</th>`).join("");
  const body = threats
    .map((t) => {
      const cells = r.models.map((m) => cellHtml(cellOf(t.id, m.id), witnesses)).join("");
      return `<tr><th class="threat"><b>${escapeHtml(t.id)}</b> ${escapeHtml(t.title)}</th>${cells}</tr>`;
    })
    .join("\n");
  const table = `<table class="grid catalogue"><thead><tr><th>Threat</th>${head}</tr></thead>`;
  return `${table}<tbody>\n${body}\n</tbody></table>`;
}

function legend(r: HtmlReport, legendGraph: string): string {
  const marks =
    (Object.keys(MARK_CLASS) as Mark[]).map((m) => `<li>${markBadge(m)} ${escapeHtml(r.marks[m])}</li>`).join("") +
    `<li>${markBadge(null)} not measured (the threat does not apply, or no run)</li>`;
  const counts = COUNT_ORDER.map(
    (k) => `<li><b>${COUNT_WORDS[k].short}</b> ${escapeHtml(r.counts?.[k] ?? COUNT_WORDS[k].long)}</li>`,
  ).join("");
  const acts = [...ACT_ORDER.map((a) => [a, ACTS[a]] as const), ["not seen", NOT_SEEN] as const]
    .map(
      ([a, s]) =>
        `<li><span class="swatch" style="background:${s.fill};border-color:${s.stroke};` +
        `border-style:${s.dashed ? "dashed" : "solid"}"></span>` +
        `<b>${escapeHtml(a)}</b>: ${escapeHtml(s.shapeName)}, ${escapeHtml(s.colour)}; ` +
        `${escapeHtml(s.meaning)}</li>`,
    )
    .join("");
  const lines = Object.values(LINES)
    .map((l) => `<li><b>${escapeHtml(l.name)}</b> arrow: ${escapeHtml(l.meaning)}</li>`)
    .join("");
  return `<section id="legend" class="legend"><h2>Legend</h2><div class="legend-cols">
<div><h3>Marks (cell colour)</h3><ul>${marks}</ul>
<p class="small">In the proposal's table, <i>claimed</i> is the proposal's mark;
a cell with a thick outline is one where the measurement differs from the claim.</p>
<h3>Counts in a cell</h3><ul>${counts}</ul>
<p class="small">A zero is greyed. <i>witness</i> links to the run that shows the cell's worst case.</p></div>
<div><h3>Event graphs: node shape and colour</h3><ul>${acts}</ul>
<h3>Arrows</h3><ul>${lines}</ul>
<p class="small">Arrows point from an event to what it rests on; the room's creation is at the top.
Timeline rows take the colour of their act.</p></div>
</div><h3>The same, drawn</h3><div class="graph legend-graph" id="${legendGraph}"></div></section>`;
}

function timeline(w: HtmlWitness): string {
  const steps = [...w.steps].sort((a, b) => a.index - b.index);
  const rows = steps
    .map((s) => {
      const style = s.act === "honest" ? "" : ` style="background:${ACTS[s.act].fill}"`;
      const badge = s.act === "honest" ? "" : `<span class="act">${escapeHtml(s.act)}</span>`;
      const refused = s.ok === false ? ` <span class="refused">refused</span>` : "";
      return (
        `<tr class="step ${s.act}"${style}><td>${s.index}</td><td>${badge}</td><td>${escapeHtml(s.actor)}</td>` +
        `<td><code>${escapeHtml(s.op)}</code></td><td>${escapeHtml(s.summary)}${refused}</td></tr>`
      );
    })
    .join("\n");
  const head = "<thead><tr><th>#</th><th>act</th><th>actor</th><th>op</th><th>what</th></tr></thead>";
  return `<table class="timeline">${head}<tbody>\n${rows}\n</tbody></table>`;
}

/** The npm command that replays a witness under its model (a search's witness expects only that one); the file name is shell-quoted. */
export function replayCommand(file: string, model?: string): string {
  const quoted = /^[A-Za-z0-9_./-]+$/.test(file) ? file : `'${file.replace(/'/g, "'\\''")}'`;
  return `npm run scenarios -- ${quoted}${model ? ` --model ${model}` : ""}`;
}

interface GraphJob {
  id: string;
  text: string;
}
interface ChartJob {
  id: string;
  spec: unknown;
}

function witnessSection(w: HtmlWitness, index: number, r: HtmlReport, graphs: GraphJob[]): string {
  const steps = new Map<string, number>();
  for (const s of [...w.steps].sort((a, b) => a.index - b.index)) {
    if (s.event !== undefined && !steps.has(s.event)) steps.set(s.event, s.index);
  }
  const rooms = new Map<string, typeof w.events>();
  for (const e of w.events) rooms.set(e.room ?? "", [...(rooms.get(e.room ?? "") ?? []), e]);
  const drawn = [...rooms]
    .map(([room, events], i) => {
      const id = `graph-w${index}-${i}`;
      graphs.push({ id, text: witnessMermaid(events, { steps }) });
      const caption = room ? `<div class="small">room <code>${escapeHtml(room)}</code></div>` : "";
      return `<div class="graph-wrap">${caption}<div class="graph" id="${id}"></div></div>`;
    })
    .join("");
  const threat = r.threats.find((t) => t.id === w.threat)?.title ?? "";
  const model = r.models.find((m) => m.id === w.model)?.title ?? w.model;
  const adversarial = w.steps.filter((s) => s.act !== "honest").length;
  const seed = w.seed === undefined ? "" : ` · seed <code>${escapeHtml(String(w.seed))}</code>`;
  return `<section class="witness" id="${witnessAnchor(w.id)}">
<h3>Witness ${escapeHtml(w.id)}: <b>${escapeHtml(w.threat)}</b> ${escapeHtml(threat)} · ${escapeHtml(model)}</h3>
<p class="verdict">${escapeHtml(w.verdict)} · ${w.steps.length} steps, ${adversarial} adversarial${seed}</p>
<p>Replay: <code class="replay">${escapeHtml(replayCommand(w.file, w.model))}</code> ·
<a href="#catalogue">back to the catalogue</a></p>
<div class="witness-body"><div>${timeline(w)}</div><div>${drawn || '<p class="small">No events.</p>'}</div></div>
</section>`;
}

/** Vega-Lite: undetected breaches found against runs spent, one line per threat, one panel per model. */
export function progressSpec(r: HtmlReport): unknown {
  const modelTitle = new Map(r.models.map((m) => [m.id, m.title]));
  const values = r.progress.flatMap((s) =>
    s.points.map((p) => ({
      threat: s.threat,
      model: modelTitle.get(s.model) ?? s.model,
      runs: p.runs,
      undetected: p.undetected,
    })),
  );
  const threats = [...new Set(values.map((v) => v.threat))].sort(natural);
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    data: { values },
    mark: { type: "line", interpolate: "step-after", point: true },
    encoding: {
      x: { field: "runs", type: "quantitative", title: "runs spent (budget)" },
      y: { field: "undetected", type: "quantitative", title: "undetected breaches found" },
      color: { field: "threat", type: "nominal", sort: threats, title: "threat", scale: { scheme: "tableau20" } },
      facet: { field: "model", type: "nominal", title: null, sort: r.models.map((m) => m.title), columns: 4 },
      tooltip: [{ field: "threat" }, { field: "model" }, { field: "runs" }, { field: "undetected" }],
    },
    // Policy: each model's panel has its own y scale: a baseline that breaches every run would
    // otherwise flatten the lines of the models that breach rarely.
    resolve: { scale: { y: "independent" } },
    width: 220,
    height: 160,
  };
}

/** Vega-Lite: verification cost (and peak memory, when measured) against members. */
export function benchSpec(r: HtmlReport): unknown {
  const values = r.bench.map((p) => ({ ...p }));
  const members = values.map((v) => v.members);
  const logX = members.length > 0 && Math.min(...members) > 0 && Math.max(...members) / Math.min(...members) >= 20;
  const x = { field: "members", type: "quantitative", title: "members", scale: { type: logX ? "log" : "linear" } };
  const color = { field: "series", type: "nominal", title: "measured" };
  const panel = (field: string, title: string) => ({
    transform: [{ filter: `isValid(datum.${field})` }],
    mark: { type: "line", point: true },
    encoding: {
      x,
      y: { field, type: "quantitative", title },
      color,
      tooltip: [{ field: "series" }, { field: "members" }, { field }],
    },
    width: 320,
    height: 200,
  });
  const withMb = values.some((v) => v.peak_mb !== undefined);
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    data: { values },
    hconcat: withMb
      ? [panel("ms", "verification time (ms)"), panel("peak_mb", "peak memory (MB)")]
      : [panel("ms", "verification time (ms)")],
  };
}

const CSS = `
body{font:13px/1.35 system-ui,-apple-system,"Segoe UI",sans-serif;margin:16px 20px;color:#111;max-width:1500px}
h1{font-size:20px;margin:0 0 2px}
h2{font-size:16px;margin:18px 0 6px;border-bottom:1px solid #ccc}
h3{font-size:14px;margin:8px 0 4px}
.small,.prov{color:#555;font-size:12px}
code{font-size:12px;background:#f3f3f3;padding:0 3px;border-radius:3px}
table.grid{border-collapse:collapse;margin:4px 0}
table.grid th,table.grid td{border:1px solid #bbb;padding:3px 6px;vertical-align:top}
table.grid thead th{background:#eee;font-size:12px}
th.threat{text-align:left;font-weight:normal;min-width:190px;max-width:360px}
td.cell{min-width:130px}
td.cell.ok{background:#d6f5dc}
td.cell.partial{background:#fff0bf}
td.cell.breach{background:#ffd2d2}
td.cell.none{background:#f4f4f4;color:#888}
td.cell.differs{outline:3px solid #222;outline-offset:-3px}
.mark{font-weight:700;white-space:nowrap}
.mark.ok{color:#0a6b1f}
.mark.partial{color:#8a5a00}
.mark.breach{color:#b00020}
.mark.none{color:#888;font-weight:400}
.mark.small{font-size:11px}
.measured{margin-right:4px}
.claim{float:right;font-size:11px;color:#444;margin-left:6px}
.counts{display:block;font-size:11px;font-variant-numeric:tabular-nums}
.n{white-space:nowrap}
.n.zero{color:#999}
.wlink{font-size:11px}
.note{font-size:11px;color:#444;max-width:320px}
table.proposal td.cell{min-width:150px}
table.proposal .measured .mark{font-size:17px}
.legend-cols{display:grid;grid-template-columns:1fr 1fr;gap:16px}
.legend ul{margin:2px 0;padding-left:18px}
.legend li{margin:1px 0}
.legend-graph svg{max-height:170px}
.swatch{display:inline-block;width:14px;height:10px;border:2px solid;margin-right:4px;vertical-align:middle}
.charts{display:flex;flex-direction:column;gap:24px}
.witness{border-top:1px solid #ddd;padding-top:4px}
.witness-body{display:grid;grid-template-columns:minmax(360px,1fr) minmax(300px,1fr);gap:12px}
table.timeline{border-collapse:collapse;font-size:12px;width:100%}
table.timeline td,table.timeline th{border-bottom:1px solid #e3e3e3;padding:1px 4px;text-align:left}
.act{font-weight:bold;text-transform:uppercase;font-size:10px}
.refused{color:#a00;font-size:11px}
.verdict{font-weight:600;margin:2px 0}
.graph svg{max-width:100%;max-height:700px;height:auto}
.summary{margin:4px 0;font-weight:600}
.graph-wrap{margin-bottom:8px}
`;

/** The script that draws: mermaid graphs, then Vega-Lite charts; it marks the page when done. */
const DRAW = `
(async function () {
  var failed = 0;
  var why = function (e) { return e && e.message ? e.message : String(e); };
  try {
    var data = JSON.parse(document.getElementById("report-data").textContent);
    mermaid.initialize({
      startOnLoad: false, securityLevel: "strict", theme: "default", flowchart: { htmlLabels: false }
    });
    for (var i = 0; i < data.graphs.length; i++) {
      var g = data.graphs[i];
      try {
        var out = await mermaid.render("svg-" + g.id, g.text);
        document.getElementById(g.id).innerHTML = out.svg;
      } catch (e) { failed++; console.error("mermaid failed on " + g.id + ": " + why(e)); }
    }
    for (var j = 0; j < data.charts.length; j++) {
      var c = data.charts[j];
      try { await vegaEmbed("#" + c.id, c.spec, { actions: false, renderer: "svg" }); }
      catch (e) { failed++; console.error("vega-embed failed on " + c.id + ": " + why(e)); }
    }
  } catch (e) { failed++; console.error("the report's drawing script failed: " + why(e)); }
  // The browser test waits for this attribute; "failed" when anything did not draw.
  document.documentElement.setAttribute("data-rendered", failed ? "failed" : "ok");
})();
`;

function inlineScript(s: InlineScript): string {
  // A bundle holding "<script" or "</script" would end or confuse the element: refuse, loudly.
  if (/<\/?script/i.test(s.code))
    throw new Error(`html report: ${s.name}'s bundle contains a script tag; cannot inline it`);
  const about = `${escapeHtml(s.name)} ${escapeHtml(s.version)} (${escapeHtml(s.license)})`;
  return `<!-- ${about} -->\n<script>${s.code}</script>`;
}

/** The page. Throws on input whose references do not resolve (a cell naming a missing witness). */
export function htmlPage(r: HtmlReport, bundles: readonly InlineScript[]): string {
  checkReport(r);
  const cells = new Map(r.cells.map((c) => [JSON.stringify([c.threat, c.model]), c]));
  const cellOf = (t: string, m: string) => cells.get(JSON.stringify([t, m]));
  const witnesses = new Map(r.witnesses.map((w) => [w.id, w]));
  const graphs: GraphJob[] = [{ id: "graph-legend", text: legendMermaid() }];
  const charts: ChartJob[] = [];
  const sortedWitnesses = [...r.witnesses].sort(
    (a, b) => natural(a.threat, b.threat) || natural(a.model, b.model) || natural(a.id, b.id),
  );
  const witnessHtml = sortedWitnesses.map((w, i) => witnessSection(w, i, r, graphs)).join("\n");
  const chartBlock = (id: string, title: string, has: boolean, spec: () => unknown, missing = "No data."): string => {
    if (!has) return `<div><h3>${escapeHtml(title)}</h3><p class="small missing">${escapeHtml(missing)}</p></div>`;
    charts.push({ id, spec: spec() });
    return `<div><h3>${escapeHtml(title)}</h3><div class="chart" id="${id}"></div></div>`;
  };
  const progress = chartBlock(
    "chart-progress",
    "Search progress: undetected breaches found against runs",
    r.progress.length > 0,
    () => progressSpec(r),
  );
  const bench = chartBlock(
    "chart-bench",
    "Verification cost against members",
    r.bench.length > 0,
    () => benchSpec(r),
    r.benchMissing ?? "No bench data: run npm run bench.",
  );
  const libs = bundles
    .map((b) => `${escapeHtml(b.name)} ${escapeHtml(b.version)} (${escapeHtml(b.license)})`)
    .join(", ");
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(r.title)}</title>
<style>${CSS}</style>
</head><body>
<h1>${escapeHtml(r.title)}</h1>
<div class="prov">version ${escapeHtml(r.version)} · ${escapeHtml(r.provenance)} · drawn with ${libs}</div>
<h2 id="proposal">The proposal's table: claimed against measured</h2>
${proposalTable(r, cellOf, witnesses)}
${legend(r, "graph-legend")}
<h2 id="catalogue">Full catalogue</h2>
${catalogueTable(r, cellOf, witnesses)}
<h2 id="charts">Search and cost</h2>
<div class="charts">${progress}${bench}</div>
<h2 id="witnesses">Witnesses</h2>
${witnessHtml || '<p class="small">No witnesses.</p>'}
<script type="application/json" id="report-data">${jsonForScript({ graphs, charts })}</script>
${bundles.map(inlineScript).join("\n")}
<script>${DRAW}</script>
</body></html>
`;
}

export type { Act };
