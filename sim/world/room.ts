/**
 * A homeserver's replica of one room: its events in arrival order and the current state. The room
 * version 11 authorization rules an honest server applies against that state are in auth-rules.ts;
 * `authorize` here is their entry point for a replica.
 */
import type { JsonObject } from "../core/canonical-json.ts";
import type { ClientEvent } from "../core/events.ts";
import { checkAuthRules, joinRuleOf, powerLevelOf, stateKeyOf } from "./auth-rules.ts";

export { stateKeyOf };

export interface WorldEvent extends ClientEvent {
  room_id: string;
  origin_server_ts: number;
}

/** The defaults a room starts with: the creator at 100; inviting open to members; kick, ban and state at 50. */
export function defaultPowerLevels(creator: string): JsonObject {
  return {
    users: { [creator]: 100 },
    users_default: 0,
    invite: 0,
    kick: 50,
    ban: 50,
    state_default: 50,
    events_default: 0,
    events: {},
  };
}

export class RoomReplica {
  readonly events: WorldEvent[] = [];
  readonly byId = new Map<string, WorldEvent>();
  readonly state = new Map<string, WorldEvent>();

  constructor(readonly roomId: string) {}

  append(e: WorldEvent): void {
    if (this.byId.has(e.event_id)) return;
    this.events.push(e);
    this.byId.set(e.event_id, e);
    if (e.state_key !== undefined) this.state.set(stateKeyOf(e.type, e.state_key), e);
  }

  /** Remove an event everywhere (a malicious server's deletion). */
  remove(eventId: string): void {
    const e = this.byId.get(eventId);
    if (!e) return;
    this.byId.delete(eventId);
    this.events.splice(this.events.indexOf(e), 1);
    if (e.state_key !== undefined && this.state.get(stateKeyOf(e.type, e.state_key)) === e) {
      this.state.delete(stateKeyOf(e.type, e.state_key));
      const previous = [...this.events].reverse().find((x) => x.type === e.type && x.state_key === e.state_key);
      if (previous) this.state.set(stateKeyOf(e.type, e.state_key), previous);
    }
  }

  get(type: string, stateKey = ""): WorldEvent | undefined {
    return this.state.get(stateKeyOf(type, stateKey));
  }

  membership(userId: string): string | undefined {
    const m = this.get("m.room.member", userId)?.content.membership;
    return typeof m === "string" ? m : undefined;
  }

  /** Users whose membership is `join` in the current state. */
  joined(): string[] {
    return [...this.state.values()]
      .filter((e) => e.type === "m.room.member" && e.content.membership === "join")
      .map((e) => e.state_key!);
  }

  /** A user's power level, as the rules read it (auth-rules.ts). */
  power(userId: string): number {
    return powerLevelOf(this.lookup, userId);
  }

  /** The join rule, as the rules read it (auth-rules.ts). */
  joinRule(): string {
    return joinRuleOf(this.lookup);
  }

  /** The current state as the rules' lookup. */
  private readonly lookup = (type: string, stateKey: string): WorldEvent | undefined => this.get(type, stateKey);
}

/** What the rules need to know beyond the room: for restricted joins, membership in other rooms. */
export interface AuthContext {
  isJoined(roomId: string, userId: string): boolean;
}

/**
 * Why `e` is not allowed in `room` now, or null if it is: the room v11 rules of auth-rules.ts,
 * checked against the replica's current state. The replica keeps events in arrival order, so the
 * event's prev_events are taken to be the replica's latest event (none for an empty room).
 */
export function authorize(room: RoomReplica, e: WorldEvent, ctx: AuthContext): string | null {
  const last = room.events.at(-1);
  const rules = { isJoined: (r: string, u: string) => ctx.isJoined(r, u), prevEvents: last ? [last.event_id] : [] };
  const why = checkAuthRules(e, (type, stateKey) => room.get(type, stateKey), rules);
  return why ? why.why : null;
}
