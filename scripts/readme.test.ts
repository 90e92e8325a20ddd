/**
 * The README says what the code prints. Every quoted output (scenarios/readme.ts's blocks) is made
 * again and compared: exactly, except the bench, whose numbers vary from run to run and whose full
 * run takes long: its block's structure (numbers masked, `maskBench`) is compared with a quick run
 * of every part of `npm run bench` at small sizes. The README's example scenario is taken out of the
 * README, checked to carry an expectation for every model, and run as printed.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MODEL_IDS } from "../sim/models/index.ts";
import {
  BLOCKS,
  README,
  REPO,
  firstDifference,
  generateBlocks,
  maskBench,
  readmeBlocks,
  runBench,
  withBlocks,
} from "./readme.ts";

/** Small sizes for every part of the bench (each part's own environment variables). */
const QUICK_BENCH = {
  BENCH_SECONDS: "0.05",
  BENCH_MEMBERS: "100",
  BENCH_ROUNDS: "1",
  BENCH_PARALLEL_MEMBERS: "200",
  BENCH_PARALLEL_ROUNDS: "1",
  BENCH_HOSTILE_SCALE: "0.05",
  BENCH_DEPTH: "500",
  BENCH_CLI_SIZES: "100,200,400",
  BENCH_CLI_DEPTH: "200",
  BENCH_MODEL_ROUNDS: "1",
  BENCH_MODEL_SCENARIOS: "1",
  BENCH_SEARCH_RUNS: "1",
  BENCH_CONTROL_SCALE: "0.02",
};

const readme = readFileSync(README, "utf8");
const temps: string[] = [];
const temp = (label: string) => {
  const dir = mkdtempSync(join(tmpdir(), `msc3917-readme-test-${label}-`));
  temps.push(dir);
  return dir;
};
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
  for (const d of temps) expect(existsSync(d)).toBe(false);
});

describe("the README's quoted outputs", () => {
  let generated: ReturnType<typeof generateBlocks>["blocks"];
  beforeAll(() => {
    generated = generateBlocks({ benchFile: join(temp("none"), "bench.txt") }).blocks;
  }, 600_000);

  it("marks every block it quotes", () => {
    expect(Object.keys(readmeBlocks(readme)).sort()).toEqual([...BLOCKS].sort());
  });

  it.each(BLOCKS.filter((b) => b !== "bench"))("%s: as the code prints it", (name) => {
    const have = readmeBlocks(readme)[name]!;
    const want = generated[name]!;
    expect(firstDifference(have, want), "run npm run readme").toBeNull();
  });

  it("bench: the same parts and lines as a quick run of npm run bench, numbers masked", () => {
    // The bench's room files go to its temporary folder: this one, removed afterwards.
    const { stdout } = runBench({ ...QUICK_BENCH, TMPDIR: temp("bench") });
    const have = maskBench(readmeBlocks(readme).bench!.replace(/^```\n|\n```$/g, ""));
    expect(firstDifference(have, maskBench(stdout)), "run npm run readme -- --bench").toBeNull();
  }, 300_000);

  it("the check can fail: a changed figure is found", () => {
    const changed = withBlocks(readme, { verify: generated.verify!.replace("2 rejected", "3 rejected") });
    expect(firstDifference(readmeBlocks(changed).verify!, generated.verify!)).toMatch(/3 rejected/);
    expect(maskBench("  verify: 12.5 ms  OVER BUDGET")).toBe(maskBench("  verify:    7 ms"));
    expect(maskBench("  verify: 12.5 ms")).not.toBe(maskBench("  check: 12.5 ms"));
    // The hostile bench's extra doubling appears only for a shape that stayed over: masked away.
    expect(maskBench("  width\n    n = 2: 1 ms  OVER\n    one more doubling, not judged: n = 4: x1.9")).toBe(
      maskBench("  width\n    n = 2: 1 ms"),
    );
  });
});

describe("the README's example scenario", () => {
  const at = readme.indexOf("A scenario is data");
  const start = readme.indexOf("```json\n", at) + "```json\n".length;
  const text = readme.slice(start, readme.indexOf("\n```", start));

  it("has an expectation for every model", () => {
    const scenario = JSON.parse(text) as { expect: Record<string, unknown> };
    expect(Object.keys(scenario.expect).sort()).toEqual([...MODEL_IDS].sort());
  });

  it("runs as printed: npm run scenarios -- FILE passes under every model", () => {
    const dir = temp("example");
    const file = join(dir, "example.json");
    writeFileSync(file, text);
    const r = spawnSync(process.execPath, ["--import", "tsx", "attacks/after-scenarios.ts", file], {
      cwd: REPO,
      env: { ...process.env, MSC3917_OUT: join(dir, "out") },
      encoding: "utf8",
    });
    expect(r.stderr).toBe("");
    expect(r.stdout).toContain(`${MODEL_IDS.length} passed, 0 failed`);
    expect(r.status).toBe(0);
  }, 120_000);
});
