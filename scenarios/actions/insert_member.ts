import { field, defineAction } from "./schema.ts";
import { hosts, serverIn, setMembership } from "./state.ts";

export const insert_member = defineAction({
  name: "insert_member",
  description:
    'the server puts a user it makes into the room: a plain join, or a forged invite "from" `as` and a signed join',
  honest: false,
  forgesMember: true,
  needs: ["forge"],
  fields: {
    server: field.server,
    room: field.room,
    member: field.string,
    method: field.oneOf(["plain", "forged_invite"], "plain or forged_invite"),
    as: field.optional(field.userId),
  },
  check: (step) =>
    step.method === "forged_invite" && step.as === undefined
      ? ["as", "forged_invite needs the member the invite pretends to come from"]
      : undefined,
  pre: (s, step) => serverIn(s, step.server, "forge", s.rooms.get(step.room)) && hosts(step.server, step.member),
  next: (s, step) => setMembership(s.rooms.get(step.room)!, step.member, "join"),
  async run(ctx, step) {
    const roomId = ctx.namedRoom(step.room);
    ctx.adversary.insertMember(ctx.server(step.server), roomId, step.member, step.method, step.as);
    ctx.membership(roomId, step.member, "join", step.server, false);
  },
});
