import { field, defineAction } from "./schema.ts";
import { actsIn, powerOf, setMembership } from "./state.ts";

export const ban = defineAction({
  name: "ban",
  description: "a member with the ban power level bans a user of lower power",
  honest: true,
  needs: [],
  fields: { user: field.user, room: field.room, target: field.user },
  pre(s, step) {
    const room = actsIn(s, step.room, step.user);
    if (!room || step.target === step.user || room.uncertain.has(step.target)) return false;
    const m = room.members.get(step.target);
    const power = powerOf(room, step.user);
    return power >= room.levels.ban && power > powerOf(room, step.target);
  },
  next: (s, step) => setMembership(s.rooms.get(step.room)!, step.target, "ban"),
  async run(ctx, step) {
    await ctx.client(step.user).setMembership(ctx.room(step.room), step.target, "ban");
    ctx.membership(ctx.room(step.room), step.target, "ban", step.user);
  },
});
