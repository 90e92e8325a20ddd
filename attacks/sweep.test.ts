import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import type { AttacksJson } from "../reports/threat-model.ts";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadScenario } from "../scenarios/cli.ts";
import { validateScenario } from "../scenarios/format.ts";
import { runScenario } from "../scenarios/runner.ts";
import { MODEL_IDS } from "../sim/models/index.ts";
import { CATALOGUE } from "./catalogue.ts";
import { REPO } from "./replay.ts";
import fc from "fast-check";
import { ACTIONS } from "../scenarios/actions/index.ts";
import { SearchPool, searchCells } from "./search/pool.ts";
import { searchCell } from "./search/search.ts";
import { type Draw, applyDraw, drawArbitrary, emptyBecause, isBasic } from "./search/space.ts";
import { main as attacksMain } from "./cli.ts";
import { sweepThreat } from "./sweep.ts";

describe("the threat catalogue", () => {
  it("has the proposal's four rows first, in order, and a scripted scenario for every threat", () => {
    expect(CATALOGUE.slice(0, 4).map((t) => [t.id, t.proposalRow])).toEqual([
      ["T1", 1],
      ["T2", 2],
      ["T3", 3],
      ["T4", 4],
    ]);
    for (const t of CATALOGUE) {
      const s = loadScenario(join(REPO, t.scenario));
      expect(s.threat, t.scenario).toBe(t.id);
      expect(Object.fromEntries(Object.entries(s.expect).map(([m, e]) => [m, e.outcome])), t.id).toEqual(t.expected);
    }
  });

  it.each(CATALOGUE.map((t) => [t.id, t] as const))(
    "%s: the basic form breaches baseline (positive control) and gives the expected outcomes",
    async (_id, t) => {
      const s = loadScenario(join(REPO, t.scenario));
      expect((await runScenario(s, "baseline")).outcome).toBe("breach");
      expect((await runScenario(s, "membership-tree")).outcome).toBe(t.expected["membership-tree"]);
    },
  );
});

describe("search spaces", () => {
  it("are declared by every threat, and each declared dimension has something to vary in its scenario", () => {
    for (const t of CATALOGUE) {
      expect(t.space.length, t.id).toBeGreaterThan(0);
      const base = loadScenario(join(REPO, t.scenario));
      for (const d of t.space) expect(emptyBecause(base, d), `${t.id} ${d}`).toBeNull();
    }
  });

  it.each(CATALOGUE.map((t) => [t.id, t] as const))(
    "%s: draws make valid scenarios that keep the basic form's steps in order, the same for a seed",
    (_id, t) => {
      const base = loadScenario(join(REPO, t.scenario));
      const arb = drawArbitrary(base, t.space);
      const draws = fc.sample(arb, { seed: 7, numRuns: 25 });
      expect(JSON.stringify(fc.sample(arb, { seed: 7, numRuns: 25 }))).toBe(JSON.stringify(draws));
      let varied = 0;
      for (const [k, d] of draws.entries()) {
        const v = applyDraw(base, d, `v${k}`);
        expect(() => validateScenario(v.name, JSON.parse(JSON.stringify(v)))).not.toThrow();
        // Every step of the basic form is still there, in order, up to renaming and the invite's parameters.
        expect(v.steps.filter((s) => ACTIONS[s.action as keyof typeof ACTIONS]).length).toBeGreaterThanOrEqual(
          base.steps.length,
        );
        const actions = v.steps.map((s) => s.action);
        let at = 0;
        for (const a of actions) if (a === base.steps[at]?.action) at++;
        expect(at, v.name).toBe(base.steps.length);
        if (!isBasic(d)) varied++;
      }
      expect(varied).toBeGreaterThan(10);
    },
  );

  it("shrink to the basic form: the smallest draw changes nothing but the seed", () => {
    const t3 = CATALOGUE.find((t) => t.id === "T3")!;
    const base = loadScenario(join(REPO, t3.scenario));
    const arb = drawArbitrary(base, t3.space);
    // Every draw "fails", so fast-check shrinks the first to the smallest it can reach.
    const details = fc.check(
      fc.property(arb, () => false),
      { seed: 1, numRuns: 1 },
    );
    const smallest = details.counterexample![0] as Draw;
    expect(isBasic(smallest)).toBe(true);
  });
});

