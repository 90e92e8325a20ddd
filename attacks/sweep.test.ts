import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadScenario } from "../scenarios/cli.ts";
import { validateScenario } from "../scenarios/format.ts";
import { runScenario } from "../scenarios/runner.ts";
import { MODEL_IDS } from "../sim/models/index.ts";
import { CATALOGUE } from "./catalogue.ts";
import { REPO } from "./replay.ts";
import { sweepThreat, variantsOf } from "./sweep.ts";

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

describe("variants", () => {
  const base = loadScenario(join(REPO, "scenarios/attacks/T1-insert-member.json"));
  const variants = variantsOf(base, 12, 7);

  it("start with the scripted form, keep its steps in order, validate, and repeat for a seed", () => {
    expect(variants[0]).toBe(base);
    for (const v of variants.slice(1)) {
      let i = 0;
      for (const s of v.steps) if (s === base.steps[i]) i++;
      expect(i, v.name).toBe(base.steps.length);
      expect(v.steps.length).toBeGreaterThan(base.steps.length);
      expect(() => validateScenario(v.name, JSON.parse(JSON.stringify(v)))).not.toThrow();
    }
    expect(variantsOf(base, 12, 7).map((v) => JSON.stringify(v))).toEqual(variants.map((v) => JSON.stringify(v)));
    expect(JSON.stringify(variantsOf(base, 12, 8)[1])).not.toBe(JSON.stringify(variants[1]));
  });

  it("are counted per model, with properties checked in every one", async () => {
    const r = await sweepThreat(CATALOGUE[0]!, 6, 7);
    expect(r.results.baseline).toMatchObject({ basic: "breach", trials: 6, breach: 6, property_violations: 0 });
    expect(r.results["membership-tree"]).toMatchObject({
      basic: "prevented",
      trials: 6,
      prevented: 6,
      breach: 0,
      attacker_decrypted: 0,
      property_violations: 0,
    });
    expect(r.results.baseline.example?.outcome).toBe("breach");
  });
});

function cli(args: string[]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", join(REPO, "attacks", "cli.ts"), ...args], {
    encoding: "utf8",
    cwd: REPO,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("npm run attacks", () => {
  it("runs one threat, writes JSON and a witness that replays", async () => {
    const r = cli(["--threat", "T5", "--runs", "3", "--honest", "0", "--format", "json"]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.threats.map((t: { id: string }) => t.id)).toEqual(["T5"]);
    expect(out.threats[0].results.baseline).toMatchObject({
      trials: 3,
      breach: 3,
      example: expect.stringMatching(/witnesses\/T5-baseline\.json$/),
    });
    expect(out.threats[0].results["membership-tree"]).toMatchObject({ trials: 3, prevented: 3, example: null });
    // The honest stress runs: the scripted availability files only, with --honest 0; nobody breached.
    expect(out.availability.generated).toBe(0);
    expect(out.availability.results.baseline.runs).toBe(out.availability.scripted.length);
    for (const t of Object.values(out.availability.results) as { breaches: number }[]) expect(t.breaches).toBe(0);
    const witness = loadScenario(join(REPO, out.threats[0].results.baseline.example));
    expect((await runScenario(witness, "baseline")).outcome).toBe("breach");
  });

  it.each([
    [["--threat", "T99"], /unknown threat T99/],
    [["--runs", "0"], /--runs must be a positive integer/],
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
      /Generated from `.*attacks\.json` \(written .*\): 5 variants per threat and model, seed 77/,
    );
  });
});

describe("not applicable cells", () => {
  it("carry the model's reason from its applicability table, and only where the table says so", async () => {
    const t11 = CATALOGUE.find((t) => t.id === "T11")!;
    const r = await sweepThreat(t11, 1, 1);
    expect(r.results["signal-pgs"].not_applicable).toMatch(/envelope/);
    expect(r.results["membership-tree"].not_applicable).toBeUndefined();
    expect(r.results["signal-pgs"].trials).toBe(1);
    const t2 = await sweepThreat(CATALOGUE.find((t) => t.id === "T2")!, 1, 1);
    expect(t2.results["signal-pgs"].not_applicable).toBeUndefined();
  });
});
