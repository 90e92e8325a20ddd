/**
 * The history: every action and delivery as a plain JSON operation, in the order it happened, in
 * the style of Jepsen's history (DESIGN.md §5). The oracle and the report read only this.
 */
import type { JsonObject } from "../core/canonical-json.ts";

export type Operation =
  /** A scenario step by an honest actor, and whether the world let it happen. */
  | {
      op: "step";
      t: number;
      index: number;
      action: string;
      actor: string;
      honest: boolean;
      ok: boolean;
      error?: string;
      detail?: JsonObject;
    }
  /** A membership change that took effect on the room (from an honest step). */
  | { op: "membership"; t: number; room: string; user: string; membership: string; by: string; honest: boolean }
  /**
   * A cause-of-membership event entered a room (create or join), honest or not: who it names, with
   * which MSK, and what it rests on (`parent: null` for m.room.create and only for it).
   */
  | {
      op: "cause";
      t: number;
      room: string;
      event: string;
      user: string;
      msk: string;
      parent: string | null;
      honest: boolean;
    }
  /**
   * A real member signed, with their own keys, an event that lets others in: an invite (for one
   * user and MSK), or a join rule or third-party invite (for whoever uses it). Colluders' count too:
   * the proposal's bounding set is about keys, not intentions.
   */
  | {
      op: "permit";
      t: number;
      room: string;
      event: string;
      by: string;
      by_msk: string;
      for_user: string | null;
      for_msk: string | null;
    }
  /**
   * An honest user joined a room other than the one they meant (a link's alias or a space's
   * listing, resolved by a lying server): `meant` is the room they were sent to (null if none).
   * Their messages there are for the members of the room they meant.
   */
  | { op: "misled"; t: number; room: string; user: string; meant: string | null }
  /** A device came into being: honest (added by its user) or the adversary's. */
  | { op: "device"; t: number; user: string; device: string; honest: boolean }
  /** An honest client sent an encrypted message. */
  | { op: "send"; t: number; room: string; sender: string; message: string; session: string; recipients: string[] }
  /** An honest client shared a room key with a device. */
  | { op: "share_key"; t: number; room: string; from: string; to: string; session: string }
  /** A device decrypted a message: the measurement of who read what. */
  | { op: "decrypt"; t: number; room: string; device: string; message: string; honest: boolean }
  /**
   * An honest actor's state event took effect on its own server: its server event ID, its DAG node
   * ID when it signed one, and the event itself (sender, type, state key, content without
   * `unsigned`), which the oracle judges with its own room rules, in this order.
   */
  | {
      op: "state";
      t: number;
      room: string;
      event: string;
      node: string | null;
      type: string;
      state_key: string;
      sender: string;
      membership: string | null;
      parent: string | null;
      content: JsonObject;
    }
  /**
   * An honest client raised a tamper alarm: a state event it saw referenced cannot be obtained.
   * Its cause: the missing node, and who referenced it (a DAG node's `prev_state`, or the heads in
   * a decrypted message).
   */
  | {
      op: "alarm";
      t: number;
      room: string;
      client: string;
      missing: string;
      referenced_by?: AlarmReference[];
      /**
       * What kind of cause: `missing` (a referenced node cannot be obtained), `unplaced` (a node
       * whose prev_state runs into a cycle or a root that is no authentic create), `incomplete` (a
       * state resolution that could not use everything it was given). Absent: `missing`.
       */
      kind?: AlarmKind;
    }
  /**
   * An adversary capability was used. What it touched is in `detail`: the event it forged
   * (`event`, and `node` when the event carries a DAG node), withheld (`hidden`) or made current
   * again (`reinstated`); the oracle traces alarms to these.
   */
  | { op: "adversary"; t: number; capability: string; detail: JsonObject };

export type AlarmKind = "missing" | "unplaced" | "incomplete";

/** What referenced a node an alarm names as missing: a DAG node, or a decrypted message (by its ID and event). */
export type AlarmReference =
  | { kind: "node"; id: string; sender: string }
  | { kind: "message"; id: string; event: string; sender: string };

export class History {
  readonly ops: Operation[] = [];

  record(op: Operation): void {
    this.ops.push(op);
  }
}
