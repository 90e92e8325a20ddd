import { field, defineAction } from "./schema.ts";
import { serverIn } from "./state.ts";

export const reinsert_banned = defineAction({
  name: "reinsert_banned",
  description: "the server makes `target`'s last join current again after a ban, in what it serves",
  honest: false,
  needs: ["forge"],
  fields: { server: field.server, room: field.room, target: field.user },
  pre(s, step) {
    const room = s.rooms.get(step.room);
    return !!room && serverIn(s, step.server, "forge", room) && room.everJoined.has(step.target);
  },
  next: (s, step) => void s.rooms.get(step.room)!.uncertain.add(step.target),
  async run(ctx, step) {
    ctx.adversary.reinsertBanned(ctx.server(step.server), ctx.namedRoom(step.room), step.target);
  },
});
