import { field, defineAction } from "./schema.ts";
import { hosts, serverIn, setMembership } from "./state.ts";

export const replay_envelope = defineAction({
  name: "replay_envelope",
  description:
    "the server re-issues the signed content of the latest invite for `victim` under another state key, and joins a user it makes on it",
  honest: false,
  forgesMember: true,
  needs: ["forge"],
  fields: { server: field.server, room: field.room, victim: field.user, member: field.string },
  pre(s, step) {
    const room = s.rooms.get(step.room);
    return (
      !!room &&
      serverIn(s, step.server, "forge", room) &&
      room.everInvited.has(step.victim) &&
      hosts(step.server, step.member)
    );
  },
  next: (s, step) => setMembership(s.rooms.get(step.room)!, step.member, "join"),
  async run(ctx, step) {
    ctx.adversary.replayEnvelope(ctx.server(step.server), ctx.namedRoom(step.room), step.victim, step.member);
    ctx.membership(ctx.namedRoom(step.room), step.member, "join", step.server, false);
  },
});
