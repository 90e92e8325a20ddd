/**
 * The oracle (DESIGN.md §5): ground truth from the history alone. It shares no code with what it
 * judges: who was a legitimate member comes from its own room v11 rules (`oracle-auth.ts`, which
 * nothing else may import), applied to the state events honest actors really sent (`state`
 * operations), in the order they really happened; not from whether some server accepted them. A
 * ban that one server hid, or had not yet heard of, still happened, and what rests on the banned
 * member's later acts is not legitimate. Then it reads the measurements:
 * - a breach: a `decrypt` of a legitimate member's message by a device that was not a legitimate
 *   member's at the time it was sent;
 * - a false rejection: a legitimate member none of whose devices the sender shared the key with;
 * - a detection: a tamper alarm an honest client raised whose cause (the node it names as missing,
 *   or what referenced it) the oracle traces to an adversarial act in the history (an event or DAG
 *   node the adversary forged, replayed, withheld, hid from some users or made current again).
 *   Every other alarm is a false alarm: it costs availability and detects nothing.
 * It never asks a verifier or a model: a simpler route than the system it checks.
 */
import type { Operation } from "./history.ts";
import { type OracleEvent, OracleRoomState, oracleAuthorize } from "./oracle-auth.ts";

export interface Breach {
  room: string;
  message: string;
  device: string;
  /** Whether the reading device was one the adversary made (else: an honest device that should no longer read). */
  adversary_device: boolean;
}

/** An alarm the oracle could not trace to anything the adversary did: which client, and what it named. */
export interface FalseAlarm {
  room: string;
  client: string;
  missing: string;
}

export interface Judgement {
  messages: number;
  breaches: Breach[];
  /** Distinct messages some adversary device decrypted. */
  attacker_decrypted: number;
  false_rejections: { room: string; message: string; user: string }[];
  /** Legitimate members' messages that reached no other legitimate member (who had a device): total lock-outs. */
  locked_out: number;
  /**
   * Whether the adversary acted, an honest client raised an alarm, and every legitimate member's
   * message after the adversary's first act (with another legitimate member to reach) was a total
   * lock-out: the room held only by going dark.
   */
  shut_out: boolean;
  /** Tamper alarms honest clients raised, traced or not. */
  alarms: number;
  /** Alarms whose cause traces to an adversarial act: the detections. */
  detections: number;
  /** Alarms whose cause does not: each one, with what it named. */
  false_alarms: FalseAlarm[];
  /** Honest state events the oracle's rules refused in the real order (accepted by some server all the same). */
  refused: { room: string; event: string; why: string }[];
  /**
   * Per room, MSC3917's bounding set as `user|msk`: the creator, and anyone whose join rests on a
   * permission (invite, join rule, third-party invite) signed with the real keys of a member of the
   * set. Colluders' permissions count; events a server signed with keys it made do not.
   */
  bounding_set: Record<string, string[]>;
}

export function judge(ops: readonly Operation[]): Judgement {
  const rooms = new LegitRooms();
  const devicesOf = new Map<string, Set<string>>();
  const messages = new Map<string, { room: string; legitDevices: Set<string> }>();
  const out: Judgement = {
    messages: 0,
    breaches: [],
    attacker_decrypted: 0,
    false_rejections: [],
    locked_out: 0,
    shut_out: false,
    alarms: 0,
    detections: 0,
    false_alarms: [],
    refused: [],
    bounding_set: {},
  };
  const attackerRead = new Set<string>();
  const tainted = adversarialIds(ops);
  const misled = new Map<string, string | null>();
  let attacked = false;
  let after = 0;
  let lockedAfter = 0;
  for (const op of ops) {
    switch (op.op) {
      case "state": {
        const why = rooms.apply(op);
        if (why !== null) out.refused.push({ room: op.room, event: op.event, why });
        break;
      }
      case "device":
        if (op.honest) devicesOf.set(op.user, (devicesOf.get(op.user) ?? new Set()).add(op.device));
        break;
      case "misled":
        misled.set(`${op.room}\u0000${op.user}`, op.meant);
        break;
      case "send": {
        out.messages++;
        const key = `${op.room}\u0000${op.sender}`;
        if (misled.has(key)) {
          // A member led into the wrong room writes for the room they meant: only its legitimate
          // members (and the sender) may read it. Nobody there is left out of it wrongly.
          const meant = misled.get(key);
          const readers = new Set([op.sender, ...(meant ? rooms.members(meant) : [])]);
          messages.set(op.message, {
            room: op.room,
            legitDevices: new Set([...readers].flatMap((u) => [...(devicesOf.get(u) ?? [])])),
          });
          break;
        }
        const members = rooms.members(op.room);
        // Only a legitimate member's messages are protected: what someone who should not be in
        // the room sends, and whom they share it with, puts no legitimate member at risk.
        if (!members.has(op.sender)) break;
        const legitDevices = new Set([...members].flatMap((u) => [...(devicesOf.get(u) ?? [])]));
        messages.set(op.message, { room: op.room, legitDevices });
        const recipients = new Set(op.recipients);
        let others = 0;
        let left = 0;
        for (const u of [...members].sort()) {
          if (u === op.sender) continue;
          const theirs = [...(devicesOf.get(u) ?? [])];
          if (theirs.length > 0) others++;
          if (theirs.length > 0 && !theirs.some((d) => recipients.has(d))) {
            left++;
            out.false_rejections.push({ room: op.room, message: op.message, user: u });
          }
        }
        if (others > 0 && left === others) out.locked_out++;
        if (attacked && others > 0) {
          after++;
          if (left === others) lockedAfter++;
        }
        break;
      }
      case "alarm":
        out.alarms++;
        if (tracesToAdversary(op, tainted)) out.detections++;
        else out.false_alarms.push({ room: op.room, client: op.client, missing: op.missing });
        break;
      case "decrypt": {
        const m = messages.get(op.message);
        if (!op.honest) attackerRead.add(op.message);
        if (m && !m.legitDevices.has(op.device))
          out.breaches.push({ room: op.room, message: op.message, device: op.device, adversary_device: !op.honest });
        break;
      }
      case "adversary":
        attacked = true;
        break;
      default:
        break;
    }
  }
  // Policy: "held only by shutting the room" needs an alarm too: a member left out because their
  // own membership does not verify (the MSK-reset window) is a cost, not what kept the adversary out.
  out.shut_out = after > 0 && lockedAfter === after && out.alarms > 0;
  out.attacker_decrypted = attackerRead.size;
  out.bounding_set = Object.fromEntries(
    [...boundingSets(ops)].sort(([a], [b]) => (a < b ? -1 : 1)).map(([room, set]) => [room, [...set].sort()]),
  );
  return out;
}

