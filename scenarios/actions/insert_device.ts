import { field, defineAction } from "./schema.ts";
import { serverCan } from "./state.ts";

export const insert_device = defineAction({
  name: "insert_device",
  description: "the server lists a device it made for `target` in /keys/query, signed by nobody but itself",
  honest: false,
  needs: ["lieAboutKeys"],
  fields: { server: field.server, target: field.user },
  pre: (s, step) => serverCan(s, step.server, "lieAboutKeys"),
  next: () => {},
  async run(ctx, step) {
    ctx.adversary.insertDevice(ctx.server(step.server), step.target);
  },
});
