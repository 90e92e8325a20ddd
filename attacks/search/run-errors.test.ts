/**
 * A search run that throws (a model's library refusing what the world gave it, say) is counted per
 * cell with its first error and scenario, never judged, and the search goes on; the CLI fails on it.
 * The runner is wrapped so that chosen runs throw: the path cannot be reached honestly on purpose.
 */
import { describe, expect, it, vi } from "vitest";

const state = vi.hoisted(() => ({ calls: 0, throwOn: new Set<number>() }));
vi.mock("../../scenarios/runner.ts", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../scenarios/runner.ts")>();
  return {
    ...real,
    runScenario: async (...args: Parameters<typeof real.runScenario>) => {
      state.calls++;
      if (state.throwOn.has(state.calls)) throw new Error(`planted failure in run ${state.calls}\nsecond line`);
      return real.runScenario(...args);
    },
  };
});

const { CATALOGUE } = await import("../catalogue.ts");
const { searchCell } = await import("./search.ts");
const { byThreat } = await import("../sweep.ts");
const { failuresOf } = await import("../cli.ts");

describe("a search run that throws", () => {
  it("is counted with its first error and scenario, not judged, and the search spends its whole budget", async () => {
    const t1 = CATALOGUE.find((t) => t.id === "T1")!;
    state.calls = 0;
    state.throwOn = new Set([2, 4]);
    const r = await searchCell(t1, { threat: "T1", model: "baseline", budget: 6, seed: 5, shrink: 0 });
    const t = r.tally;
    expect(t.trials).toBe(6);
    expect(t.run_errors).toBe(2);
    const judged = t.prevented + t.detected + t.breach;
    expect(judged).toBe(4);
    expect(t.first_error?.trial).toBe(2);
    expect(t.first_error?.error).toContain("planted failure in run 2");
    expect(t.first_error?.scenario.steps.length).toBeGreaterThan(0);
    // The basic form (run 1) is still judged: the positive control breaches.
    expect(t.basic).toBe("breach");

    const failures = failuresOf(byThreat([t1], [r]));
    expect(failures).toEqual(["T1 baseline: 2 run(s) threw, first at trial 2: planted failure in run 2"]);
  });

  it("leaves a search without errors with no failure", async () => {
    const t1 = CATALOGUE.find((t) => t.id === "T1")!;
    state.calls = 0;
    state.throwOn = new Set();
    const r = await searchCell(t1, { threat: "T1", model: "baseline", budget: 3, seed: 5, shrink: 0 });
    expect(r.tally.run_errors).toBe(0);
    expect(failuresOf(byThreat([t1], [r]))).toEqual([]);
  });
});
