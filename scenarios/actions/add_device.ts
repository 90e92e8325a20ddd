import { field, defineAction } from "./schema.ts";

export const add_device = defineAction({
  name: "add_device",
  description: "a user adds a device, cross-signed by their SSK",
  honest: true,
  needs: [],
  fields: { user: field.user },
  pre: () => true,
  next: () => {},
  async run(ctx, step) {
    ctx.client(step.user).addDevice();
  },
});
