/**
 * The scenario format (DESIGN.md §8): a scenario is data. It is validated when loaded, and every
 * error names the file, the step index and the field.
 */
import type { ModelId } from "../sim/models/index.ts";
import { MODEL_IDS } from "../sim/models/index.ts";
import type { Outcome } from "../sim/world/oracle.ts";
import { isJsonObject } from "../sim/core/canonical-json.ts";
import type { VerifierFault } from "../sim/core/verify-membership.ts";

export type Step =
  | { action: "create"; user: string; room: string }
  | { action: "invite"; user: string; room: string; target: string }
  | { action: "join"; user: string; room: string }
  | { action: "leave"; user: string; room: string }
  | { action: "kick" | "ban"; user: string; room: string; target: string }
  | { action: "set_join_rule"; user: string; room: string; rule: "public" | "restricted" | "invite"; allow?: string[] }
  | { action: "set_power"; user: string; room: string; target?: string; setting?: PowerSetting; level: number }
  | { action: "third_party_invite"; user: string; room: string; address: string }
  | { action: "bind_3pid"; user: string; address: string }
  | { action: "reset_msk"; user: string }
  | { action: "add_device"; user: string }
  | { action: "verify_user"; user: string; target: string }
  | { action: "send"; user: string; room: string; text: string }
  | { action: "set_alias"; user: string; room: string; alias: string }
  | { action: "join_link"; user: string; alias: string; from: string; with_rrk: boolean; room: string }
  | { action: "space_add_child"; user: string; space: string; child: string }
  | { action: "join_space_child"; user: string; space: string; room: string }
  | { action: "insert_member"; server: string; room: string; member: string; method: "plain" | "forged_invite"; as?: string }
  | { action: "insert_device"; server: string; target: string }
  | { action: "collude_invite"; server: string; colluder: string; room: string; member: string; concurrent_with_ban?: boolean; backdate?: number }
  | { action: "substitute_msk"; server: string; target: string }
  | { action: "impersonate_join"; server: string; target: string; room: string }
  | { action: "reinsert_banned"; server: string; room: string; target: string }
  | { action: "forge_leave"; server: string; room: string; target: string }
  | { action: "replay_join"; server: string; from_room: string; to_room: string; target: string }
  | { action: "replay_envelope"; server: string; room: string; victim: string; member: string }
  | { action: "parent_cycle"; server: string; room: string; member: string }
  | { action: "hide_ban"; server: string; room: string; target: string }
  | { action: "split_view"; server: string; room: string; target: string; hide_from: string[] }
  | { action: "substitute_rrk"; server: string; alias: string; member: string }
  | { action: "forge_join_rule"; server: string; room: string; as: string; member: string }
  | { action: "forge_space_child"; server: string; space: string; as: string; member: string }
  | { action: "forge_3pid_invite"; server: string; room: string; member: string }
  | { action: "forge_restricted_join"; server: string; room: string; allowed_room: string; member: string }
  | { action: "insert_torsion_member"; server: string; room: string; member: string };

/** The room-wide power level settings `set_power` can change instead of a user's level. */
export const POWER_SETTINGS = ["invite", "kick", "ban", "state_default", "events_default", "users_default"] as const;
export type PowerSetting = (typeof POWER_SETTINGS)[number];

export const CAPABILITIES = ["forge", "lieAboutKeys", "withhold"] as const;
export type Capability = (typeof CAPABILITIES)[number];

export type StepBase = { fails?: boolean; note?: string };

export interface ModelExpectation {
  outcome: Outcome;
  /** Exactly this many, or `">0"`. Default 0. */
  false_rejections?: number | ">0";
}

export interface Scenario {
  name: string;
  threat: string | null;
  description: string;
  seed: number;
  users: string[];
  adversary: { servers: { name: string; capabilities: Capability[] }[]; colluding: string[] };
  steps: (Step & StepBase)[];
  expect: Partial<Record<ModelId, ModelExpectation>>;
  /** Federation delay, in steps (default 0: every event arrives before the next step). */
  network?: { delay: number };
  /** Membership properties to check after every step (generated attacks): any violation fails the run. */
  properties?: ("soundness" | "completeness")[];
  /** `allowed`: steps the world refuses are part of the run, not errors (generated scenarios). */
  refusals?: "allowed";
  /** Planted verifier bugs this run's property checks use: only in counterexamples of mutation tests. */
  faults?: VerifierFault[];
}