describe("the search", () => {
  it("counts every run per model, with properties checked, and the positive control breaches at run 1", async () => {
    const r = await sweepThreat(CATALOGUE[0]!, 6, 7);
    expect(r.results.baseline).toMatchObject({
      basic: "breach",
      budget: 6,
      trials: 6,
      first_breach: 1,
      property_violations: 0,
    });
    const tree = r.results["membership-tree"]!;
    expect(tree.trials).toBe(6);
    expect(tree.prevented + tree.detected + tree.breach).toBe(6);
    expect(tree.undetected).toBe(tree.breach - tree.breach_detected);
    expect(r.results.baseline.example?.outcome).toBe("breach");
    expect(r.results.baseline.progress.at(-1)).toEqual({
      runs: 6,
      breaches: r.results.baseline.breach,
      undetected: r.results.baseline.undetected,
    });
  });

  it("gives a cell the same result alone or among others, in this thread or in workers", async () => {
    const t13 = CATALOGUE.find((t) => t.id === "T13")!;
    const cells = [
      { threat: "T13", model: "state-dag" as const, budget: 4, seed: 5, shrink: 10 },
      { threat: "T13", model: "membership-tree" as const, budget: 4, seed: 5, shrink: 10 },
    ];
    const alone = await searchCell(t13, cells[1]!);
    const inWorkers = await searchCells(cells, 2);
    const here = await searchCells(cells, 1);
    expect(JSON.stringify(inWorkers)).toBe(JSON.stringify(here));
    expect(JSON.stringify(here[1])).toBe(JSON.stringify(alone));
  });

  it("fails, rather than waits for ever, when a worker stops in the middle of a search", async () => {
    const cells = [
      { threat: "T13", model: "baseline" as const, budget: 3, seed: 7, shrink: 5 },
      { threat: "T13", model: "state-dag" as const, budget: 3, seed: 7, shrink: 5 },
    ];
    const pool = new SearchPool(2);
    const worker = (pool as unknown as { pool: { terminate(): Promise<number> }[] }).pool[0]!;
    try {
      const search = pool.search(cells);
      void worker.terminate();
      await expect(search).rejects.toThrow(/search worker exited/);
    } finally {
      await pool.close();
    }
  });

  it("gives the same results from a pool that searched before (which orders cells by their cost then)", async () => {
    const cells = [
      { threat: "T13", model: "baseline" as const, budget: 3, seed: 7, shrink: 5 },
      { threat: "T1", model: "membership-tree" as const, budget: 2, seed: 7, shrink: 5 },
      { threat: "T13", model: "state-dag" as const, budget: 3, seed: 7, shrink: 5 },
    ];
    const fresh = JSON.stringify(await searchCells(cells, 1));
    const pool = new SearchPool(2);
    try {
      const first = JSON.stringify(await pool.search(cells));
      const second = JSON.stringify(await pool.search([...cells].reverse()));
      expect(first).toBe(fresh);
      expect(second).toBe(JSON.stringify(JSON.parse(fresh).reverse()));
    } finally {
      await pool.close();
    }
  });

  it("shrinks the first undetected breach it finds to a witness that replays as one", async () => {
    // T3 under the membership tree: the tree cannot see bans, so the search breaches it undetected.
    const t3 = CATALOGUE.find((t) => t.id === "T3")!;
    const r = await searchCell(t3, { threat: "T3", model: "membership-tree", budget: 5, seed: 11, shrink: 15 });
    expect(r.tally.first_undetected).not.toBeNull();
    const w = r.tally.example!;
    const again = await runScenario(w.scenario, "membership-tree");
    expect(again.outcome).toBe("breach");
    expect(again.judgement.detections).toBe(0);
    expect(w.scenario.expect["membership-tree"]?.outcome).toBe("breach");
  });
});

