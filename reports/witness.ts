/**
 * A witness run, read from its history (sim/world/history.ts, plain JSON operations): the events
 * its graph draws, each with what the adversary did to it, and its timeline, one row a scenario
 * step. Both the Markdown report and the HTML page draw these, with reports/html/mermaid-graph.ts.
 *
 * Every adversarial operation in the history becomes a node of its own act (forged, inserted,
 * withheld, replayed, silenced, split), with an edge to what it rests on or acts on, so no attack
 * is invisible: a forged event rests on its `parent_event_id`; an event made current again, a
 * rewritten envelope, an inserted device or a substituted master key rests on the event it reuses
 * or the membership of the user it lies about; a withheld event keeps its place, marked. Bans,
 * kicks and leaves name no parent, so they are drawn to the membership they end.
 *
 * Pure: history in, typed events out. A single pass over the operations; no recursion.
 */
import type { Operation } from "../sim/world/history.ts";
import type { Act, WitnessEvent } from "./html/mermaid-graph.ts";
import type { WitnessStep } from "./html/types.ts";

/** The state events the graph draws: the membership tree's events and what lets users in. */
const DRAWN = new Set(["m.room.create", "m.room.member", "m.room.join_rules", "m.room.third_party_invite"]);

type Detail = Record<string, unknown>;
const str = (v: unknown): string | null => (typeof v === "string" ? v : null);

/**
 * What an adversarial operation did, in the graph's words. The scenario step that made it (the
 * history records a step after its effects) names the attack; the operation's detail names the
 * effect.
 *
 * Policy: anything not recognised is still drawn, as `forged` (or by its capability's name when
 * that is an act), never dropped: a new capability must not make an attack disappear from the
 * report.
 */
export function actOf(capability: string, detail: Detail, action: string | null): Act {
  if (/silenc|drop/.test(capability) || (action !== null && /silenc|drop/.test(action))) return "silenced";
  // Shown to some users only: a split view. (In histories from before withholding orders, whose
  // detail has no `federation`, any `from` list was one.) An order that acts later, when the event
  // arrives, is recorded during an honest step: withheld.
  if (capability === "withhold")
    return action === "split_view" || (Array.isArray(detail.from) && !("federation" in detail) && action !== "withhold")
      ? "split"
      : "withheld";
  // An event served under another's ID, or a genuine signed content re-issued as a new event.
  if (/replay/.test(capability) || "served" in detail || (action !== null && REPLAYING.has(action))) return "replayed";
  if ("reinstated" in detail || "reinserted" in detail || "device" in detail) return "inserted";
  return "forged";
}

/** The attacks whose forged event re-issues a member's genuine signed content (its signature untouched). */
const REPLAYING = new Set(["replay_join", "replay_envelope"]);

const TARGET_FIELDS = ["user", "for", "add", "external_join", "external_add", "forged_remove", "undo_ban", "target"];

export interface WitnessRun {
  events: WitnessEvent[];
  steps: WitnessStep[];
  /** The rooms the run's events are in, in the order they appear. */
  rooms: string[];
}

