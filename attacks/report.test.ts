import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "./replay.ts";

const report = (args: string[], out: string) =>
  spawnSync(process.execPath, ["--import", "tsx", join(REPO, "attacks", "report.ts"), ...args], {
    encoding: "utf8",
    cwd: REPO,
    env: { ...process.env, MSC3917_OUT: out },
  });

describe("npm run report", () => {
  it("runs the search, then draws the report from its results; --from draws it from a file without searching", () => {
    const out = mkdtempSync(join(tmpdir(), "msc3917-report-"));
    const small = ["--runs", "1", "--threat", "T1", "--model", "baseline", "--honest", "none", "--generated", "0"];
    const r = report([...small, "--workers", "1"], out);
    expect(r.status, r.stderr).toBe(0);
    // The search's table goes to stderr; stdout is the report's line.
    expect(r.stderr).toMatch(/search: 1 runs per cell/);
    expect(r.stdout).toMatch(/wrote .*threat-model\.md/);
    expect(existsSync(join(out, "attacks.json"))).toBe(true);
    const again = report(["--from", join(out, "attacks.json")], out);
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).not.toMatch(/search:/);
    expect(report(["--from", join(out, "attacks.json"), "--runs", "3"], out).status).toBe(2);
    expect(report(["--from", join(out, "nothing.json")], out).status).toBe(2);
    rmSync(out, { recursive: true, force: true });
  });
});
