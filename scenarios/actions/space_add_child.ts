import { field, defineAction } from "./schema.ts";
import { actsIn, powerOf } from "./state.ts";

export const space_add_child = defineAction({
  name: "space_add_child",
  description: "a member of a space lists a room in it: an m.space.child signed with their RSK, with the child's RRK",
  honest: true,
  needs: [],
  fields: { user: field.user, space: field.room, child: field.room },
  pre(s, step) {
    const space = actsIn(s, step.space, step.user);
    const child = s.rooms.get(step.child);
    return (
      !!space &&
      !!child &&
      child !== space &&
      !child.adversarial &&
      powerOf(space, step.user) >= space.levels.state_default
    );
  },
  next: (s, step) => void s.rooms.get(step.space)!.children.push(s.rooms.get(step.child)!),
  async run(ctx, step) {
    await ctx.client(step.user).addSpaceChild(ctx.room(step.space), ctx.room(step.child));
  },
});