/** The witness's graph events (every room) and its timeline, from its history. */
export function witnessRun(history: readonly Operation[]): WitnessRun {
  // The scenario step each operation belongs to: the next `step` operation after it.
  const actionAt: (string | null)[] = new Array(history.length).fill(null);
  let next: string | null = null;
  for (let i = history.length - 1; i >= 0; i--) {
    const o = history[i]!;
    if (o.op === "step") next = o.honest ? null : o.action;
    actionAt[i] = next;
  }
  const events: WitnessEvent[] = [];
  const byId = new Map<string, WitnessEvent>();
  const rooms: string[] = [];
  /** Each user's latest cause of membership (or membership event) per room: what lies about them rest on. */
  const membershipOf = new Map<string, string>();
  const createOf = new Map<string, string>();
  /** State events of every type, for a reinstated or served event to find what it was. */
  const stateById = new Map<string, Extract<Operation, { op: "state" }>>();
  const key = (room: string, user: string) => `${room}\u0000${user}`;
  const add = (e: WitnessEvent): WitnessEvent => {
    const existing = byId.get(`${e.room}\u0000${e.id}`);
    if (existing) return existing;
    if (e.room !== undefined && !rooms.includes(e.room)) rooms.push(e.room);
    byId.set(`${e.room}\u0000${e.id}`, e);
    events.push(e);
    return e;
  };
  const roomOfUser = (user: string): string | undefined =>
    rooms.find((r) => membershipOf.has(key(r, user))) ?? rooms[0];
  let extra = 0;
  /** Withheld messages whose sender the history names only at the send that follows. */
  const unsent: { sender: string; parents: readonly string[]; auth?: readonly string[] }[] = [];

  const steps: WitnessStep[] = [];
  let pending: string[] = [];
  let pendingEvent: string | undefined;
  let pendingAct: Act = "honest";
  const note = (text: string, event?: string, act?: Act) => {
    pending.push(text);
    pendingEvent ??= event;
    if (act && pendingAct === "honest") pendingAct = act;
  };

  history.forEach((o, i) => {
    switch (o.op) {
      case "state": {
        stateById.set(o.event, o);
        if (o.type === "m.room.create") createOf.set(o.room, o.event);
        if (!DRAWN.has(o.type)) break;
        const ends =
          o.type === "m.room.member" && o.parent === null && o.membership !== "join"
            ? (membershipOf.get(key(o.room, o.state_key)) ?? null)
            : null;
        add({
          id: o.event,
          type: o.type,
          sender: o.sender,
          state_key: o.type === "m.room.member" ? o.state_key : null,
          membership: o.membership,
          parents: o.type === "m.room.create" || o.parent === null ? [] : [o.parent],
          // Naming no parent (the creator's join, a join rule), it rests on the room's rules alone.
          ...(o.type !== "m.room.create" && o.parent === null && ends === null && createOf.get(o.room)
            ? { auth: [createOf.get(o.room)!] }
            : {}),
          ends,
          act: "honest",
          room: o.room,
        });
        if (o.type === "m.room.member") membershipOf.set(key(o.room, o.state_key), o.event);
        note(
          `${o.sender} ${o.membership ?? o.type.replace(/^m\.room\./, "")}${o.type === "m.room.member" && o.state_key !== o.sender ? ` ${o.state_key}` : ""}`,
          o.event,
        );
        break;
      }
      case "alarm":
        note(
          `alarm by ${o.client}: ${o.missing} cannot be obtained${o.kind && o.kind !== "missing" ? ` (${o.kind})` : ""}`,
        );
        break;
      case "send":
        // A message withheld as it arrived is recorded before its send: now its sender is known,
        // and it rests on the sender's membership.
        for (const e of unsent.splice(0)) {
          e.sender = o.sender;
          const m = membershipOf.get(key(o.room, o.sender));
          if (m) {
            e.parents = [m];
            delete e.auth;
          }
        }
        note(`${o.sender} sends a message to ${o.recipients.length} device${o.recipients.length === 1 ? "" : "s"}`);
        break;
      case "decrypt":
        if (!o.honest) note(`the adversary's device ${o.device} read a message`);
        break;
      case "adversary": {
        const d = o.detail as Detail;
        // Policy: a withheld message (not a state event) is a member's message suppressed: silenced.
        const act =
          o.capability === "withhold" && str(d.hidden) !== null && !stateById.has(str(d.hidden)!)
            ? "silenced"
            : actOf(o.capability, d, actionAt[i]!);
        const room = str(d.room) ?? undefined;
        const server = str(d.server) ?? "adversary";
        if (str(d.event) !== null && room) {
          // A forged (or replayed, or inserted) event, with the parent it names.
          const id = str(d.event)!;
          const parent = str(d.parent);
          const e = add({
            id,
            type: str(d.type) ?? "event",
            sender: str(d.sender) ?? server,
            state_key: str(d.state_key),
            membership: str(d.membership),
            parents: parent ? [parent] : [],
            // Policy: an event that names no parent (a plain join, as servers insert members today)
            // rests only on the room's own rules: drawn to the create event, as its auth_events would be.
            ...(parent === null && createOf.get(room) ? { auth: [createOf.get(room)!] } : {}),
            act,
            room,
          });
          e.act = act;
          if (e.type === "m.room.member" && e.state_key) membershipOf.set(key(room, e.state_key), id);
          note(`${server} ${act} ${str(d.sender) ?? ""}'s ${str(d.membership) ?? str(d.type) ?? "event"}`, id, act);
        } else if ((str(d.hidden) !== null || str(d.reinstated) !== null || str(d.rewritten) !== null) && room) {
          const target = (str(d.hidden) ?? str(d.reinstated) ?? str(d.rewritten))!;
          const was = stateById.get(target);
          const base = {
            type: was?.type ?? "event",
            sender: was?.sender ?? "?",
            state_key: was?.type === "m.room.member" ? was.state_key : null,
            membership: was?.membership ?? null,
            room,
          };
          if (str(d.hidden) !== null) {
            // The honest event keeps its place in the graph, marked as withheld (or shown to some only).
            // A message (a silenced user's) or another event the graph does not draw: its own node,
            // resting on the room.
            const e =
              byId.get(`${room}\u0000${target}`) ??
              add({
                id: target,
                parents: [],
                ...(createOf.get(room) ? { auth: [createOf.get(room)!] } : {}),
                act,
                ...base,
                type: was?.type ?? "message",
              });
            e.act = act;
            if (!was) unsent.push(e);
            const from = Array.isArray(d.from) ? ` from ${d.from.join(", ")}` : "";
            note(
              was
                ? `${server} withholds ${base.sender}'s ${base.membership ?? base.type}${from}`
                : `${server} drops a message${from}`,
              target,
              act,
            );
          } else {
            const what = str(d.reinstated) !== null ? "reinstated" : "rewritten";
            const sender = what === "rewritten" ? (str(d.sender) ?? base.sender) : base.sender;
            add({ id: `${what}:${target}`, parents: [target], act, ...base, sender });
            if (what === "reinstated" && base.state_key)
              membershipOf.set(key(room, base.state_key), `${what}:${target}`);
            note(
              what === "reinstated"
                ? `${server} makes ${base.sender}'s ${base.membership ?? base.type} current again`
                : `${server} rewrites the sender of ${base.sender}'s ${base.type.replace(/^m\.room\./, "")} to ${sender}`,
              target,
              act,
            );
          }
        } else if (str(d.served) !== null && room) {
          // An event from another room (or a copy), served under an ID this room's events name.
          const id = str(d.served)!;
          const was = stateById.get(id);
          add({
            id,
            type: str(d.type) ?? was?.type ?? "event",
            sender: str(d.sender) ?? was?.sender ?? "?",
            state_key: null,
            membership: was?.membership ?? null,
            parents: was?.parent ? [was.parent] : [],
            act,
            room,
          }).act = act;
          note(
            `${server} serves ${str(d.sender) ?? "?"}'s ${str(d.type) ?? "event"} from ${str(d.from) ?? "another room"}`,
            id,
            act,
          );
        } else {
          // Keys, devices, aliases, and the acts of models with no Matrix events (MLS, Signal's
          // groups): a node of their own, resting on the membership (or room) they lie about.
          const user = TARGET_FIELDS.map((f) => str(d[f])).find((u) => u !== null && u.startsWith("@")) ?? null;
          const inRoom = room ?? str(d.resolves_to) ?? (user ? roomOfUser(user) : rooms[0]);
          // What it rests on: the membership it lies about, else the room (its create event, or
          // the room itself when the run never showed one: a room the adversary made).
          const rests = inRoom
            ? ((user ? membershipOf.get(key(inRoom, user)) : undefined) ?? createOf.get(inRoom) ?? inRoom)
            : undefined;
          const what =
            str(d.device) !== null
              ? "device"
              : d.substituted !== undefined
                ? "master key"
                : str(d.alias) !== null
                  ? `alias ${str(d.alias)}`
                  : (actionAt[i] ?? o.capability);
          const id = `act:${extra++}`;
          add({
            id,
            type: what,
            sender: user ?? server,
            state_key: null,
            membership: null,
            parents: rests ? [rests] : [],
            act,
            ...(inRoom ? { room: inRoom } : {}),
          });
          note(`${server} ${act}: ${what}${user ? ` for ${user}` : ""}`, undefined, act);
        }
        break;
      }
      case "step": {
        steps.push({
          index: o.index,
          actor: o.actor,
          op: o.action,
          act: o.honest ? "honest" : pendingAct !== "honest" ? pendingAct : actOf("", {}, o.action),
          summary: pending.length ? summarise(pending) : o.ok ? o.action : (o.error ?? "refused"),
          ...(pendingEvent ? { event: pendingEvent } : {}),
          ok: o.ok,
        });
        pending = [];
        pendingEvent = undefined;
        pendingAct = "honest";
        break;
      }
      default:
        break;
    }
  });
  return { events, steps, rooms };
}

/** A step's line: what it did, the first few, and how many more. */
function summarise(parts: string[]): string {
  const shown = parts.slice(0, 4).join("; ");
  return parts.length > 4 ? `${shown}; and ${parts.length - 4} more` : shown;
}

/** The events of one room (the page and the report draw one graph a room). */
export function eventsByRoom(run: WitnessRun): { room: string; events: WitnessEvent[] }[] {
  return run.rooms.map((room) => ({ room, events: run.events.filter((e) => e.room === room) }));
}

/** How many of the run's graph events are adversarial acts. */
export const adversarialEvents = (run: WitnessRun): WitnessEvent[] => run.events.filter((e) => e.act !== "honest");
