/**
 * Verifiers with bugs planted on purpose, to check that property tests find and shrink them
 * (mutation testing by hand). They are built through `verifierWithBinding`, the verifier's
 * internal seam for its subject-binding checks, so that the public `verifyMembership` needs no
 * option for them. Never use these outside tests.
 */
import {
  type RoomView,
  STRICT_BINDING,
  type SubjectBinding,
  type VerifierFault,
  type VerifyOptions,
  type MembershipResult,
  verifierWithBinding,
} from "../sim/core/verify-membership.ts";

/** The subject-binding checks with the given bugs planted. */
export function plantedBinding(faults: Iterable<VerifierFault>): SubjectBinding {
  const planted = new Set(faults);
  return {
    inviteUserKey: planted.has("skip_invite_user_key") ? () => true : STRICT_BINDING.inviteUserKey,
  };
}

/** `verifyMembership` with the given bugs planted. */
export function verifyWithPlantedBugs(
  faults: Iterable<VerifierFault>,
): (room: RoomView, options?: Omit<VerifyOptions, "faults">) => MembershipResult {
  return verifierWithBinding(plantedBinding(faults));
}
