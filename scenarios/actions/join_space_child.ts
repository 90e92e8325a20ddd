import { field, defineAction } from "./schema.ts";
import { actsIn, canJoin, setMembership } from "./state.ts";

export const join_space_child = defineAction({
  name: "join_space_child",
  description: "a member of a space joins the room it lists last (an MSC3917 client first verifies the listing)",
  honest: true,
  needs: [],
  fields: { user: field.user, space: field.room, room: field.newRoom },
  pre(s, step) {
    const child = actsIn(s, step.space, step.user)?.children.at(-1);
    return !s.rooms.has(step.room) && !!child && canJoin(s, child, step.user);
  },
  next(s, step) {
    const child = s.rooms.get(step.space)!.children.at(-1)!;
    s.rooms.set(step.room, child);
    setMembership(child, step.user, "join");
  },
  async run(ctx, step) {
    const joined = await ctx.client(step.user).joinSpaceChild(ctx.room(step.space));
    ctx.nameRoom(step.room, joined.room_id);
    ctx.membership(joined.room_id, step.user, "join", step.user);
    // Ground truth: the room the space's members really listed last.
    const space = ctx.room(step.space);
    const listed = ctx.world.history.ops
      .filter(
        (o) => o.op === "state" && o.room === space && o.type === "m.space.child" && Object.keys(o.content).length > 0,
      )
      .at(-1);
    const meant = listed?.op === "state" ? listed.state_key : null;
    if (joined.room_id !== meant)
      ctx.world.history.record({
        op: "misled",
        t: ctx.world.clock.now(),
        room: joined.room_id,
        user: step.user,
        meant,
      });
  },
});
