import { field, defineAction } from "./schema.ts";
import { hosts, serverIn, setMembership } from "./state.ts";

export const replay_join_rule = defineAction({
  name: "replay_join_rule",
  description:
    "the server serves `from_room`'s public or restricted join rule in `to_room` (its parent remapped to its sender's cause there) and joins a user it makes through it",
  honest: false,
  forgesMember: true,
  needs: ["forge"],
  fields: { server: field.server, from_room: field.room, to_room: field.room, member: field.string },
  pre(s, step) {
    const from = s.rooms.get(step.from_room);
    const to = s.rooms.get(step.to_room);
    return (
      !!from &&
      !!to &&
      from !== to &&
      from.hasJoinRuleEvent &&
      from.joinRule !== "invite" &&
      serverIn(s, step.server, "forge", to) &&
      hosts(step.server, step.member)
    );
  },
  next: (s, step) => setMembership(s.rooms.get(step.to_room)!, step.member, "join"),
  async run(ctx, step) {
    const toRoom = ctx.namedRoom(step.to_room);
    ctx.adversary.replayJoinRule(ctx.server(step.server), ctx.namedRoom(step.from_room), toRoom, step.member);
    ctx.membership(toRoom, step.member, "join", step.server, false);
  },
});
