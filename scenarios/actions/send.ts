import { field, defineAction } from "./schema.ts";
import { actsIn, powerOf } from "./state.ts";

export const send = defineAction({
  name: "send",
  description: "a member sends an encrypted message; the defence model picks who gets the room key",
  honest: true,
  needs: [],
  fields: { user: field.user, room: field.room, text: field.string },
  pre(s, step) {
    const room = actsIn(s, step.room, step.user);
    return !!room && powerOf(room, step.user) >= room.levels.events_default;
  },
  next: () => {},
  async run(ctx, step) {
    await ctx.client(step.user).send(ctx.room(step.room), ctx.nextMessage(), step.text);
  },
});
