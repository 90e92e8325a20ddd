import { field, defineAction } from "./schema.ts";
import { serverIn } from "./state.ts";

export const hide_ban = defineAction({
  name: "hide_ban",
  description: "the server hides the latest ban of `target` from everything it serves",
  honest: false,
  needs: ["withhold"],
  fields: { server: field.server, room: field.room, target: field.user },
  pre(s, step) {
    const room = s.rooms.get(step.room);
    return !!room && serverIn(s, step.server, "withhold", room) && room.everBanned.has(step.target);
  },
  next: (s, step) => void s.rooms.get(step.room)!.uncertain.add(step.target),
  async run(ctx, step) {
    ctx.adversary.hideBan(ctx.server(step.server), ctx.namedRoom(step.room), step.target);
  },
});
