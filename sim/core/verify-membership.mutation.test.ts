/** Tests written to kill mutants that StrykerJS found surviving (see MUTATION.md). */
import { describe, expect, it } from "vitest";

describe("mutation survivors", () => {
  it("placeholder until the first run", () => {
    expect(true).toBe(true);
  });
});
