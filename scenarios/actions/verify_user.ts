import { field, defineAction } from "./schema.ts";

export const verify_user = defineAction({
  name: "verify_user",
  description: "a user verifies another out of band, pinning the MSK that user really has",
  honest: true,
  needs: [],
  fields: { user: field.user, target: field.user },
  pre: (_s, step) => step.user !== step.target,
  next: () => {},
  async run(ctx, step) {
    ctx.client(step.user).verify(ctx.client(step.target));
  },
});
