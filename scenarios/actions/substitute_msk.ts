import { field, defineAction } from "./schema.ts";
import { serverCan } from "./state.ts";

export const substitute_msk = defineAction({
  name: "substitute_msk",
  description: "the server answers /keys/query for `target` with an MSK, SSK and device it made",
  honest: false,
  needs: ["lieAboutKeys"],
  fields: { server: field.server, target: field.user },
  pre: (s, step) => serverCan(s, step.server, "lieAboutKeys"),
  next: () => {},
  async run(ctx, step) {
    ctx.adversary.substituteMsk(ctx.server(step.server), step.target);
  },
});
