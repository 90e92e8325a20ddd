import { field, defineAction } from "./schema.ts";
import { hosts, serverIn, setMembership } from "./state.ts";

export const rewrite_creator = defineAction({
  name: "rewrite_creator",
  description:
    "the server rewrites the unsigned `sender` of the create event to a user it makes, publishes the creator's MSK as theirs, and forges their plain join",
  honest: false,
  forgesMember: true,
  needs: ["forge"],
  fields: { server: field.server, room: field.room, member: field.string },
  pre(s, step) {
    const room = s.rooms.get(step.room);
    return !!room && !room.adversarial && serverIn(s, step.server, "forge", room) && hosts(step.server, step.member);
  },
  next(s, step) {
    const room = s.rooms.get(step.room)!;
    setMembership(room, step.member, "join");
    // Who the creator is, servers now disagree on.
    room.uncertain.add(room.creator);
  },
  async run(ctx, step) {
    ctx.adversary.rewriteCreator(ctx.server(step.server), ctx.namedRoom(step.room), step.member);
    ctx.membership(ctx.namedRoom(step.room), step.member, "join", step.server, false);
  },
});
