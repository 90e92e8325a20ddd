import { readFileSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { SIGNAL_PGS_APPLICABILITY } from "./applicability.ts";

// The catalogue is read as files, not imported: models do not depend on attacks (DESIGN.md §3).
const threatsDir = fileURLToPath(new URL("../../../attacks/threats/", import.meta.url));
const catalogue = readdirSync(threatsDir).flatMap((f) => /^(T\d+)-.*\.ts$/.exec(f)?.[1] ?? []);
const tests = readFileSync(fileURLToPath(new URL("./engine.test.ts", import.meta.url)), "utf8");

describe("signal-pgs applicability", () => {
  it("has one row for every threat in the catalogue, and nothing else", () => {
    expect(catalogue.length).toBeGreaterThanOrEqual(18);
    expect(SIGNAL_PGS_APPLICABILITY.map((r) => r.threat).sort()).toEqual([...catalogue].sort());
  });

  it("gives every threat that does not apply its reason, and names only tests that exist", () => {
    for (const r of SIGNAL_PGS_APPLICABILITY) {
      if (!r.applies) expect(r.reason.length, r.threat).toBeGreaterThan(40);
      else if (r.test !== undefined) expect(tests, r.threat).toContain(`it("${r.test}"`);
    }
  });
});
