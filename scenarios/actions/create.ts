import { field, defineAction } from "./schema.ts";
import { newRoom } from "./state.ts";

export const create = defineAction({
  name: "create",
  description: "a user creates a room (with a fresh RRK) and names it by a handle",
  honest: true,
  needs: [],
  fields: { user: field.user, room: field.newRoom },
  pre: (s, step) => !s.rooms.has(step.room),
  next: (s, step) => void s.rooms.set(step.room, newRoom(step.user)),
  async run(ctx, step) {
    const roomId = await ctx.client(step.user).createRoom();
    ctx.nameRoom(step.room, roomId);
    ctx.membership(roomId, step.user, "join", step.user);
  },
});
