import { describe, expect, it } from "vitest";
import { Rng } from "./rng.ts";

describe("Rng", () => {
  it("gives the same draws for the same seed and labels", () => {
    const a = new Rng(7);
    const b = new Rng(7);
    expect([a.bytes("x", 33), a.int("y", 1000), a.id("z")]).toEqual([b.bytes("x", 33), b.int("y", 1000), b.id("z")]);
    expect(new Rng(8).bytes("x", 33)).not.toEqual(new Rng(7).bytes("x", 33));
  });

  it("records a trace of labels, and a replay that drifts from it fails loudly", () => {
    const a = new Rng(1);
    a.bytes("keygen @alice/msk", 32);
    a.bytes("keygen @alice/ssk", 32);
    const replay = new Rng(1, a.trace);
    replay.bytes("keygen @alice/msk", 32);
    expect(() => replay.bytes("keygen @bob/msk", 32)).toThrow(
      /rng drift at draw 1: expected "keygen @alice\/ssk", got "keygen @bob\/msk"/,
    );
  });
});
