import { field, defineAction } from "./schema.ts";

export const reset_msk = defineAction({
  name: "reset_msk",
  description: "a user resets their MSK (new MSK, SSK and RSK); memberships under the old one no longer verify",
  honest: true,
  needs: [],
  fields: { user: field.user },
  pre: () => true,
  next: () => {},
  async run(ctx, step) {
    ctx.client(step.user).resetMsk();
  },
});
