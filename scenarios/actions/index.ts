/**
 * The action registry: every scenario action, one module each in this folder. The step type, the
 * validator, the runner, `--help`, the README's list and the generators all read it, so adding an
 * action is adding its module, its line here, and its arbitrary in attacks/generate.ts.
 */
import { create } from "./create.ts";
import { invite } from "./invite.ts";
import { join } from "./join.ts";
import { leave } from "./leave.ts";
import { kick } from "./kick.ts";
import { ban } from "./ban.ts";
import { set_join_rule } from "./set_join_rule.ts";
import { set_power } from "./set_power.ts";
import { third_party_invite } from "./third_party_invite.ts";
import { bind_3pid } from "./bind_3pid.ts";
import { reset_msk } from "./reset_msk.ts";
import { add_device } from "./add_device.ts";
import { verify_user } from "./verify_user.ts";
import { send } from "./send.ts";
import { set_alias } from "./set_alias.ts";
import { join_link } from "./join_link.ts";
import { space_add_child } from "./space_add_child.ts";
import { join_space_child } from "./join_space_child.ts";
import { insert_member } from "./insert_member.ts";
import { insert_device } from "./insert_device.ts";
import { collude_invite } from "./collude_invite.ts";
import { substitute_msk } from "./substitute_msk.ts";
import { impersonate_join } from "./impersonate_join.ts";
import { reinsert_banned } from "./reinsert_banned.ts";
import { forge_leave } from "./forge_leave.ts";
import { replay_join } from "./replay_join.ts";
import { replay_envelope } from "./replay_envelope.ts";
import { parent_cycle } from "./parent_cycle.ts";
import { hide_ban } from "./hide_ban.ts";
import { split_view } from "./split_view.ts";
import { substitute_rrk } from "./substitute_rrk.ts";
import { forge_join_rule } from "./forge_join_rule.ts";
import { forge_space_child } from "./forge_space_child.ts";
import { forge_3pid_invite } from "./forge_3pid_invite.ts";
import { forge_restricted_join } from "./forge_restricted_join.ts";
import { insert_torsion_member } from "./insert_torsion_member.ts";
import { replay_join_rule } from "./replay_join_rule.ts";
import { substitute_3pid_token } from "./substitute_3pid_token.ts";
import { rewrite_creator } from "./rewrite_creator.ts";
import { withhold } from "./withhold.ts";
import { fork_next } from "./fork_next.ts";
import { silence } from "./silence.ts";
import type { ActionDef, StepFields } from "./schema.ts";

export const ACTIONS = {
  create,
  invite,
  join,
  leave,
  kick,
  ban,
  set_join_rule,
  set_power,
  third_party_invite,
  bind_3pid,
  reset_msk,
  add_device,
  verify_user,
  send,
  set_alias,
  join_link,
  space_add_child,
  join_space_child,
  insert_member,
  insert_device,
  collude_invite,
  substitute_msk,
  impersonate_join,
  reinsert_banned,
  forge_leave,
  replay_join,
  replay_envelope,
  parent_cycle,
  hide_ban,
  split_view,
  substitute_rrk,
  forge_join_rule,
  forge_space_child,
  forge_3pid_invite,
  forge_restricted_join,
  insert_torsion_member,
  replay_join_rule,
  substitute_3pid_token,
  rewrite_creator,
  withhold,
  silence,
  fork_next,
} as const;

export type Action = keyof typeof ACTIONS;
type Def<A extends Action> = (typeof ACTIONS)[A];
/** One scenario step: its action and that action's fields. */
export type Step = { [A in Action]: { action: A } & StepFields<Def<A>["fields"]> }[Action];
export type StepOf<A extends Action> = Extract<Step, { action: A }>;

export const ACTION_NAMES = Object.keys(ACTIONS) as Action[];
export const HONEST_ACTIONS = ACTION_NAMES.filter((a) => ACTIONS[a].honest);
export const ADVERSARIAL_ACTIONS = ACTION_NAMES.filter((a) => !ACTIONS[a].honest);

/** The registry entry for a step, typed loosely: what the runner and the validator loop over. */
export const actionOf = (name: string): ActionDef | undefined =>
  Object.hasOwn(ACTIONS, name) ? (ACTIONS[name as Action] as unknown as ActionDef) : undefined;

/** The list of actions, one a line, as `--help` and the README give it (a test keeps the README equal to it). */
export function actionList(): string {
  const line = (a: Action) => {
    const def = ACTIONS[a] as unknown as ActionDef;
    const needs = def.needs.length ? ` (needs ${def.needs.join(", ")})` : "";
    return `- \`${a}\`${needs}: ${def.description}`;
  };
  return ["Honest:", ...HONEST_ACTIONS.map(line), "", "Adversarial:", ...ADVERSARIAL_ACTIONS.map(line)].join("\n");
}
