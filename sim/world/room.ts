/**
 * A homeserver's replica of one room: its events in arrival order and the current state, and the
 * room version 11 authorization rules an honest server applies (Matrix spec, room versions §v11,
 * "Authorization rules"), cut down to what the simulation exercises: create, membership (invite,
 * join, leave, kick, ban) with power levels and join rules, other state by power level, and
 * messages by `events_default`.
 */
import type { JsonObject } from "../core/canonical-json.ts";
import type { ClientEvent } from "../core/events.ts";

export interface WorldEvent extends ClientEvent {
  room_id: string;
  origin_server_ts: number;
}

export const stateKeyOf = (type: string, stateKey: string): string => `${type}\u0000${stateKey}`;

export interface PowerLevels {
  users: Record<string, number>;
  users_default: number;
  invite: number;
  kick: number;
  ban: number;
  state_default: number;
  events_default: number;
  events: Record<string, number>;
}

/** The defaults a room starts with: the creator at 100; inviting open to members; kick, ban and state at 50. */
export function defaultPowerLevels(creator: string): JsonObject {
  return { users: { [creator]: 100 }, users_default: 0, invite: 0, kick: 50, ban: 50, state_default: 50, events_default: 0, events: {} };
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
    return [...this.state.values()].filter((e) => e.type === "m.room.member" && e.content.membership === "join").map((e) => e.state_key!);
  }

  powerLevels(): PowerLevels {
    const c = (this.get("m.room.power_levels")?.content ?? {}) as Partial<PowerLevels>;
    const creator = this.get("m.room.create")?.sender;
    return {
      users: c.users ?? (creator ? { [creator]: 100 } : {}),
      users_default: c.users_default ?? 0,
      invite: c.invite ?? 0,
      kick: c.kick ?? 50,
      ban: c.ban ?? 50,
      state_default: c.state_default ?? 50,
      events_default: c.events_default ?? 0,
      events: c.events ?? {},
    };
  }

  power(userId: string): number {
    const pl = this.powerLevels();
    return pl.users[userId] ?? pl.users_default;
  }

  joinRule(): string {
    const r = this.get("m.room.join_rules")?.content.join_rule;
    return typeof r === "string" ? r : "invite";
  }
}

/** What the rules need to know beyond the room: for restricted joins, membership in other rooms. */
export interface AuthContext {
  isJoined(roomId: string, userId: string): boolean;
}

/** Why `e` is not allowed in `room` now, or null if it is. */
export function authorize(room: RoomReplica, e: WorldEvent, ctx: AuthContext): string | null {
  if (e.type === "m.room.create") return room.events.length === 0 ? null : "the room already exists";
  if (room.events.length === 0) return "the first event must be m.room.create";
  const senderMembership = room.membership(e.sender);
  if (e.type === "m.room.member") {
    const target = e.state_key!;
    const targetMembership = room.membership(target);
    const membership = e.content.membership;
    const pl = room.powerLevels();
    switch (membership) {
      case "join": {
        if (e.sender !== target) return "a join must be sent by the joining user";
        if (targetMembership === "ban") return "the user is banned";
        if (targetMembership === "join") return null;
        const create = room.get("m.room.create")!;
        if (room.events.length === 1 && create.sender === target) return null; // the creator's first join
        if (targetMembership === "invite") return null;
        const rule = room.joinRule();
        if (rule === "public") return null;
        if (rule === "restricted") {
          const allow = Array.isArray(room.get("m.room.join_rules")?.content.allow) ? (room.get("m.room.join_rules")!.content.allow as JsonObject[]) : [];
          return allow.some((a) => typeof a.room_id === "string" && ctx.isJoined(a.room_id, target)) ? null : "not a member of any room the restricted rule allows";
        }
        return `the join rule is ${rule} and the user is not invited`;
      }
      case "invite": {
        if (targetMembership === "ban") return "the target is banned";
        if (targetMembership === "join") return "the target is already joined";
        if (e.content.third_party_invite) {
          const signed = (e.content.third_party_invite as JsonObject).signed as JsonObject | undefined;
          return typeof signed?.token === "string" && room.get("m.room.third_party_invite", signed.token) ? null : "no third-party invite with that token";
        }
        if (senderMembership !== "join") return "the inviter is not joined";
        return room.power(e.sender) >= pl.invite ? null : "the inviter lacks the invite power level";
      }
      case "leave": {
        if (e.sender === target) return targetMembership === "join" || targetMembership === "invite" ? null : "not in the room";
        if (senderMembership !== "join") return "the kicker is not joined";
        if (targetMembership === "ban") return room.power(e.sender) >= pl.ban ? null : "unbanning needs the ban power level";
        if (room.power(e.sender) < pl.kick) return "the sender lacks the kick power level";
        return room.power(e.sender) > room.power(target) ? null : "cannot kick someone of equal or higher power";
      }
      case "ban": {
        if (senderMembership !== "join") return "the banner is not joined";
        if (room.power(e.sender) < pl.ban) return "the sender lacks the ban power level";
        return room.power(e.sender) > room.power(target) ? null : "cannot ban someone of equal or higher power";
      }
      default:
        return `unknown membership ${JSON.stringify(membership)}`;
    }
  }
  if (senderMembership !== "join") return "the sender is not joined";
  const pl = room.powerLevels();
  const needed = pl.events[e.type] ?? (e.state_key !== undefined ? pl.state_default : pl.events_default);
  if (room.power(e.sender) < needed) return `${e.type} needs power level ${needed}`;
  if (e.type === "m.room.power_levels") {
    // v11: a user cannot raise anyone above their own level.
    const users = (e.content.users ?? {}) as Record<string, number>;
    const mine = room.power(e.sender);
    for (const [u, level] of Object.entries(users)) if (level > mine && room.power(u) !== level) return "cannot grant a power level above one's own";
  }
  return null;
}
