/**
 * Differential test: the homeservers' authorization rules (`authorize` in room.ts) against the
 * oracle's own (oracle-auth.ts), over the random sequences oracle-auth.differential.ts makes. Any
 * verdict that differs fails, with fast-check's shrunk sequence and a readable trace.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fcParams } from "../../test-support/fast-check.ts";
import { action, disagreements, elsewhere, firstDisagreement, start } from "./oracle-auth.differential.ts";

describe("the oracle's v11 rules against the homeservers' (differential)", () => {
  // Every disagreement this found (oracle-auth.DISAGREEMENTS.md) was fixed on the side the spec
  // says was wrong; any new one fails here with fast-check's shrunk sequence.
  it("agree on every event of random sequences (see oracle-auth.DISAGREEMENTS.md)", () => {
    fc.assert(
      fc.property(start, fc.array(action, { maxLength: 30 }), elsewhere, (init, actions, joined) => {
        const d = firstDisagreement(init, actions, joined);
        expect(d, d ?? "").toBeNull();
      }),
      fcParams(500),
    );
  });

  // Honest today, and it stays so: every disagreement must be one of the recorded room.ts bugs
  // (classified from the oracle's side: the event and the oracle's verdict). A new kind, from a
  // change to either side, fails here with its trace.
  it("disagree only in the ways oracle-auth.DISAGREEMENTS.md records", () => {
    fc.assert(
      fc.property(start, fc.array(action, { maxLength: 30 }), elsewhere, (init, actions, joined) => {
        const unknown = disagreements(init, actions, joined, true).find((d) => d.known === null);
        expect(unknown?.trace ?? null, unknown?.trace ?? "").toBeNull();
      }),
      fcParams(500),
    );
  });
});