function cli(args: string[], out = mkdtempSync(join(tmpdir(), "msc3917-attacks-"))) {
  const r = spawnSync(process.execPath, ["--import", "tsx", join(REPO, "attacks", "cli.ts"), ...args], {
    encoding: "utf8",
    cwd: REPO,
    env: { ...process.env, MSC3917_OUT: out },
  });
  rmSync(out, { recursive: true, force: true });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("npm run attacks", () => {
  it("runs one threat, writes JSON and a witness that replays", async () => {
    const dir = mkdtempSync(join(tmpdir(), "msc3917-attacks-"));
    const r = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        join(REPO, "attacks", "cli.ts"),
        "--threat",
        "T5",
        "--runs",
        "3",
        "--library-runs",
        "1",
        "--honest",
        "0",
        "--workers",
        "1",
        "--format",
        "json",
      ],
      { encoding: "utf8", cwd: REPO, env: { ...process.env, MSC3917_OUT: dir } },
    );
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.threats.map((t: { id: string }) => t.id)).toEqual(["T5"]);
    expect(out.search).toMatchObject({ runs: 3, seed: 3917, cells: MODEL_IDS.length });
    expect(out.threats[0].results.baseline).toMatchObject({
      trials: 3,
      basic: "breach",
      example: expect.stringMatching(/witnesses\/T5-baseline\.json$/),
    });
    expect(out.threats[0].results["membership-tree"]).toMatchObject({ trials: 3, basic: "prevented" });
    // The honest stress runs: the scripted availability files only, with --honest 0; nobody breached.
    expect(out.availability.generated).toBe(0);
    expect(out.availability.results.baseline.runs).toBe(out.availability.scripted.length);
    for (const t of Object.values(out.availability.results) as { breaches: number }[]) expect(t.breaches).toBe(0);
    const file = out.threats[0].results.baseline.example;
    const witness = loadScenario(file.startsWith("/") ? file : join(REPO, file));
    expect((await runScenario(witness, "baseline")).outcome).toBe("breach");
    rmSync(dir, { recursive: true, force: true });
  });

  it("splits the cells into shards whose merge is the whole search", async () => {
    const dir = mkdtempSync(join(tmpdir(), "msc3917-shards-"));
    const args = ["--threat", "T1", "--model", "baseline", "--model", "membership-tree", "--model", "state-dag"];
    const small = [...args, "--runs", "2", "--honest", "none", "--generated", "0", "--workers", "1"];
    const quiet = { write: () => true };
    const run = (extra: string[], name: string) => attacksMain([...small, ...extra, "--out", join(dir, name)], quiet);
    expect(await run([], "whole.json")).toBe(0);
    expect(await run(["--shard", "1/2"], "a.json")).toBe(0);
    expect(await run(["--shard", "2/2"], "b.json")).toBe(0);
    const merge = (files: string[]) =>
      attacksMain(["merge", ...files.map((f) => join(dir, f)), "--out", join(dir, "merged.json")], quiet);
    expect(await merge(["a.json"])).toBe(2); // a shard missing
    expect(await merge(["a.json", "b.json"])).toBe(0);
    const cells = (f: string) =>
      (JSON.parse(readFileSync(join(dir, f), "utf8")) as AttacksJson).threats.map((t) => t.results);
    expect(cells("merged.json")).toEqual(cells("whole.json"));
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    [["--threat", "T99"], /unknown threat T99/],
    [["--runs", "0"], /--runs must be a positive integer/],
    [["--shard", "3/2"], /--shard must be i\/n/],
    [["--model", "nope"], /unknown model nope/],
    [["--format", "xml"], /--format must be text or json/],
    [["--bogus"], /Unknown option/],
  ])("exits 2 on bad usage %#", (args, message) => {
    const r = cli(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe("npm run scenarios (the job: scenarios, then the report)", () => {
  const temps: string[] = [];
  afterAll(() => {
    for (const d of temps) rmSync(d, { recursive: true, force: true });
  });
  const job = (args: string[], env: Record<string, string>) =>
    spawnSync(process.execPath, ["--import", "tsx", join(REPO, "attacks", "after-scenarios.ts"), ...args], {
      encoding: "utf8",
      cwd: REPO,
      env: { ...process.env, ...env },
    });
  const t1 = join(REPO, "scenarios/attacks/T1-insert-member.json");

  it("prints JSON only with --format json, and says which sweep the report used", () => {
    const out = mkdtempSync(join(tmpdir(), "msc3917-job-"));
    temps.push(out);
    const scripted = job([t1, "--format", "json"], { MSC3917_OUT: out });
    expect(scripted.status).toBe(0);
    expect(JSON.parse(scripted.stdout).runs.length).toBe(MODEL_IDS.length);
    expect(scripted.stderr).toMatch(
      /report: .*threat-model\.md, .*threat-model\.csv and .*threat-model\.html from the scripted basic forms/,
    );
    writeFileSync(join(out, "attacks.json"), JSON.stringify({ seed: 77, runs: 5, models: [], threats: [] }));
    const text = job([t1], { MSC3917_OUT: out });
    expect(text.stdout).toMatch(
      /report: .*threat-model\.md, .*threat-model\.csv and .*threat-model\.html from the sweep in .*attacks\.json \(seed 77, 5 variants per threat, written \d{4}-\d\d-\d\dT/,
    );
    expect(readFileSync(join(out, "threat-model.md"), "utf8")).toMatch(
      /Generated from `.*attacks\.json`: 5 variants per threat and model, seed 77/,
    );
  });
});

describe("not applicable cells", () => {
  it("carry the model's reason from its applicability table, and only where the table says so", async () => {
    const t11 = CATALOGUE.find((t) => t.id === "T11")!;
    const r = await sweepThreat(t11, 1, 1);
    expect(r.results["signal-pgs"]!.not_applicable).toMatch(/envelope/);
    expect(r.results["membership-tree"]!.not_applicable).toBeUndefined();
    expect(r.results["signal-pgs"]!.trials).toBe(1);
    const t2 = await sweepThreat(CATALOGUE.find((t) => t.id === "T2")!, 1, 1);
    expect(t2.results["signal-pgs"]!.not_applicable).toBeUndefined();
  });
});
