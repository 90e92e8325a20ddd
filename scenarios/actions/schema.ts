/**
 * The field schema of a scenario action: each field's kind, from which both the step's TypeScript
 * type (`StepOf`) and its validation (`checkField`) are derived, so the two cannot disagree.
 */
import type { Adversary } from "../../sim/world/adversary.ts";
import type { Client, World } from "../../sim/world/client.ts";
import type { Homeserver } from "../../sim/world/homeserver.ts";
import type { AbstractState } from "./state.ts";

export const CAPABILITIES = ["forge", "lieAboutKeys", "withhold"] as const;
export type Capability = (typeof CAPABILITIES)[number];

/** The room-wide power level settings `set_power` can change instead of a user's level. */
export const POWER_SETTINGS = ["invite", "kick", "ban", "state_default", "events_default", "users_default"] as const;
export type PowerSetting = (typeof POWER_SETTINGS)[number];

export type Kind =
  /** One of the scenario's users. */
  | "user"
  /** Any user ID (a user the adversary pretends to be need not be in the cast). */
  | "user-id"
  /** A room handle an earlier step created. */
  | "room"
  /** A new room handle this step names (for the room it creates or leads its user to). */
  | "new-room"
  | "rooms"
  | "users"
  | "string"
  /** A server in `adversary.servers`. */
  | "server"
  /** A user in `adversary.colluding`. */
  | "colluder"
  | "int"
  | "bool"
  | { oneOf: readonly string[]; say: string };

export interface FieldSpec {
  kind: Kind;
  optional?: true;
}
export type Fields = Record<string, FieldSpec>;

type TypeOf<K extends Kind> = K extends "int"
  ? number
  : K extends "bool"
    ? boolean
    : K extends "rooms" | "users"
      ? string[]
      : K extends { oneOf: readonly (infer V)[] }
        ? V
        : string;
type Required<F extends Fields> = { [K in keyof F as F[K]["optional"] extends true ? never : K]: TypeOf<F[K]["kind"]> };
type Optional<F extends Fields> = {
  [K in keyof F as F[K]["optional"] extends true ? K : never]?: TypeOf<F[K]["kind"]>;
};
type Flatten<T> = { [K in keyof T]: T[K] };
/** The step an action with fields `F` takes. */
export type StepFields<F extends Fields> = Flatten<Required<F> & Optional<F>>;

export const field = {
  user: { kind: "user" },
  userId: { kind: "user-id" },
  room: { kind: "room" },
  newRoom: { kind: "new-room" },
  rooms: { kind: "rooms" },
  users: { kind: "users" },
  string: { kind: "string" },
  server: { kind: "server" },
  colluder: { kind: "colluder" },
  int: { kind: "int" },
  bool: { kind: "bool" },
  oneOf: <const V extends readonly string[]>(values: V, say: string) => ({ kind: { oneOf: values, say } }) as const,
  optional: <const S extends FieldSpec>(spec: S) => ({ ...spec, optional: true }) as const,
} as const;

/** What validation knows of the scenario when it checks a step's field. */
export interface ValidationContext {
  users: readonly unknown[];
  servers: ReadonlySet<string>;
  colluding: readonly unknown[];
  /** Room handles created by earlier steps. */
  rooms: ReadonlySet<string>;
}

/** Why `v` is not a valid value of a field of kind `kind`, or undefined. */
export function checkField(kind: Kind, v: unknown, ctx: ValidationContext): string | undefined {
  const isUser = (u: unknown) => typeof u === "string" && ctx.users.includes(u);
  if (typeof kind === "object") return kind.oneOf.includes(v as string) ? undefined : `must be ${kind.say}`;
  switch (kind) {
    case "user":
      return isUser(v) ? undefined : `${JSON.stringify(v)} is not one of the scenario's users`;
    case "user-id":
      return typeof v === "string" && /^@[^:\s]+:[A-Za-z0-9.-]+$/.test(v)
        ? undefined
        : `${JSON.stringify(v)} is not a user ID`;
    case "room":
      return typeof v === "string" && ctx.rooms.has(v)
        ? undefined
        : `${JSON.stringify(v)} is not a room created by an earlier step`;
    case "new-room":
      if (typeof v !== "string" || v === "") return "must be a non-empty string";
      return ctx.rooms.has(v) ? `room ${JSON.stringify(v)} is created twice` : undefined;
    case "rooms":
      return Array.isArray(v) && v.every((r) => typeof r === "string" && ctx.rooms.has(r))
        ? undefined
        : "must be a list of rooms created by earlier steps";
    case "users":
      return Array.isArray(v) && v.length > 0 && v.every(isUser)
        ? undefined
        : "must be a non-empty list of the scenario's users";
    case "string":
      return typeof v === "string" && v !== "" ? undefined : "must be a non-empty string";
    case "server":
      return typeof v === "string" && ctx.servers.has(v)
        ? undefined
        : `${JSON.stringify(v)} is not a server in adversary.servers`;
    case "colluder":
      return typeof v === "string" && ctx.colluding.includes(v)
        ? undefined
        : `${JSON.stringify(v)} is not in adversary.colluding`;
    case "int":
      return Number.isSafeInteger(v) ? undefined : "must be an integer";
    case "bool":
      return typeof v === "boolean" ? undefined : "must be true or false";
  }
}

/** What an action's `run` acts on: the world, its clients and servers, and the scenario's names for rooms. */
export interface RunContext {
  world: World;
  adversary: Adversary;
  client(user: string): Client;
  server(name: string): Homeserver;
  /** The room ID a handle names (undefined, typed away, if a refused step never named it: clients refuse it). */
  room(handle: string): string;
  /** The room ID a handle names, or a refusal (M_NOT_FOUND) if none: for the adversary's steps, which check nothing. */
  namedRoom(handle: string): string;
  /** Name a room by a handle (a room a step created or led its user to). */
  nameRoom(handle: string, roomId: string): void;
  /** Alias → the room its owner set it for: what a link shared out of band vouches for. */
  aliases: Map<string, string>;
  /** The ID of the next honest message (m1, m2, …). */
  nextMessage(): string;
  /** Ground truth, for the oracle: a membership change took effect (by an honest step, or the adversary's). */
  membership(roomId: string, user: string, membership: string, by: string, honest?: boolean): void;
}

/** One scenario action: its fields, who may take it, what it needs, and what it does. */
export interface ActionDef<N extends string = string, F extends Fields = Fields> {
  name: N;
  /** One line, for `--help` and the README's list of actions. */
  description: string;
  honest: boolean;
  /** The adversary capability it uses (declared on a malicious server), or `colluder` for a colluding member's keys. */
  needs: readonly (Capability | "colluder")[];
  fields: F;
  /**
   * Whether the step forges a membership event signed into the state DAG (through the adversary's
   * keys or a colluder's), which a `fork_next` before it places at a fork point. The search's fork,
   * claimed-time and grinding dimensions act on such steps (a test checks each one does).
   */
  forgesMember?: boolean;
  /** A check across fields, after each field is valid: [field or null for the step, message]. */
  check?(step: StepFields<F>): [string | null, string] | undefined;
  /** For the generators: whether the step should succeed in the abstract state (it may still be refused). */
  pre(state: AbstractState, step: StepFields<F>): boolean;
  /** For the generators: the abstract state after the step. */
  next(state: AbstractState, step: StepFields<F>): void;
  /** Act on the world, and record this step's own ground truth in the history. */
  run(ctx: RunContext, step: StepFields<F>): Promise<void>;
}

export function defineAction<const N extends string, const F extends Fields>(def: ActionDef<N, F>): ActionDef<N, F> {
  return def;
}
