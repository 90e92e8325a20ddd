import { field, defineAction } from "./schema.ts";
import { canJoin, setMembership } from "./state.ts";

export const join = defineAction({
  name: "join",
  description: "a user joins: through an invite, or a public or restricted join rule",
  honest: true,
  needs: [],
  fields: { user: field.user, room: field.room },
  pre(s, step) {
    const room = s.rooms.get(step.room);
    return !!room && !room.adversarial && canJoin(s, room, step.user);
  },
  next: (s, step) => setMembership(s.rooms.get(step.room)!, step.user, "join"),
  async run(ctx, step) {
    await ctx.client(step.user).join(ctx.room(step.room));
    ctx.membership(ctx.room(step.room), step.user, "join", step.user);
  },
});
