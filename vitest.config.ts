import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["**/*.test.ts"],
    exclude: ["node_modules/**", "reports/out/**", ".stryker-tmp*/**"],
    testTimeout: 60_000,
    // Tests write generated output (scenario results, sweeps, counterexamples) here, never over a
    // user's reports/out/. Child processes the tests start inherit it.
    env: { MSC3917_OUT: join(tmpdir(), `msc3917-test-out-${process.pid}`) },
    // Removes that folder when the run ends.
    globalSetup: ["test-support/global-setup.ts"],
  },
});
