import { field, defineAction } from "./schema.ts";
import { setMembership } from "./state.ts";

export const leave = defineAction({
  name: "leave",
  description: "a member leaves the room",
  honest: true,
  needs: [],
  fields: { user: field.user, room: field.room },
  pre(s, step) {
    const room = s.rooms.get(step.room);
    const m = room?.members.get(step.user);
    return !!room && !room.adversarial && !room.uncertain.has(step.user) && (m === "join" || m === "invite");
  },
  next: (s, step) => setMembership(s.rooms.get(step.room)!, step.user, "leave"),
  async run(ctx, step) {
    await ctx.client(step.user).setMembership(ctx.room(step.room), step.user, "leave");
    ctx.membership(ctx.room(step.room), step.user, "leave", step.user);
  },
});
