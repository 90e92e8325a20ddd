import { field, defineAction } from "./schema.ts";
import { hosts, serverIn, setMembership } from "./state.ts";

export const collude_invite = defineAction({
  name: "collude_invite",
  description: "a colluding member hands over their keys; the server signs an invite with them for a user it makes, whatever the rules say",
  honest: false,
  needs: ["forge", "colluder"],
  fields: { server: field.server, colluder: field.colluder, room: field.room, member: field.string, concurrent_with_ban: field.optional(field.bool), backdate: field.optional(field.int) },
  pre(s, step) {
    const room = s.rooms.get(step.room);
    return !!room && serverIn(s, step.server, "forge", room) && room.everJoined.has(step.colluder) && hosts(step.server, step.member);
  },
  next: (s, step) => setMembership(s.rooms.get(step.room)!, step.member, "join"),
  async run(ctx, step) {
    const roomId = ctx.namedRoom(step.room);
    const options = { concurrentWithBan: step.concurrent_with_ban ?? false, backdate: step.backdate ?? 0 };
    ctx.adversary.colludeInvite(ctx.server(step.server), ctx.client(step.colluder), roomId, step.member, options);
    ctx.membership(roomId, step.member, "join", step.colluder, false);
  },
});
