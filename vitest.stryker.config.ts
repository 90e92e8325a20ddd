/**
 * The tests StrykerJS runs against each mutant of the core (`npm run mutation`): the core's unit
 * and example tests, without the slow property tests, the Python interop test, the worker-thread
 * test and the command-line tests (which run the code in child processes, where mutants cannot
 * be switched on).
 */
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "sim/core/base64.test.ts",
      "sim/core/canonical-json.test.ts",
      "sim/core/canonical-json.prop.test.ts",
      "sim/core/cross-signing.test.ts",
      "sim/core/ed25519.test.ts",
      "sim/core/ed25519.prop.test.ts",
      "sim/core/signing.test.ts",
      "sim/core/room-root-key.test.ts",
      "sim/core/membership-session.test.ts",
      "sim/core/verify-membership.test.ts",
      "sim/core/verify-membership.policy.test.ts",
      "sim/core/verify-membership.vectors.test.ts",
      "sim/core/verify-membership.mutation.test.ts",
      "sim/core/verify-space.test.ts",
    ],
    testTimeout: 60_000,
  },
});
