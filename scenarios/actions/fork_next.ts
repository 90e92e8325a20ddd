import { field, defineAction } from "./schema.ts";
import { serverIn } from "./state.ts";

export const fork_next = defineAction({
  name: "fork_next",
  description:
    "the next membership event the server forges in the room rests on a fork point: the heads of the first `fork_at` DAG nodes (< 0: all but the last -fork_at; default: all), claiming the first left-out node's time (or now) plus `claimed_offset` ms, trying up to `grind` times for an ID that sorts first",
  honest: false,
  needs: ["forge"],
  fields: {
    server: field.server,
    room: field.room,
    fork_at: field.optional(field.int),
    claimed_offset: field.optional(field.int),
    grind: field.optional(field.int),
  },
  check: (step) => (step.grind !== undefined && step.grind < 1 ? ["grind", "must be at least 1"] : undefined),
  pre: (s, step) => serverIn(s, step.server, "forge", s.rooms.get(step.room)),
  next: () => {},
  async run(ctx, step) {
    ctx.adversary.planFork(ctx.server(step.server), ctx.namedRoom(step.room), {
      ...(step.fork_at !== undefined ? { forkAt: step.fork_at } : {}),
      ...(step.claimed_offset !== undefined ? { claimedOffset: step.claimed_offset } : {}),
      ...(step.grind !== undefined ? { grind: step.grind } : {}),
    });
  },
});
