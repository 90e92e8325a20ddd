import { field, defineAction } from "./schema.ts";
import { actsIn, powerOf } from "./state.ts";

export const set_join_rule = defineAction({
  name: "set_join_rule",
  description: "a member sets the join rule: public, restricted (to members of the `allow` rooms) or invite",
  honest: true,
  needs: [],
  fields: {
    user: field.user,
    room: field.room,
    rule: field.oneOf(["public", "restricted", "invite"], "public, restricted or invite"),
    allow: field.optional(field.rooms),
  },
  pre(s, step) {
    const room = actsIn(s, step.room, step.user);
    const allow = step.allow ?? [];
    return (
      !!room &&
      powerOf(room, step.user) >= room.levels.state_default &&
      allow.every((h) => s.rooms.has(h)) &&
      (step.rule !== "restricted" || allow.length > 0)
    );
  },
  next(s, step) {
    const room = s.rooms.get(step.room)!;
    room.joinRule = step.rule;
    room.hasJoinRuleEvent = true;
    room.allow = (step.allow ?? []).map((h) => s.rooms.get(h)!);
  },
  async run(ctx, step) {
    await ctx.client(step.user).setJoinRule(ctx.room(step.room), step.rule, (step.allow ?? []).map(ctx.room));
  },
});
