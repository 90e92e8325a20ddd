import { field, defineAction } from "./schema.ts";
import { setMembership } from "./state.ts";

export const bind_3pid = defineAction({
  name: "bind_3pid",
  description: "a user binds a third-party address; pending invites to it become invites made by the inviters' servers",
  honest: true,
  needs: [],
  fields: { user: field.user, address: field.string },
  pre(s, step) {
    if (s.bound.has(step.address)) return false;
    return (s.pending3pid.get(step.address) ?? []).every((r) => {
      const m = r.members.get(step.user);
      return m !== "join" && m !== "ban" && !r.uncertain.has(step.user);
    });
  },
  next(s, step) {
    s.bound.set(step.address, step.user);
    for (const r of s.pending3pid.get(step.address) ?? []) setMembership(r, step.user, "invite");
    s.pending3pid.delete(step.address);
  },
  async run(ctx, step) {
    ctx.client(step.user).bindThirdPartyId(step.address);
  },
});
