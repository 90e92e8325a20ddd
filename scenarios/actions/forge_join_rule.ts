import { field, defineAction } from "./schema.ts";
import { hosts, serverIn, setMembership } from "./state.ts";

export const forge_join_rule = defineAction({
  name: "forge_join_rule",
  description:
    'the server forges a public join rule "from" `as`, signed with an RSK it made, and joins a user it makes through it',
  honest: false,
  forgesMember: true,
  needs: ["forge"],
  fields: { server: field.server, room: field.room, as: field.user, member: field.string },
  pre: (s, step) => serverIn(s, step.server, "forge", s.rooms.get(step.room)) && hosts(step.server, step.member),
  next: (s, step) => setMembership(s.rooms.get(step.room)!, step.member, "join"),
  async run(ctx, step) {
    ctx.adversary.forgeJoinRule(ctx.server(step.server), ctx.namedRoom(step.room), step.as, step.member);
    ctx.membership(ctx.namedRoom(step.room), step.member, "join", step.server, false);
  },
});
