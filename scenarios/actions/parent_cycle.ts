import { field, defineAction } from "./schema.ts";
import { hosts, serverIn, setMembership } from "./state.ts";

export const parent_cycle = defineAction({
  name: "parent_cycle",
  description:
    'a fake event-ID mapping makes a parent cycle: a join for a user the server makes rests on an "invite" that rests on it',
  honest: false,
  needs: ["forge"],
  fields: { server: field.server, room: field.room, member: field.string },
  pre: (s, step) => serverIn(s, step.server, "forge", s.rooms.get(step.room)) && hosts(step.server, step.member),
  next: (s, step) => setMembership(s.rooms.get(step.room)!, step.member, "join"),
  async run(ctx, step) {
    ctx.adversary.parentCycle(ctx.server(step.server), ctx.namedRoom(step.room), step.member);
    ctx.membership(ctx.namedRoom(step.room), step.member, "join", step.server, false);
  },
});
