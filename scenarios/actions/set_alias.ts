import { field, defineAction } from "./schema.ts";
import { actsIn, serverOf } from "./state.ts";

export const set_alias = defineAction({
  name: "set_alias",
  description: "a member sets an alias on their own server for the room",
  honest: true,
  needs: [],
  fields: { user: field.user, room: field.room, alias: field.string },
  pre: (s, step) =>
    !!actsIn(s, step.room, step.user) && step.alias.endsWith(`:${serverOf(step.user)}`) && !s.aliases.has(step.alias),
  next: (s, step) => void s.aliases.set(step.alias, s.rooms.get(step.room)!),
  async run(ctx, step) {
    ctx.client(step.user).server.setAlias(step.user, step.alias, ctx.room(step.room));
    ctx.aliases.set(step.alias, ctx.room(step.room));
  },
});
