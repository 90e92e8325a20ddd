import { field, defineAction } from "./schema.ts";
import { serverIn } from "./state.ts";

export const forge_leave = defineAction({
  name: "forge_leave",
  description: "the server forges a plain leave for `target`, as if they sent it",
  honest: false,
  needs: ["forge"],
  fields: { server: field.server, room: field.room, target: field.user },
  pre: (s, step) => serverIn(s, step.server, "forge", s.rooms.get(step.room)),
  next: (s, step) => void s.rooms.get(step.room)!.uncertain.add(step.target),
  async run(ctx, step) {
    ctx.adversary.forgeLeave(ctx.server(step.server), ctx.namedRoom(step.room), step.target);
  },
});
