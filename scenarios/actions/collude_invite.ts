import { field, defineAction } from "./schema.ts";
import { hosts, serverIn, setMembership } from "./state.ts";

export const collude_invite = defineAction({
  name: "collude_invite",
  description:
    "a colluding member hands over their keys; the server signs an invite with them for a user it makes, whatever the rules say",
  honest: false,
  forgesMember: true,
  needs: ["forge", "colluder"],
  fields: {
    server: field.server,
    colluder: field.colluder,
    room: field.room,
    member: field.string,
    concurrent_with_ban: field.optional(field.bool),
    backdate: field.optional(field.int),
    // The footnotes' search space: the fork point (rest on the first `fork_at` DAG nodes; < 0: all
    // but the last -fork_at), the claimed time (the first node left out's, plus `claimed_offset`
    // ms), and an ID-grinding budget (`grind` claimed times tried for an ID sorting first).
    fork_at: field.optional(field.int),
    claimed_offset: field.optional(field.int),
    grind: field.optional(field.int),
  },
  pre(s, step) {
    const room = s.rooms.get(step.room);
    return (
      !!room &&
      serverIn(s, step.server, "forge", room) &&
      room.everJoined.has(step.colluder) &&
      hosts(step.server, step.member)
    );
  },
  next: (s, step) => setMembership(s.rooms.get(step.room)!, step.member, "join"),
  async run(ctx, step) {
    const roomId = ctx.namedRoom(step.room);
    const options = {
      concurrentWithBan: step.concurrent_with_ban ?? false,
      backdate: step.backdate ?? 0,
      ...(step.fork_at !== undefined ? { forkAt: step.fork_at } : {}),
      claimedOffset: step.claimed_offset ?? 0,
      grind: step.grind ?? 1,
    };
    ctx.adversary.colludeInvite(ctx.server(step.server), ctx.client(step.colluder), roomId, step.member, options);
    ctx.membership(roomId, step.member, "join", step.colluder, false);
  },
});
