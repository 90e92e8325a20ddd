/**
 * fast-check generators of scenarios (DESIGN.md §9): interleaved honest and adversarial steps from
 * the scenario vocabulary, over a small cast so that steps meet. A generated attack *is* a
 * scenario, so every case runs, shrinks and replays through the scenario runner.
 *
 * The cast: @u0 and @u1 on a.example, @u2 and @u3 on b.example; @u0 creates room r1 first. In an
 * adversarial world a.example is malicious (forge, lieAboutKeys), may host users it makes
 * (@m0, @m1), and @u1 may collude. Steps the world refuses stay in the run (`refusals: allowed`).
 */
import fc from "fast-check";
import type { Scenario, Step } from "../scenarios/format.ts";

export const CAST = ["@u0:a.example", "@u1:a.example", "@u2:b.example", "@u3:b.example"] as const;
export const EVIL = "a.example";
const MADE = ["@m0:a.example", "@m1:a.example"] as const;
const COLLUDER = "@u1:a.example";

const user = fc.constantFrom(...CAST);
const room = "r1";

const honestStep: fc.Arbitrary<Step> = fc.oneof(
  { arbitrary: fc.record({ action: fc.constant("invite" as const), user, room: fc.constant(room), target: user }), weight: 4 },
  { arbitrary: fc.record({ action: fc.constant("join" as const), user, room: fc.constant(room) }), weight: 4 },
  { arbitrary: fc.record({ action: fc.constant("leave" as const), user, room: fc.constant(room) }), weight: 1 },
  { arbitrary: fc.record({ action: fc.constantFrom("kick" as const, "ban" as const), user, room: fc.constant(room), target: user }), weight: 1 },
  { arbitrary: fc.record({ action: fc.constant("set_join_rule" as const), user, room: fc.constant(room), rule: fc.constantFrom("public" as const, "invite" as const) }), weight: 1 },
  { arbitrary: fc.record({ action: fc.constant("set_power" as const), user, room: fc.constant(room), setting: fc.constant("invite" as const), level: fc.constantFrom(0, 50) }), weight: 1 },
  { arbitrary: fc.record({ action: fc.constant("send" as const), user, room: fc.constant(room), text: fc.constant("hello") }), weight: 2 },
  { arbitrary: fc.record({ action: fc.constant("add_device" as const), user }), weight: 1 },
  { arbitrary: fc.record({ action: fc.constant("reset_msk" as const), user }), weight: 1 },
  { arbitrary: fc.record({ action: fc.constant("verify_user" as const), user, target: user }), weight: 1 },
  { arbitrary: fc.record({ action: fc.constant("third_party_invite" as const), user, room: fc.constant(room), address: fc.constantFrom("one@example.net", "two@example.net") }), weight: 1 },
  { arbitrary: fc.record({ action: fc.constant("bind_3pid" as const), user, address: fc.constantFrom("one@example.net", "two@example.net") }), weight: 1 },
);

const adversarialStep: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ action: fc.constant("insert_member" as const), server: fc.constant(EVIL), room: fc.constant(room), member: fc.constantFrom(...MADE), method: fc.constant("plain" as const) }),
  fc.record({ action: fc.constant("insert_member" as const), server: fc.constant(EVIL), room: fc.constant(room), member: fc.constantFrom(...MADE), method: fc.constant("forged_invite" as const), as: user }),
  fc.record({ action: fc.constant("insert_device" as const), server: fc.constant(EVIL), target: user }),
  fc.record({ action: fc.constant("collude_invite" as const), server: fc.constant(EVIL), colluder: fc.constant(COLLUDER), room: fc.constant(room), member: fc.constantFrom(...MADE) }),
  fc.record({ action: fc.constant("substitute_msk" as const), server: fc.constant(EVIL), target: user }),
  fc.record({ action: fc.constant("impersonate_join" as const), server: fc.constant(EVIL), target: user, room: fc.constant(room) }),
  fc.record({ action: fc.constant("reinsert_banned" as const), server: fc.constant(EVIL), room: fc.constant(room), target: user }),
  fc.record({ action: fc.constant("forge_leave" as const), server: fc.constant(EVIL), room: fc.constant(room), target: user }),
  fc.record({ action: fc.constant("replay_envelope" as const), server: fc.constant(EVIL), room: fc.constant(room), victim: user, member: fc.constantFrom(...MADE) }),
  fc.record({ action: fc.constant("parent_cycle" as const), server: fc.constant(EVIL), room: fc.constant(room), member: fc.constantFrom(...MADE) }),
  fc.record({ action: fc.constant("hide_ban" as const), server: fc.constant(EVIL), room: fc.constant(room), target: user }),
  fc.record({ action: fc.constant("split_view" as const), server: fc.constant(EVIL), room: fc.constant(room), target: user, hide_from: fc.subarray([...CAST], { minLength: 1 }) }),
  fc.record({ action: fc.constant("forge_3pid_invite" as const), server: fc.constant(EVIL), room: fc.constant(room), member: fc.constantFrom(...MADE) }),
  fc.record({ action: fc.constant("insert_torsion_member" as const), server: fc.constant(EVIL), room: fc.constant(room), member: fc.constantFrom(...MADE) }),
  fc.record({ action: fc.constant("forge_join_rule" as const), server: fc.constant(EVIL), room: fc.constant(room), as: user, member: fc.constantFrom(...MADE) }),
);

/** A scenario from generated steps: `adversarial` adds the malicious server and its steps. */
export function scenarioOf(name: string, steps: Step[], adversarial: boolean, seed = 1): Scenario {
  return {
    name,
    threat: null,
    description: `Generated by attacks/generate.ts (${adversarial ? "adversarial" : "honest servers"}): ${steps.length} steps after the room's creation.`,
    seed,
    users: [...CAST],
    adversary: adversarial ? { servers: [{ name: EVIL, capabilities: ["forge", "lieAboutKeys", "withhold"] }], colluding: [COLLUDER] } : { servers: [], colluding: [] },
    properties: adversarial ? ["soundness"] : ["soundness", "completeness"],
    refusals: "allowed",
    steps: [{ action: "create", user: CAST[0], room }, ...steps],
    expect: {},
  };
}

/** Steps after the room's creation: honest only, or interleaved with the adversary's. */
export function stepsArbitrary(adversarial: boolean, maxLength = 12): fc.Arbitrary<Step[]> {
  const step = adversarial ? fc.oneof({ arbitrary: honestStep, weight: 3 }, { arbitrary: adversarialStep, weight: 1 }) : honestStep;
  return fc.array(step, { maxLength });
}
