import { field, defineAction } from "./schema.ts";
import { hosts, serverIn, setMembership } from "./state.ts";

export const forge_restricted_join = defineAction({
  name: "forge_restricted_join",
  description:
    "the server joins a user it makes through the restricted rule, with a forged proof of membership in `allowed_room`",
  honest: false,
  forgesMember: true,
  needs: ["forge"],
  fields: { server: field.server, room: field.room, allowed_room: field.room, member: field.string },
  pre(s, step) {
    const room = s.rooms.get(step.room);
    const allowed = s.rooms.get(step.allowed_room);
    return (
      !!room &&
      !!allowed &&
      room !== allowed &&
      !allowed.adversarial &&
      room.hasJoinRuleEvent &&
      serverIn(s, step.server, "forge", room) &&
      hosts(step.server, step.member)
    );
  },
  next: (s, step) => setMembership(s.rooms.get(step.room)!, step.member, "join"),
  async run(ctx, step) {
    ctx.adversary.forgeRestrictedJoin(
      ctx.server(step.server),
      ctx.namedRoom(step.room),
      ctx.namedRoom(step.allowed_room),
      step.member,
    );
    ctx.membership(ctx.namedRoom(step.room), step.member, "join", step.server, false);
  },
});
