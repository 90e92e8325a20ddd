/**
 * Backward compatibility: the runner's results for every shipped scenario under every model equal
 * the snapshot taken before the registry refactor, except for fields added since. Runs are matched
 * by scenario file and model, so a scenario or a model added since is an addition, not a change; a
 * run the snapshot has must still exist. A deliberate change of outcome (a fixed rule, a new
 * resolver) rewrites the snapshot in its own commit, which says what changed and why.
 */
import { describe, expect, it } from "vitest";
import { currentResults, differences, readSnapshot } from "./scenario-snapshot.ts";

describe("shipped scenarios against the pre-refactor snapshot", () => {
  it("keep every outcome, judgement, count and history operation", async () => {
    type Run = { file: string; model: string };
    const snapshot = readSnapshot() as { runs: Run[] };
    const now = JSON.parse(await currentResults()) as { runs: Run[] };
    expect(snapshot.runs.length).toBeGreaterThan(100);
    const key = (r: Run) => `${r.file} ${r.model}`;
    const current = new Map(now.runs.map((r) => [key(r), r]));
    const models = (now as { models?: string[] }).models?.filter((m) =>
      (snapshot as { models?: string[] }).models?.includes(m),
    );
    const matched = { ...now, models, runs: snapshot.runs.map((r) => current.get(key(r)) ?? { missing: key(r) }) };
    expect(differences(snapshot, matched)).toEqual([]);
  });

  it("notices a changed count, a missing field and a shorter history", () => {
    const base = { runs: [{ observed: { breaches: 2 }, history: [{ op: "send" }, { op: "decrypt" }] }] };
    expect(
      differences(base, {
        runs: [{ observed: { breaches: 2, added: 1 }, history: [{ op: "send", x: 1 }, { op: "decrypt" }] }],
      }),
    ).toEqual([]);
    expect(
      differences(base, { runs: [{ observed: { breaches: 3 }, history: [{ op: "send" }, { op: "decrypt" }] }] }),
    ).toHaveLength(1);
    expect(differences(base, { runs: [{ observed: {}, history: [{ op: "send" }, { op: "decrypt" }] }] })).toEqual([
      "$.runs[0].observed.breaches: missing",
    ]);
    expect(differences(base, { runs: [{ observed: { breaches: 2 }, history: [{ op: "send" }] }] })).toHaveLength(1);
  });
});