export const HONEST_ACTIONS = ["create", "invite", "join", "leave", "kick", "ban", "set_join_rule", "set_power", "third_party_invite", "bind_3pid", "reset_msk", "add_device", "verify_user", "send", "set_alias", "join_link", "space_add_child", "join_space_child"] as const;
export const ADVERSARIAL_ACTIONS = [
  "insert_member",
  "insert_device",
  "collude_invite",
  "substitute_msk",
  "impersonate_join",
  "reinsert_banned",
  "forge_leave",
  "replay_join",
  "replay_envelope",
  "parent_cycle",
  "hide_ban",
  "split_view",
  "substitute_rrk",
  "forge_join_rule",
  "forge_space_child",
  "forge_3pid_invite",
  "forge_restricted_join",
  "insert_torsion_member",
] as const;
/** Named in DESIGN.md §8 but not yet built into the world: refused with a clear error. */
export const PLANNED_ACTIONS = ["forge_invite", "withhold", "replay_event", "backdate"] as const;

export class ScenarioError extends Error {}

type Obj = Record<string, unknown>;
const isObj = isJsonObject;
const USER_ID = /^@[^:\s]+:[A-Za-z0-9.-]+$/;

/** Fields each action takes, and how to check them. */
const FIELDS: Record<string, Record<string, "user" | "room" | "string" | "server" | "int" | "rule" | "rooms" | "method" | "optional-user" | "colluder" | "optional-member" | "setting" | "users" | "bool" | "optional-bool" | "optional-int">> = {
  create: { user: "user", room: "string" },
  invite: { user: "user", room: "room", target: "user" },
  join: { user: "user", room: "room" },
  leave: { user: "user", room: "room" },
  kick: { user: "user", room: "room", target: "user" },
  ban: { user: "user", room: "room", target: "user" },
  set_join_rule: { user: "user", room: "room", rule: "rule", allow: "rooms" },
  set_power: { user: "user", room: "room", target: "optional-member", setting: "setting", level: "int" },
  third_party_invite: { user: "user", room: "room", address: "string" },
  bind_3pid: { user: "user", address: "string" },
  reset_msk: { user: "user" },
  add_device: { user: "user" },
  verify_user: { user: "user", target: "user" },
  send: { user: "user", room: "room", text: "string" },
  set_alias: { user: "user", room: "room", alias: "string" },
  join_link: { user: "user", alias: "string", from: "user", with_rrk: "bool", room: "string" },
  space_add_child: { user: "user", space: "room", child: "room" },
  join_space_child: { user: "user", space: "room", room: "string" },
  insert_member: { server: "server", room: "room", member: "string", method: "method", as: "optional-user" },
  insert_device: { server: "server", target: "user" },
  collude_invite: { server: "server", colluder: "colluder", room: "room", member: "string", concurrent_with_ban: "optional-bool", backdate: "optional-int" },
  substitute_msk: { server: "server", target: "user" },
  impersonate_join: { server: "server", target: "user", room: "room" },
  reinsert_banned: { server: "server", room: "room", target: "user" },
  forge_leave: { server: "server", room: "room", target: "user" },
  replay_join: { server: "server", from_room: "room", to_room: "room", target: "user" },
  replay_envelope: { server: "server", room: "room", victim: "user", member: "string" },
  parent_cycle: { server: "server", room: "room", member: "string" },
  hide_ban: { server: "server", room: "room", target: "user" },
  split_view: { server: "server", room: "room", target: "user", hide_from: "users" },
  substitute_rrk: { server: "server", alias: "string", member: "string" },
  forge_join_rule: { server: "server", room: "room", as: "user", member: "string" },
  forge_space_child: { server: "server", space: "room", as: "user", member: "string" },
  forge_3pid_invite: { server: "server", room: "room", member: "string" },
  forge_restricted_join: { server: "server", room: "room", allowed_room: "room", member: "string" },
  insert_torsion_member: { server: "server", room: "room", member: "string" },
};

