import { field, defineAction } from "./schema.ts";
import { serverIn } from "./state.ts";

export const silence = defineAction({
  name: "silence",
  description:
    "the server drops every later message of `users` in the room: served to none of its other users and not federated (for `steps` flushes each, if given)",
  honest: false,
  needs: ["withhold"],
  fields: { server: field.server, room: field.room, users: field.users, steps: field.optional(field.int) },
  check: (step) =>
    step.users.length === 0
      ? ["users", "must name at least one user"]
      : step.steps !== undefined && step.steps < 1
        ? ["steps", "must be at least 1"]
        : undefined,
  pre: (s, step) => serverIn(s, step.server, "withhold", s.rooms.get(step.room)),
  next: () => {},
  async run(ctx, step) {
    const room = ctx.namedRoom(step.room);
    for (const sender of step.users)
      ctx.server(step.server).withhold({
        room,
        sender,
        kind: "message",
        from: "all",
        when: "next",
        every: true,
        ...(step.steps !== undefined ? { flushes: step.steps } : {}),
      });
  },
});
