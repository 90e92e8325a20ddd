import { field, defineAction } from "./schema.ts";
import { actsIn, powerOf } from "./state.ts";

export const third_party_invite = defineAction({
  name: "third_party_invite",
  description:
    "a member invites a third-party address (an identity-server token and a signed m.room.third_party_invite)",
  honest: true,
  needs: [],
  fields: { user: field.user, room: field.room, address: field.string },
  pre(s, step) {
    const room = actsIn(s, step.room, step.user);
    return !!room && powerOf(room, step.user) >= room.levels.state_default && !s.bound.has(step.address);
  },
  next(s, step) {
    const room = s.rooms.get(step.room)!;
    room.thirdPartyInvites++;
    s.pending3pid.set(step.address, [...(s.pending3pid.get(step.address) ?? []), room]);
  },
  async run(ctx, step) {
    await ctx.client(step.user).thirdPartyInvite(ctx.room(step.room), step.address);
  },
});
