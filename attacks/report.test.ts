import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
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

  it("writes byte-identical reports for the same seed, with one worker or two", () => {
    // One results folder for both runs (the report names its results file), copied after each.
    const out = mkdtempSync(join(tmpdir(), "msc3917-report-same-"));
    const dirs = [1, 2].map((workers) => {
      const args = ["--runs", "2", "--threat", "T1", "--threat", "T13", "--model", "baseline", "--model", "state-dag"];
      const r = report(
        [...args, "--honest", "1", "--generated", "1", "--seed", "77", "--workers", String(workers)],
        out,
      );
      expect(r.status, r.stderr).toBe(0);
      const copy = mkdtempSync(join(tmpdir(), "msc3917-report-copy-"));
      cpSync(out, copy, { recursive: true });
      return copy;
    });
    const files = readdirSync(dirs[0]!)
      .filter((f) => /^threat-model\.(md|csv|html)$/.test(f))
      .sort();
    expect(files).toEqual(["threat-model.csv", "threat-model.html", "threat-model.md"]);
    for (const f of files)
      expect(readFileSync(join(dirs[1]!, f)).equals(readFileSync(join(dirs[0]!, f))), `${f} differs between runs`).toBe(
        true,
      );
    for (const d of [out, ...dirs]) rmSync(d, { recursive: true, force: true });
  }, 300_000);
});
