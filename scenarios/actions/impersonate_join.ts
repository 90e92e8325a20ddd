import { field, defineAction } from "./schema.ts";
import { serverIn } from "./state.ts";

export const impersonate_join = defineAction({
  name: "impersonate_join",
  description:
    "the server forges a join for `target` signed with substitute keys, on the latest invite for them (or the join rule)",
  honest: false,
  forgesMember: true,
  needs: ["forge"],
  fields: { server: field.server, target: field.user, room: field.room },
  pre(s, step) {
    const room = s.rooms.get(step.room);
    return (
      !!room && serverIn(s, step.server, "forge", room) && (room.everInvited.has(step.target) || room.hasJoinRuleEvent)
    );
  },
  next: (s, step) => void s.rooms.get(step.room)!.uncertain.add(step.target),
  async run(ctx, step) {
    ctx.adversary.impersonateJoin(ctx.server(step.server), step.target, ctx.namedRoom(step.room));
  },
});
