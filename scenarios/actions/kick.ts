import { field, defineAction } from "./schema.ts";
import { actsIn, powerOf, setMembership } from "./state.ts";

export const kick = defineAction({
  name: "kick",
  description: "a member with the kick power level removes a member of lower power",
  honest: true,
  needs: [],
  fields: { user: field.user, room: field.room, target: field.user },
  pre(s, step) {
    const room = actsIn(s, step.room, step.user);
    if (!room || step.target === step.user || room.uncertain.has(step.target)) return false;
    const m = room.members.get(step.target);
    const power = powerOf(room, step.user);
    return (m === "join" || m === "invite") && power >= room.levels.kick && power > powerOf(room, step.target);
  },
  next: (s, step) => setMembership(s.rooms.get(step.room)!, step.target, "leave"),
  async run(ctx, step) {
    await ctx.client(step.user).setMembership(ctx.room(step.room), step.target, "leave");
    ctx.membership(ctx.room(step.room), step.target, "leave", step.user);
  },
});
