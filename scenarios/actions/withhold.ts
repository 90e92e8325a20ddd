import { WITHHELD_KINDS } from "../../sim/world/homeserver.ts";
import { field, defineAction } from "./schema.ts";
import { serverIn } from "./state.ts";

export const withhold = defineAction({
  name: "withhold",
  description:
    "the server withholds the `latest` (or `next`) event of `kind` (by `sender`, if given) from `from` (default: all its users and federation), for `steps` flushes (default: for good)",
  honest: false,
  needs: ["withhold"],
  fields: {
    server: field.server,
    room: field.room,
    kind: field.oneOf(WITHHELD_KINDS, WITHHELD_KINDS.join(", ")),
    sender: field.optional(field.userId),
    from: field.optional(field.users),
    when: field.optional(field.oneOf(["latest", "next"], "latest or next")),
    steps: field.optional(field.int),
  },
  check: (step) => (step.steps !== undefined && step.steps < 1 ? ["steps", "must be at least 1"] : undefined),
  pre: (s, step) => serverIn(s, step.server, "withhold", s.rooms.get(step.room)),
  next: () => {},
  async run(ctx, step) {
    ctx.server(step.server).withhold({
      room: ctx.namedRoom(step.room),
      kind: step.kind,
      ...(step.sender !== undefined ? { sender: step.sender } : {}),
      from: step.from ?? "all",
      when: step.when ?? "latest",
      ...(step.steps !== undefined ? { flushes: step.steps } : {}),
    });
  },
});
