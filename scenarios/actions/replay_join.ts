import { field, defineAction } from "./schema.ts";
import { serverCan } from "./state.ts";

export const replay_join = defineAction({
  name: "replay_join",
  description: "the server replays `target`'s signed join from one room into another, its signature untouched",
  honest: false,
  needs: ["forge"],
  fields: { server: field.server, from_room: field.room, to_room: field.room, target: field.user },
  pre(s, step) {
    const from = s.rooms.get(step.from_room);
    const to = s.rooms.get(step.to_room);
    return !!from && !!to && from !== to && serverCan(s, step.server, "forge", from) && serverCan(s, step.server, "forge", to) && from.everJoined.has(step.target);
  },
  next: (s, step) => void s.rooms.get(step.to_room)!.uncertain.add(step.target),
  async run(ctx, step) {
    ctx.adversary.replayJoin(ctx.server(step.server), ctx.room(step.from_room), ctx.room(step.to_room), step.target);
  },
});