/** Legitimate members per room now: joined in the oracle's own state of the room. */
export function legitMembers(ops: readonly Operation[]): Map<string, Set<string>> {
  const rooms = new LegitRooms();
  for (const op of ops) if (op.op === "state") rooms.apply(op);
  return new Map([...rooms.ids()].map((id) => [id, rooms.members(id)]));
}

/**
 * The oracle's rooms: each one's state as its own v11 rules build it from honest actors' events in
 * history order. Restricted joins ask it, not any server, who is joined elsewhere.
 */
class LegitRooms {
  private readonly rooms = new Map<string, OracleRoomState>();
  private readonly ctx = {
    isJoined: (roomId: string, userId: string) => this.rooms.get(roomId)?.membership(userId) === "join",
  };

  /** Judge one honest state event: null if the rules allow it (it is now part of the room), else why not. */
  apply(op: Extract<Operation, { op: "state" }>): string | null {
    let room = this.rooms.get(op.room);
    if (!room) {
      room = new OracleRoomState(op.room);
      this.rooms.set(op.room, room);
    }
    const e: OracleEvent = {
      event_id: op.event,
      type: op.type,
      state_key: op.state_key,
      sender: op.sender,
      content: op.content,
    };
    const why = oracleAuthorize(room, e, this.ctx);
    if (why === null) room.accept(e);
    return why;
  }

  members(roomId: string): Set<string> {
    const room = this.rooms.get(roomId);
    return new Set(room ? room.joined() : []);
  }

  ids(): Iterable<string> {
    return this.rooms.keys();
  }
}

/**
 * Every ID an adversarial act touched: events and DAG nodes it forged or replayed (`forge`), events
 * it withheld from everyone or some (`withhold`) and made current again, with the DAG nodes honest
 * clients signed for them, and the events of adversarial causes of membership.
 */
function adversarialIds(ops: readonly Operation[]): Set<string> {
  const nodeOf = new Map<string, string>();
  for (const op of ops) if (op.op === "state" && op.node !== null) nodeOf.set(op.event, op.node);
  const ids = new Set<string>();
  const add = (id: unknown) => {
    if (typeof id !== "string") return;
    ids.add(id);
    const node = nodeOf.get(id);
    if (node !== undefined) ids.add(node);
  };
  for (const op of ops) {
    if (op.op === "adversary") for (const k of ["event", "node", "hidden", "reinstated"]) add(op.detail[k]);
    if (op.op === "cause" && !op.honest) add(op.event);
  }
  return ids;
}

/**
 * Policy: an alarm is the adversary's doing when the node it names as missing, or a node or
 * message event that referenced it, is one an adversarial act touched. An alarm over a node that
 * honest actors alone made and nobody hid (a node its server refused, a reference not yet
 * delivered) is a false alarm, whatever else the adversary did in the run.
 */
function tracesToAdversary(op: Extract<Operation, { op: "alarm" }>, tainted: ReadonlySet<string>): boolean {
  if (tainted.has(op.missing)) return true;
  return (op.referenced_by ?? []).some((r) => tainted.has(r.id) || (r.kind === "message" && tainted.has(r.event)));
}

/** MSC3917's bounding set per room, from `cause` and `permit` operations, in history order. */
export function boundingSets(ops: readonly Operation[]): Map<string, Set<string>> {
  const sets = new Map<string, Set<string>>();
  const permits = new Map<string, Extract<Operation, { op: "permit" }>>();
  for (const op of ops) {
    if (op.op === "permit") permits.set(op.event, op);
    if (op.op !== "cause") continue;
    const set = sets.get(op.room) ?? new Set<string>();
    sets.set(op.room, set);
    const who = `${op.user}|${op.msk}`;
    if (op.parent === null) {
      // A create event: its room ID is its RRK, so only the holder of the RRK can have made it,
      // and its creator is the root of that room's set, whoever they are.
      set.add(who);
      continue;
    }
    const p = permits.get(op.parent);
    if (
      p &&
      p.room === op.room &&
      set.has(`${p.by}|${p.by_msk}`) &&
      (p.for_user === null || (p.for_user === op.user && p.for_msk === op.msk))
    )
      set.add(who);
  }
  return sets;
}

export type Outcome = "prevented" | "detected" | "breach";

/** Worst wins: a breach beats a traced alarm beats nothing (STYLE.md, from Jepsen). False alarms detect nothing. */
export function outcomeOf(j: Judgement): Outcome {
  return j.breaches.length > 0 ? "breach" : j.detections > 0 ? "detected" : "prevented";
}
