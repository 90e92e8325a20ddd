/**
 * Verifiers with bugs planted on purpose, to check that property tests find and shrink them
 * (mutation testing by hand). They are built through `verifierWithBinding`, the verifier's
 * internal seam for its subject-binding checks, so that the public `verifyMembership` has no
 * option for them. Callers that check properties take the verifier as a parameter
 * (sim/world/properties.ts, scenarios/runner.ts); only tests, and the replay of a planted-bug
 * counterexample (a scenario file's test-only `faults` field), pass one of these in.
 */
import {
  type MembershipVerifier,
  STRICT_BINDING,
  type SubjectBinding,
  verifierWithBinding,
} from "../sim/core/verify-membership.ts";

/** The bugs that can be planted. */
export const PLANTED_BUGS = ["skip_invite_user_key"] as const;
export type PlantedBug = (typeof PLANTED_BUGS)[number];

export const isPlantedBug = (x: unknown): x is PlantedBug => (PLANTED_BUGS as readonly unknown[]).includes(x);

/** The subject-binding checks with the given bugs planted. */
export function plantedBinding(bugs: Iterable<PlantedBug>): SubjectBinding {
  const planted = new Set(bugs);
  return {
    inviteUserKey: planted.has("skip_invite_user_key") ? () => true : STRICT_BINDING.inviteUserKey,
  };
}

/** `verifyMembership` with the given bugs planted. */
export function verifyWithPlantedBugs(bugs: Iterable<PlantedBug>): MembershipVerifier {
  return verifierWithBinding(plantedBinding(bugs));
}
