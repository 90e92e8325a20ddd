import { field, defineAction } from "./schema.ts";
import { serverIn } from "./state.ts";

export const split_view = defineAction({
  name: "split_view",
  description: "the server hides the latest ban of `target` from some of its users only (`hide_from`)",
  honest: false,
  needs: ["withhold"],
  fields: { server: field.server, room: field.room, target: field.user, hide_from: field.users },
  pre(s, step) {
    const room = s.rooms.get(step.room);
    return !!room && serverIn(s, step.server, "withhold", room) && room.everBanned.has(step.target);
  },
  next: (s, step) => void s.rooms.get(step.room)!.uncertain.add(step.target),
  async run(ctx, step) {
    ctx.adversary.splitView(ctx.server(step.server), ctx.namedRoom(step.room), step.target, step.hide_from);
  },
});
