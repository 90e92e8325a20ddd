/**
 * Backward compatibility: the runner's results for every shipped scenario under every model equal
 * the snapshot taken before the registry refactor, except for fields added since.
 */
import { describe, expect, it } from "vitest";
import { currentResults, differences, readSnapshot } from "./scenario-snapshot.ts";

describe("shipped scenarios against the pre-refactor snapshot", () => {
  it("keep every outcome, judgement, count and history operation", async () => {
    const snapshot = readSnapshot() as { models: string[]; runs: { scenario: string; model: string }[] };
    const all = JSON.parse(await currentResults()) as { models: string[]; runs: { scenario: string; model: string }[] };
    expect(snapshot.runs.length).toBeGreaterThan(100);
    // Models added since the snapshot (signal-pgs, mls) have no past to keep; the snapshot's runs must not change.
    const had = new Set(snapshot.runs.map((r) => `${r.scenario} ${r.model}`));
    const models = all.models.filter((m) => snapshot.models.includes(m));
    const now = { ...all, models, runs: all.runs.filter((r) => had.has(`${r.scenario} ${r.model}`)) };
    expect(differences(snapshot, now)).toEqual([]);
  });

  it("notices a changed count, a missing field and a shorter history", () => {
    const base = { runs: [{ observed: { breaches: 2 }, history: [{ op: "send" }, { op: "decrypt" }] }] };
    expect(differences(base, { runs: [{ observed: { breaches: 2, added: 1 }, history: [{ op: "send", x: 1 }, { op: "decrypt" }] }] })).toEqual([]);
    expect(differences(base, { runs: [{ observed: { breaches: 3 }, history: [{ op: "send" }, { op: "decrypt" }] }] })).toHaveLength(1);
    expect(differences(base, { runs: [{ observed: {}, history: [{ op: "send" }, { op: "decrypt" }] }] })).toEqual(["$.runs[0].observed.breaches: missing"]);
    expect(differences(base, { runs: [{ observed: { breaches: 2 }, history: [{ op: "send" }] }] })).toHaveLength(1);
  });
});