/** Check `value` is a scenario; throws `ScenarioError` naming `file`, the step and the field. */
export function validateScenario(file: string, value: unknown): Scenario {
  const err = (where: string, what: string): never => {
    throw new ScenarioError(`${file}: ${where}: ${what}`);
  };
  if (!isObj(value)) return err("(top)", "a scenario is a JSON object");
  for (const k of ["name", "description"]) if (typeof value[k] !== "string" || value[k] === "") err(k, "must be a non-empty string");
  if (value.threat !== null && (typeof value.threat !== "string" || !/^T\d+$/.test(value.threat))) err("threat", 'must be a catalogue ID like "T1", or null');
  if (!Number.isSafeInteger(value.seed)) err("seed", "must be an integer");
  if (!Array.isArray(value.users) || value.users.length === 0) err("users", "must be a non-empty array of user IDs");
  const users = value.users as unknown[];
  users.forEach((u, i) => {
    if (typeof u !== "string" || !USER_ID.test(u)) err(`users[${i}]`, `${JSON.stringify(u)} is not a user ID like @alice:a.example`);
  });
  if (new Set(users).size !== users.length) err("users", "lists a user twice");
  const adversary = value.adversary ?? { servers: [], colluding: [] };
  if (!isObj(adversary) || !Array.isArray(adversary.servers) || !Array.isArray(adversary.colluding ?? [])) err("adversary", "must be {servers: [...], colluding: [...]}");
  const advServers = (adversary as Obj).servers as unknown[];
  advServers.forEach((s, i) => {
    if (!isObj(s) || typeof s.name !== "string" || !Array.isArray(s.capabilities)) err(`adversary.servers[${i}]`, "must be {name, capabilities}");
    for (const c of (s as Obj).capabilities as unknown[]) if (!(CAPABILITIES as readonly unknown[]).includes(c)) err(`adversary.servers[${i}].capabilities`, `unknown capability ${JSON.stringify(c)} (known: ${CAPABILITIES.join(", ")})`);
  });
  const serverNames = new Set(advServers.map((s) => (s as Obj).name as string));
  const colluding = ((adversary as Obj).colluding ?? []) as unknown[];
  colluding.forEach((c, i) => {
    if (typeof c !== "string" || !users.includes(c)) err(`adversary.colluding[${i}]`, `${JSON.stringify(c)} is not one of the scenario's users`);
  });
  if (value.network !== undefined && (!isObj(value.network) || !Number.isSafeInteger(value.network.delay) || (value.network.delay as number) < 0)) err("network", "must be {delay: a whole number of steps}");
  if (!Array.isArray(value.steps) || value.steps.length === 0) err("steps", "must be a non-empty array");
  const rooms = new Set<string>();
  (value.steps as unknown[]).forEach((step, i) => {
    const at = (field: string) => `steps[${i}].${field}`;
    if (!isObj(step)) return err(`steps[${i}]`, "must be an object");
    const action = step.action;
    if (typeof action !== "string") return err(at("action"), "is missing");
    if ((PLANNED_ACTIONS as readonly string[]).includes(action)) return err(at("action"), `${action} is in the design but not built into the world yet`);
    const fields = FIELDS[action];
    if (!fields) return err(at("action"), `unknown action ${JSON.stringify(action)} (known: ${[...HONEST_ACTIONS, ...ADVERSARIAL_ACTIONS].join(", ")})`);
    for (const k of Object.keys(step)) if (k !== "action" && k !== "fails" && k !== "note" && !(k in fields)) err(at(k), `is not a field of ${action}`);
    if (step.fails !== undefined && typeof step.fails !== "boolean") err(at("fails"), "must be true or false");
    for (const [field, kind] of Object.entries(fields)) {
      const v = step[field];
      if (v === undefined && (kind === "rooms" || kind === "optional-user" || kind === "optional-member" || kind === "setting" || kind === "optional-bool" || kind === "optional-int")) continue;
      switch (kind) {
        case "user":
          if (typeof v !== "string" || !users.includes(v)) err(at(field), `${JSON.stringify(v)} is not one of the scenario's users`);
          break;
        case "optional-user":
          if (typeof v !== "string" || !USER_ID.test(v)) err(at(field), `${JSON.stringify(v)} is not a user ID`);
          break;
        case "room":
          if (typeof v !== "string" || !rooms.has(v)) err(at(field), `${JSON.stringify(v)} is not a room created by an earlier step`);
          break;
        case "rooms":
          if (!Array.isArray(v) || v.some((r) => typeof r !== "string" || !rooms.has(r))) err(at(field), "must be a list of rooms created by earlier steps");
          break;
        case "string":
          if (typeof v !== "string" || v === "") err(at(field), "must be a non-empty string");
          break;
        case "server":
          if (typeof v !== "string" || !serverNames.has(v)) err(at(field), `${JSON.stringify(v)} is not a server in adversary.servers`);
          break;
        case "int":
          if (!Number.isSafeInteger(v)) err(at(field), "must be an integer");
          break;
        case "rule":
          if (v !== "public" && v !== "restricted" && v !== "invite") err(at(field), "must be public, restricted or invite");
          break;
        case "optional-member":
          if (typeof v !== "string" || !users.includes(v)) err(at(field), `${JSON.stringify(v)} is not one of the scenario's users`);
          break;
        case "setting":
          if (!(POWER_SETTINGS as readonly unknown[]).includes(v)) err(at(field), `must be one of ${POWER_SETTINGS.join(", ")}`);
          break;
        case "optional-int":
          if (!Number.isSafeInteger(v)) err(at(field), "must be an integer");
          break;
        case "optional-bool":
        case "bool":
          if (typeof v !== "boolean") err(at(field), "must be true or false");
          break;
        case "users":
          if (!Array.isArray(v) || v.length === 0 || v.some((u) => typeof u !== "string" || !users.includes(u))) err(at(field), "must be a non-empty list of the scenario's users");
          break;
        case "colluder":
          if (typeof v !== "string" || !colluding.includes(v)) err(at(field), `${JSON.stringify(v)} is not in adversary.colluding`);
          break;
        case "method":
          if (v !== "plain" && v !== "forged_invite") err(at(field), "must be plain or forged_invite");
          break;
      }
    }
    if (action === "create" || action === "join_link" || action === "join_space_child") {
      // join_link and join_space_child name, as a new handle, whatever room they lead this user to.
      if (rooms.has(step.room as string)) err(at("room"), `room ${JSON.stringify(step.room)} is created twice`);
      rooms.add(step.room as string);
    }
    if (action === "set_power" && (step.target === undefined) === (step.setting === undefined)) err(`steps[${i}]`, "set_power takes either target (a user's level) or setting (a room-wide level)");
    if (action === "insert_member" && step.method === "forged_invite" && step.as === undefined) err(at("as"), "forged_invite needs the member the invite pretends to come from");
  });
  if (value.properties !== undefined && (!Array.isArray(value.properties) || value.properties.some((p) => p !== "soundness" && p !== "completeness"))) err("properties", "must be a list of soundness, completeness");
  if (value.refusals !== undefined && value.refusals !== "allowed") err("refusals", 'must be "allowed" if given');
  if (value.faults !== undefined && (!Array.isArray(value.faults) || value.faults.some((f) => f !== "skip_invite_user_key"))) err("faults", "must be a list of planted bugs: skip_invite_user_key");
  const checksProperties = Array.isArray(value.properties) && value.properties.length > 0;
  if (!isObj(value.expect) || (Object.keys(value.expect).length === 0 && !checksProperties)) err("expect", `must give the outcome for each model (${MODEL_IDS.join(", ")}), unless the scenario checks properties`);
  for (const [model, e] of Object.entries(value.expect as Obj)) {
    if (!(MODEL_IDS as readonly string[]).includes(model)) err(`expect.${model}`, `unknown model (known: ${MODEL_IDS.join(", ")})`);
    const exp = typeof e === "string" ? { outcome: e } : e;
    if (!isObj(exp) || !["prevented", "detected", "breach"].includes(exp.outcome as string)) err(`expect.${model}`, "must be prevented, detected or breach, or {outcome, false_rejections}");
    const fr = (exp as Obj).false_rejections;
    if (fr !== undefined && fr !== ">0" && !Number.isSafeInteger(fr)) err(`expect.${model}.false_rejections`, 'must be a number or ">0"');
  }
  const expect = Object.fromEntries(Object.entries(value.expect as Obj).map(([m, e]) => [m, typeof e === "string" ? { outcome: e } : e])) as Scenario["expect"];
  return { ...(value as unknown as Scenario), adversary: { servers: advServers as Scenario["adversary"]["servers"], colluding: ((adversary as Obj).colluding as string[]) ?? [] }, expect };
}
