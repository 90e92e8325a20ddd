import { field, defineAction } from "./schema.ts";
import { actsIn, powerOf, setMembership } from "./state.ts";

export const invite = defineAction({
  name: "invite",
  description: "a member invites a user, signing the invite with their RSK for the user's MSK",
  honest: true,
  needs: [],
  fields: { user: field.user, room: field.room, target: field.user },
  pre(s, step) {
    const room = actsIn(s, step.room, step.user);
    const m = room?.members.get(step.target);
    return (
      !!room &&
      powerOf(room, step.user) >= room.levels.invite &&
      m !== "join" &&
      m !== "ban" &&
      !room.uncertain.has(step.target)
    );
  },
  next: (s, step) => setMembership(s.rooms.get(step.room)!, step.target, "invite"),
  async run(ctx, step) {
    await ctx.client(step.user).invite(ctx.room(step.room), step.target);
  },
});
