/**
 * The membership tree's properties over generated worlds (DESIGN.md §9):
 * - soundness: with a malicious server and a colluding member, no honest client ever verifies a
 *   (user, MSK) outside MSC3917's bounding set;
 * - completeness: with honest servers, every legitimate member is verified (but for the
 *   MSK-reset window);
 * - no verifier throws (checked with both);
 * and a planted bug, which the properties must find, shrink and replay.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FC_SEED, fcParams } from "../test-support/fast-check.ts";
import { loadScenario } from "../scenarios/cli.ts";
import { runScenario } from "../scenarios/runner.ts";
import { REPO, checkProperty } from "./replay.ts";

const runs = (n: number) => fcParams(n).numRuns!;

describe("generated attacks", () => {
  it("soundness: nobody outside the bounding set is ever verified", async () => {
    const result = await checkProperty({ name: "soundness", adversarial: true, seed: FC_SEED, runs: runs(150) });
    if (!result.ok) console.error(result.report);
    expect(result.ok ? "held" : result.report).toBe("held");
  });

  it("completeness: with honest servers, every legitimate member is verified", async () => {
    const result = await checkProperty({ name: "completeness", adversarial: false, seed: FC_SEED, runs: runs(100) });
    if (!result.ok) console.error(result.report);
    expect(result.ok ? "held" : result.report).toBe("held");
  });
});

const dir = mkdtempSync(join(tmpdir(), "msc3917-counterexamples-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const result = await checkProperty({
  name: "planted-skip-invite-user-key",
  adversarial: true,
  seed: FC_SEED,
  runs: 2000,
  faults: ["skip_invite_user_key"],
  dir,
});

describe("a planted bug: the verifier skips the invite's user_key check", () => {
  it("is found, and shrunk to at most 6 steps", () => {
    expect(result.ok).toBe(false);
    if (result.ok) return;
    console.log(result.report);
    expect(result.violation).toMatch(/soundness: .* verified .* outside the bounding set/);
    expect(result.scenario.steps.length).toBeLessThanOrEqual(6);
    expect(result.report).toContain(`seed ${result.seed}, path ${result.path}`);
    expect(result.report).toContain("replay: npm run scenarios -- ");
  });

  it("replays from the saved file, through the runner and through npm run scenarios", async () => {
    if (result.ok) throw new Error("the planted bug was not found");
    const saved = loadScenario(result.file);
    expect(saved.steps).toEqual(result.scenario.steps);
    expect((await runScenario(saved, "membership-tree")).property_violations[0]).toBe(result.violation);
    // Without the planted bug, the same steps are sound: the failure is the bug's, not the world's.
    expect((await runScenario({ ...saved, faults: [] }, "membership-tree")).property_violations).toEqual([]);
    const cli = spawnSync(process.execPath, ["--import", "tsx", join(REPO, "scenarios", "cli.ts"), result.file], {
      encoding: "utf8",
      cwd: REPO,
    });
    expect(cli.status).toBe(1);
    expect(cli.stdout).toContain(`FAIL: ${result.violation}`);
    expect(readFileSync(result.file, "utf8")).toMatch(/^\{\n "name": "planted-skip-invite-user-key"/);
  });
});
