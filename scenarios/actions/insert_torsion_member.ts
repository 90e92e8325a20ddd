import { field, defineAction } from "./schema.ts";
import { hosts, serverIn, setMembership } from "./state.ts";

export const insert_torsion_member = defineAction({
  name: "insert_torsion_member",
  description:
    'the server joins a user it makes whose RSK is the identity point, with the "universal" signature R = identity, S = 0',
  honest: false,
  needs: ["forge"],
  fields: { server: field.server, room: field.room, member: field.string },
  pre: (s, step) => serverIn(s, step.server, "forge", s.rooms.get(step.room)) && hosts(step.server, step.member),
  next: (s, step) => setMembership(s.rooms.get(step.room)!, step.member, "join"),
  async run(ctx, step) {
    ctx.adversary.insertTorsionMember(ctx.server(step.server), ctx.namedRoom(step.room), step.member);
    ctx.membership(ctx.namedRoom(step.room), step.member, "join", step.server, false);
  },
});
