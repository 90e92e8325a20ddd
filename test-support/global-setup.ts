/**
 * Vitest's global setup: the run's results folder (`MSC3917_OUT`, set in vitest.config.ts for
 * every test and the processes they start) is removed when the run ends, so a test run leaves
 * no temporary folder behind.
 */
import { rmSync } from "node:fs";
import type { TestProject } from "vitest/node";

export default function setup(project: TestProject): () => void {
  const out = project.config.env?.MSC3917_OUT;
  return () => {
    if (typeof out === "string" && out.includes("msc3917-test-out-")) rmSync(out, { recursive: true, force: true });
  };
}
