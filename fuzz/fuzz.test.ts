/** CI's seeded fuzz run: 2,000 inputs (`npm run fuzz` runs 10^5). FUZZ_INPUTS overrides the count. */
import { describe, expect, it } from "vitest";
import { FC_SEED } from "../test-support/fast-check.ts";
import { verifyWithPlantedBugs } from "../test-support/planted-bugs.ts";
import { runFuzz } from "./fuzz.ts";

describe("fuzz (seeded, 2,000 inputs)", () => {
  it("nothing throws, nothing is slow, and every verified verdict rests on an intact chain", () => {
    const report = runFuzz({ inputs: Number(process.env.FUZZ_INPUTS ?? 2000), seed: FC_SEED });
    expect(report.findings.slice(0, 5)).toEqual([]);
    // The mutations must reach the interesting places, or the run says little.
    for (const m of [
      "drop",
      "duplicate",
      "reorder",
      "swap_field",
      "change_type",
      "flip_bytes",
      "user_id_variant",
      "proto_key",
      "splice",
      "pin",
    ])
      expect(report.mutations[m] ?? 0, m).toBeGreaterThan(50);
    expect(report.verifiedSound).toBeGreaterThan(1000);
    for (const s of [
      "rejected:join_bad_signature",
      "rejected:sender_bad_signature",
      "unknown:parent_missing",
      "rejected:malformed",
      "room:unknown",
    ])
      expect(report.statuses[s] ?? 0, s).toBeGreaterThan(0);
  }, 300_000);

  it("finds a planted soundness bug (positive control for the reference check)", () => {
    const report = runFuzz({ inputs: 300, seed: FC_SEED, verify: verifyWithPlantedBugs(["skip_invite_user_key"]) });
    expect(report.findings.filter((f) => f.kind === "unsound").length).toBeGreaterThan(0);
  }, 300_000);
});
