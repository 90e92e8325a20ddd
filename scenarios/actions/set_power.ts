import { POWER_SETTINGS, field, defineAction } from "./schema.ts";
import { actsIn, powerOf } from "./state.ts";

export const set_power = defineAction({
  name: "set_power",
  description: "a member sets a user's power level (`target`), or a room-wide one (`setting`, such as `invite`)",
  honest: true,
  needs: [],
  fields: {
    user: field.user,
    room: field.room,
    target: field.optional(field.user),
    setting: field.optional(field.oneOf(POWER_SETTINGS, `one of ${POWER_SETTINGS.join(", ")}`)),
    level: field.int,
  },
  check: (step) =>
    (step.target === undefined) === (step.setting === undefined)
      ? [null, "set_power takes either target (a user's level) or setting (a room-wide level)"]
      : undefined,
  pre(s, step) {
    const room = actsIn(s, step.room, step.user);
    if (!room) return false;
    const mine = powerOf(room, step.user);
    if (mine < room.levels.state_default || step.level > mine) return false;
    return (
      step.target === undefined ||
      (!room.uncertain.has(step.target) && (step.target === step.user || powerOf(room, step.target) < mine))
    );
  },
  next(s, step) {
    const room = s.rooms.get(step.room)!;
    if (step.target !== undefined) room.power.set(step.target, step.level);
    if (step.setting !== undefined) room.levels[step.setting] = step.level;
  },
  async run(ctx, step) {
    await ctx.client(step.user).setPower(ctx.room(step.room), step.target ?? null, step.setting ?? null, step.level);
  },
});
