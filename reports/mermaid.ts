/**
 * Mermaid event graphs of a witness run, drawn as MSC3917 draws them: each membership event points
 * at the event it rests on (`parent_event_id`). A link inside content a member signed is thick
 * (`==>`); a link in an event the adversary made is dotted (`-.->`), and the event is red.
 * Pure: history in, text out.
 */
import type { Operation } from "../sim/world/history.ts";

interface Node {
  event: string;
  label: string;
  parent: string | null;
  forged: boolean;
}

const short = (user: string): string => user.replace(/^@/, "").replace(/:.*$/, "");

function label(type: string, membership: string | null, sender: string, stateKey: string | null): string {
  const what =
    type === "m.room.member"
      ? `${membership ?? "member"}${stateKey && stateKey !== sender ? ` ${short(stateKey)}` : ""}`
      : type.replace(/^m\.room\./, "").replace(/^m\./, "");
  return `${short(sender)}: ${what}`;
}

/** Mermaid labels go inside double quotes; these characters would end or break them. */
function escapeLabel(text: string): string {
  return text.replace(/[#"<>{}[\]|]/g, (c) => `#${c.charCodeAt(0)};`);
}

/** The graph of the membership events in `room` (the first room of the run if not given). */
export function witnessGraph(history: readonly Operation[], room?: string): string {
  const nodes = new Map<string, Node>();
  const inRoom = (r: unknown) => room === undefined || r === room;
  const target = room ?? history.find((o) => o.op === "state")?.room;
  for (const o of history) {
    if (
      o.op === "state" &&
      inRoom(o.room) &&
      o.room === target &&
      (o.type === "m.room.member" ||
        o.type === "m.room.create" ||
        o.type === "m.room.join_rules" ||
        o.type === "m.room.third_party_invite")
    ) {
      nodes.set(o.event, {
        event: o.event,
        label: label(o.type, o.membership, o.sender, o.state_key),
        parent: o.type === "m.room.create" ? null : o.parent,
        forged: false,
      });
    } else if (
      o.op === "adversary" &&
      o.capability === "forge" &&
      typeof o.detail.event === "string" &&
      o.detail.room === target
    ) {
      const d = o.detail as {
        event: string;
        type: string;
        sender: string;
        state_key: string | null;
        membership: string | null;
        parent: string | null;
      };
      nodes.set(d.event, {
        event: d.event,
        label: label(d.type, d.membership, d.sender, d.state_key),
        parent: d.parent,
        forged: true,
      });
    }
  }
  const ids = new Map([...nodes.keys()].map((e, i) => [e, `e${i}`]));
  const lines = ["flowchart BT"];
  for (const n of nodes.values()) {
    const text = escapeLabel(n.label);
    lines.push(n.forged ? `  ${ids.get(n.event)}["${text}"]` : `  ${ids.get(n.event)}{{"${text}"}}`);
  }
  for (const n of nodes.values()) {
    if (!n.parent) continue;
    const to = ids.get(n.parent);
    if (!to) continue;
    lines.push(`  ${ids.get(n.event)} ${n.forged ? "-.->" : "==>"} ${to}`);
  }
  lines.push("  classDef forged fill:#ff6666;");
  const forged = [...nodes.values()].filter((n) => n.forged).map((n) => ids.get(n.event));
  if (forged.length) lines.push(`  class ${forged.join(",")} forged;`);
  return lines.join("\n");
}
