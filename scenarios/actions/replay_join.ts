import { field, defineAction } from "./schema.ts";
import { serverIn } from "./state.ts";

export const replay_join = defineAction({
  name: "replay_join",
  description: "the server replays `target`'s signed join from one room into another, its signature untouched",
  honest: false,
  needs: ["forge"],
  fields: { server: field.server, from_room: field.room, to_room: field.room, target: field.user },
  pre(s, step) {
    const from = s.rooms.get(step.from_room);
    const to = s.rooms.get(step.to_room);
    return (
      !!from &&
      !!to &&
      from !== to &&
      serverIn(s, step.server, "forge", from) &&
      serverIn(s, step.server, "forge", to) &&
      from.everJoined.has(step.target)
    );
  },
  next: (s, step) => void s.rooms.get(step.to_room)!.uncertain.add(step.target),
  async run(ctx, step) {
    ctx.adversary.replayJoin(
      ctx.server(step.server),
      ctx.namedRoom(step.from_room),
      ctx.namedRoom(step.to_room),
      step.target,
    );
  },
});
