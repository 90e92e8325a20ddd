import { field, defineAction } from "./schema.ts";
import { hosts, newRoom, serverIn } from "./state.ts";

export const forge_space_child = defineAction({
  name: "forge_space_child",
  description:
    'the server lists a room of its own in a space, in an m.space.child "from" `as` signed with an RSK it made',
  honest: false,
  needs: ["forge"],
  fields: { server: field.server, space: field.room, as: field.user, member: field.string },
  pre: (s, step) => serverIn(s, step.server, "forge", s.rooms.get(step.space)) && hosts(step.server, step.member),
  next: (s, step) => void s.rooms.get(step.space)!.children.push(newRoom(step.member, true)),
  async run(ctx, step) {
    ctx.adversary.forgeSpaceChild(ctx.server(step.server), ctx.namedRoom(step.space), step.as, step.member);
  },
});
