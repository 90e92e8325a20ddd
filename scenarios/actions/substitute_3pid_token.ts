import { field, defineAction } from "./schema.ts";
import { hosts, serverIn, setMembership } from "./state.ts";

export const substitute_3pid_token = defineAction({
  name: "substitute_3pid_token",
  description:
    "a user the server makes binds `address` for an invite stored elsewhere; the server copies the room's genuine third-party invite under that token and joins the user",
  honest: false,
  forgesMember: true,
  needs: ["forge"],
  fields: { server: field.server, room: field.room, member: field.string, address: field.string },
  pre(s, step) {
    const room = s.rooms.get(step.room);
    return (
      !!room && serverIn(s, step.server, "forge", room) && room.thirdPartyInvites > 0 && hosts(step.server, step.member)
    );
  },
  next: (s, step) => setMembership(s.rooms.get(step.room)!, step.member, "join"),
  async run(ctx, step) {
    ctx.adversary.substituteThirdPartyToken(
      ctx.server(step.server),
      ctx.namedRoom(step.room),
      step.member,
      step.address,
    );
    ctx.membership(ctx.namedRoom(step.room), step.member, "join", step.server, false);
  },
});
