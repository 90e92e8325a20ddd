import { buildRoomLink } from "../../sim/core/links.ts";
import { rrkFromRoomId } from "../../sim/core/room-root-key.ts";
import { field, defineAction } from "./schema.ts";
import { type AbstractState, canJoin, serverOf, setMembership } from "./state.ts";

/** The room `user`'s server resolves `alias` to: the adversary's, if it lies. */
const resolved = (s: AbstractState, user: string, alias: string) =>
  s.lyingAliases.get(`${serverOf(user)} ${alias}`) ?? s.aliases.get(alias);

export const join_link = defineAction({
  name: "join_link",
  description:
    "`from` sends `user` a matrix.to link to an alias (with the room's `room_root_key` if `with_rrk`); the user joins by it",
  honest: true,
  needs: [],
  fields: { user: field.user, alias: field.string, from: field.user, with_rrk: field.bool, room: field.newRoom },
  pre(s, step) {
    const room = resolved(s, step.user, step.alias);
    return !s.rooms.has(step.room) && s.aliases.has(step.alias) && !!room && canJoin(s, room, step.user);
  },
  next(s, step) {
    const room = resolved(s, step.user, step.alias)!;
    s.rooms.set(step.room, room);
    setMembership(room, step.user, "join");
  },
  async run(ctx, step) {
    // `from` sends `user` a link out of band; with_rrk: it carries the RRK of the room `from` meant.
    const meant = ctx.aliases.get(step.alias);
    const rrk = step.with_rrk && meant ? rrkFromRoomId(meant) : undefined;
    const link = buildRoomLink({ target: step.alias, via: [], ...(rrk?.ok ? { rrk: rrk.value } : {}) }, "matrix.to");
    const joined = await ctx.client(step.user).joinByLink(link);
    ctx.nameRoom(step.room, joined.room_id);
    ctx.membership(joined.room_id, step.user, "join", step.user);
    if (joined.room_id !== meant)
      ctx.world.history.record({
        op: "misled",
        t: ctx.world.clock.now(),
        room: joined.room_id,
        user: step.user,
        meant: meant ?? null,
      });
  },
});
