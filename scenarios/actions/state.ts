/**
 * The abstract state the generators keep while they draw steps (fast-check's model-based idea):
 * enough of each room's membership, power and rules, as honest servers would apply them, for an
 * action's precondition to say whether the step should succeed. It is an approximation; what the
 * world really does is measured when the run is, and the refusal rate is printed by
 * `npm run attacks`.
 */
import type { Capability, PowerSetting } from "./schema.ts";

export type Membership = "join" | "invite" | "leave" | "ban";

export interface AbstractRoom {
  creator: string;
  members: Map<string, Membership>;
  /** Users who ever joined, were ever invited or banned (what adversary steps can rest on). */
  everJoined: Set<string>;
  everInvited: Set<string>;
  everBanned: Set<string>;
  /** Users whose membership the adversary has made uncertain (servers may disagree): honest steps avoid them. */
  uncertain: Set<string>;
  power: Map<string, number>;
  levels: Record<PowerSetting, number>;
  joinRule: "invite" | "public" | "restricted";
  /** Whether a join rule event exists (a join can rest on it). */
  hasJoinRuleEvent: boolean;
  allow: AbstractRoom[];
  thirdPartyInvites: number;
  /** The rooms the space lists, latest last. */
  children: AbstractRoom[];
  /** The adversary's own room (from substitute_rrk or forge_space_child). */
  adversarial: boolean;
}

export interface AbstractState {
  users: readonly string[];
  servers: ReadonlyMap<string, readonly Capability[]>;
  colluding: readonly string[];
  /** Handle → room; handles that lead to the same room share it. */
  rooms: Map<string, AbstractRoom>;
  /** Alias → the room it was set for. */
  aliases: Map<string, AbstractRoom>;
  /** `server alias` → the room the server answers its clients with instead. */
  lyingAliases: Map<string, AbstractRoom>;
  /** Third-party address → the rooms with a pending invite to it; and who bound it. */
  pending3pid: Map<string, AbstractRoom[]>;
  bound: Map<string, string>;
}

export const serverOf = (userId: string): string => userId.slice(userId.indexOf(":") + 1);

export function initialState(
  users: readonly string[],
  servers: readonly { name: string; capabilities: readonly Capability[] }[],
  colluding: readonly string[],
): AbstractState {
  return {
    users,
    servers: new Map(servers.map((s) => [s.name, s.capabilities])),
    colluding,
    rooms: new Map(),
    aliases: new Map(),
    lyingAliases: new Map(),
    pending3pid: new Map(),
    bound: new Map(),
  };
}

export function newRoom(creator: string, adversarial = false): AbstractRoom {
  return {
    creator,
    members: new Map([[creator, "join"]]),
    everJoined: new Set([creator]),
    everInvited: new Set(),
    everBanned: new Set(),
    uncertain: new Set(),
    power: new Map([[creator, 100]]),
    levels: { invite: 0, kick: 50, ban: 50, state_default: 50, events_default: 0, users_default: 0 },
    joinRule: adversarial ? "public" : "invite",
    hasJoinRuleEvent: adversarial,
    allow: [],
    thirdPartyInvites: 0,
    children: [],
    adversarial,
  };
}

export const membershipOf = (room: AbstractRoom, user: string): Membership | undefined => room.members.get(user);
export const powerOf = (room: AbstractRoom, user: string): number => room.power.get(user) ?? room.levels.users_default;
export const isJoined = (room: AbstractRoom | undefined, user: string): room is AbstractRoom =>
  room !== undefined && room.members.get(user) === "join" && !room.uncertain.has(user);
/** An honest step by `user` in `room`: the room exists, and the user is joined with a membership no server disputes. */
export const actsIn = (state: AbstractState, handle: string, user: string): AbstractRoom | undefined => {
  const room = state.rooms.get(handle);
  return isJoined(room, user) && !room.adversarial ? room : undefined;
};

/** Whether `user` could join `room` now: invited, or by a public or restricted rule; never when banned or already joined. */
export function canJoin(state: AbstractState, room: AbstractRoom, user: string): boolean {
  const m = room.members.get(user);
  if (m === "ban" || m === "join" || room.uncertain.has(user)) return false;
  if (m === "invite") return true;
  if (!room.hasJoinRuleEvent) return false;
  if (room.joinRule === "public") return true;
  if (room.joinRule === "restricted") return room.allow.some((r) => isJoined(r, user));
  return false;
}

export function setMembership(room: AbstractRoom, user: string, m: Membership): void {
  room.members.set(user, m);
  if (m === "join") room.everJoined.add(user);
  if (m === "invite") room.everInvited.add(user);
  if (m === "ban") room.everBanned.add(user);
}

/** Whether the adversary's `server` may use `capability`. */
export function serverCan(state: AbstractState, server: string, capability: Capability): boolean {
  return (state.servers.get(server) ?? []).includes(capability);
}

/** Whether `server` may use `capability` and holds a replica of `room` (one of its users was in it). */
export function serverIn(
  state: AbstractState,
  server: string,
  capability: Capability,
  room: AbstractRoom | undefined,
): room is AbstractRoom {
  return (
    room !== undefined &&
    serverCan(state, server, capability) &&
    [...room.everJoined].some((u) => serverOf(u) === server)
  );
}

export const hosts = (server: string, user: string): boolean => serverOf(user) === server;
