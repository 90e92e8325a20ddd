import { field, defineAction } from "./schema.ts";
import { hosts, newRoom, serverCan } from "./state.ts";

export const substitute_rrk = defineAction({
  name: "substitute_rrk",
  description: "the server answers its clients' look-ups of `alias` with a public room of its own, created by `member`",
  honest: false,
  needs: ["forge"],
  fields: { server: field.server, alias: field.string, member: field.string },
  pre: (s, step) =>
    serverCan(s, step.server, "forge") &&
    hosts(step.server, step.member) &&
    s.aliases.has(step.alias) &&
    !s.lyingAliases.has(`${step.server} ${step.alias}`),
  next: (s, step) => void s.lyingAliases.set(`${step.server} ${step.alias}`, newRoom(step.member, true)),
  async run(ctx, step) {
    ctx.adversary.substituteRrk(ctx.server(step.server), step.alias, step.member);
  },
});
