/**
 * Backward compatibility: the runner's results for every shipped scenario under every model equal
 * the snapshot taken before the registry refactor, except for fields added since.
 */
import { describe, expect, it } from "vitest";
import { currentResults, differences, readSnapshot } from "./scenario-snapshot.ts";

describe("shipped scenarios against the pre-refactor snapshot", () => {
  it("keep every outcome, judgement, count and history operation", async () => {
    const snapshot = readSnapshot() as { runs: unknown[] };
    const now = JSON.parse(await currentResults()) as { runs: unknown[] };
    expect(snapshot.runs.length).toBeGreaterThan(100);
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
