import { field, defineAction } from "./schema.ts";
import { hosts, serverIn, setMembership } from "./state.ts";

export const forge_3pid_invite = defineAction({
  name: "forge_3pid_invite",
  description:
    "the server makes a third-party invite for a user it makes, with the binding signed by an identity-server key of its own",
  honest: false,
  forgesMember: true,
  needs: ["forge"],
  fields: { server: field.server, room: field.room, member: field.string },
  pre(s, step) {
    const room = s.rooms.get(step.room);
    return (
      !!room && serverIn(s, step.server, "forge", room) && room.thirdPartyInvites > 0 && hosts(step.server, step.member)
    );
  },
  next: (s, step) => setMembership(s.rooms.get(step.room)!, step.member, "join"),
  async run(ctx, step) {
    ctx.adversary.forgeThirdPartyInvite(ctx.server(step.server), ctx.namedRoom(step.room), step.member);
    ctx.membership(ctx.namedRoom(step.room), step.member, "join", step.server, false);
  },
});
