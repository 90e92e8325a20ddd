/**
 * The tests StrykerJS runs against each mutant of the core (`npm run mutation`): the core's unit
 * tests, without the slow property tests of the verifier, the Python interop test, the
 * worker-thread test and the command-line tests (which run the code in child processes, where
 * mutants cannot be switched on). MSC3917_MUTATION_SET=primitives or =verifier narrows them to the
 * tests of canonical-json/ed25519/cross-signing, or of the verifier (for a run on those files).
 */
import { defineConfig } from "vitest/config";

const primitives = [
  "sim/core/base64.test.ts",
  "sim/core/base64.prop.test.ts",
  "sim/core/canonical-json.test.ts",
  "sim/core/canonical-json.prop.test.ts",
  "sim/core/cross-signing.test.ts",
  "sim/core/ed25519.test.ts",
  "sim/core/ed25519.prop.test.ts",
  "sim/core/signing.test.ts",
  "sim/core/signing.prop.test.ts",
  "sim/core/room-root-key.test.ts",
  "sim/core/bounded-cache.test.ts",
  "sim/core/speculate.prop.test.ts", // speculate, speculateAsync, CheckedEquations, MessageStore
];
const verifier = [
  "sim/core/membership-session.test.ts",
  "sim/core/verify-membership.test.ts",
  "sim/core/verify-membership.policy.test.ts",
  "sim/core/verify-membership.mutation.test.ts",
  "sim/core/verify-space.test.ts", // solveSenderSigned: uncovered without it (MUTATION.md)
];
const set = process.env.MSC3917_MUTATION_SET;
const crossSigning = ["sim/core/cross-signing.test.ts", "sim/core/signing.test.ts", "sim/core/signing.prop.test.ts"];

export default defineConfig({
  test: {
    include:
      set === "primitives"
        ? primitives
        : set === "verifier"
          ? verifier
          : set === "cross-signing"
            ? crossSigning
            : [...primitives, ...verifier, "sim/core/verify-membership.vectors.test.ts"],
    testTimeout: 60_000,
  },
});
