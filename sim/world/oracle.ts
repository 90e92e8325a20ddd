/**
 * The oracle (DESIGN.md §5): ground truth from the history alone. It replays what honest actors
 * really did (`membership` and `device` operations marked honest) to know, at every message, who
 * was a legitimate member and which devices were theirs; then it reads the measurements:
 * - a breach: a `decrypt` of a legitimate member's message by a device that was not a legitimate
 *   member's at the time it was sent;
 * - a false rejection: a legitimate member none of whose devices the sender shared the key with;
 * - alarms: tamper alarms an honest client raised.
 * It never asks a verifier or a model: a simpler route than the system it checks.
 */
import type { Operation } from "./history.ts";

export interface Breach {
  room: string;
  message: string;
  device: string;
  /** Whether the reading device was one the adversary made (else: an honest device that should no longer read). */
  adversary_device: boolean;
}

export interface Judgement {
  messages: number;
  breaches: Breach[];
  /** Distinct messages some adversary device decrypted. */
  attacker_decrypted: number;
  false_rejections: { room: string; message: string; user: string }[];
  alarms: number;
  /**
   * Per room, MSC3917's bounding set as `user|msk`: the creator, and anyone whose join rests on a
   * permission (invite, join rule, third-party invite) signed with the real keys of a member of the
   * set. Colluders' permissions count; events a server signed with keys it made do not.
   */
  bounding_set: Record<string, string[]>;
}

export function judge(ops: readonly Operation[]): Judgement {
  const legit = new Map<string, Set<string>>();
  const unlawful = new Unlawful();
  const devicesOf = new Map<string, Set<string>>();
  const messages = new Map<string, { room: string; legitDevices: Set<string> }>();
  const out: Judgement = { messages: 0, breaches: [], attacker_decrypted: 0, false_rejections: [], alarms: 0, bounding_set: {} };
  const attackerRead = new Set<string>();
  for (const op of ops) {
    switch (op.op) {
      case "permit":
      case "cause":
        unlawful.see(op, legit);
        break;
      case "membership":
        applyMembership(legit, op, unlawful);
        break;
      case "device":
        if (op.honest) devicesOf.set(op.user, (devicesOf.get(op.user) ?? new Set()).add(op.device));
        break;
      case "send": {
        out.messages++;
        const members = legit.get(op.room) ?? new Set<string>();
        // Only a legitimate member's messages are protected: what someone who should not be in
        // the room sends, and whom they share it with, puts no legitimate member at risk.
        if (!members.has(op.sender)) break;
        const legitDevices = new Set([...members].flatMap((u) => [...(devicesOf.get(u) ?? [])]));
        messages.set(op.message, { room: op.room, legitDevices });
        const recipients = new Set(op.recipients);
        for (const u of [...members].sort()) {
          if (u === op.sender) continue;
          const theirs = [...(devicesOf.get(u) ?? [])];
          if (theirs.length > 0 && !theirs.some((d) => recipients.has(d))) out.false_rejections.push({ room: op.room, message: op.message, user: u });
        }
        break;
      }
      case "alarm":
        out.alarms++;
        break;
      case "decrypt": {
        const m = messages.get(op.message);
        if (!op.honest) attackerRead.add(op.message);
        if (m && !m.legitDevices.has(op.device)) out.breaches.push({ room: op.room, message: op.message, device: op.device, adversary_device: !op.honest });
        break;
      }
      default:
        break;
    }
  }
  out.attacker_decrypted = attackerRead.size;
  out.bounding_set = Object.fromEntries([...boundingSets(ops)].sort(([a], [b]) => (a < b ? -1 : 1)).map(([room, set]) => [room, [...set].sort()]));
  return out;
}

/** Legitimate members per room now: whose last honest membership change was a join. */
export function legitMembers(ops: readonly Operation[]): Map<string, Set<string>> {
  const legit = new Map<string, Set<string>>();
  const unlawful = new Unlawful();
  for (const op of ops) {
    if (op.op === "permit" || op.op === "cause") unlawful.see(op, legit);
    if (op.op === "membership") applyMembership(legit, op, unlawful);
  }
  return legit;
}

/**
 * Joins the room's policy does not allow, though an honest server let them through: the join
 * rests on a permission given by someone who, in the order things really happened, was no longer a
 * legitimate member (a ban had already happened, on a server that had not yet heard of it). This
 * is the oracle's own, simpler route to the proposal's example: global time, not DAG resolution.
 */
class Unlawful {
  /** Per permission: false when its author had been a legitimate member but was no longer. */
  private readonly permits = new Map<string, boolean>();
  private readonly joins = new Set<string>();
  private readonly ever = new Set<string>();

  /** `user` became a legitimate member of `room`. */
  member(room: string, user: string): void {
    this.ever.add(`${room}\u0000${user}`);
  }

  see(op: Extract<Operation, { op: "permit" | "cause" }>, legit: Map<string, Set<string>>): void {
    if (op.op === "permit") {
      const lapsed = this.ever.has(`${op.room}\u0000${op.by}`) && !legit.get(op.room)?.has(op.by);
      this.permits.set(op.event, !lapsed);
    } else if (op.honest && op.parent && this.permits.get(op.parent) === false) this.joins.add(`${op.room}\u0000${op.user}`);
  }

  has(room: string, user: string): boolean {
    return this.joins.has(`${room}\u0000${user}`);
  }
}

/** An honest membership change: a lawful join makes a legitimate member; a leave, kick or ban ends it. */
function applyMembership(legit: Map<string, Set<string>>, op: Extract<Operation, { op: "membership" }>, unlawful: Unlawful): void {
  if (!op.honest) return;
  const members = legit.get(op.room) ?? new Set<string>();
  legit.set(op.room, members);
  if (op.membership === "join") {
    if (!unlawful.has(op.room, op.user)) {
      members.add(op.user);
      unlawful.member(op.room, op.user);
    }
  } else if (op.membership === "leave" || op.membership === "ban") members.delete(op.user);
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
    if (p && p.room === op.room && set.has(`${p.by}|${p.by_msk}`) && (p.for_user === null || (p.for_user === op.user && p.for_msk === op.msk))) set.add(who);
  }
  return sets;
}

export type Outcome = "prevented" | "detected" | "breach";

/** Worst wins: a breach beats an alarm beats nothing (STYLE.md, from Jepsen). */
export function outcomeOf(j: Judgement): Outcome {
  return j.breaches.length > 0 ? "breach" : j.alarms > 0 ? "detected" : "prevented";
}
