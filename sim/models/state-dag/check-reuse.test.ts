/**
 * A state-DAG client reuses a room's last check only when what the check reads is unchanged
 * (`sameInputs`): the number of nodes it knows, the heads taken from messages, the RRK, the pins,
 * and the view's events, by object.
 */
import { describe, expect, it } from "vitest";
import type { WorldEvent } from "../../world/room.ts";
import { type CheckInputs, sameInputs } from "./index.ts";

const event = (id: string): WorldEvent =>
  ({ event_id: id, type: "m.room.member", state_key: "@a:x", sender: "@a:x", content: {} }) as unknown as WorldEvent;
const a = event("$a");
const b = event("$b");
const key = (n: number) => new Uint8Array(32).fill(n);

function inputs(
  over: Partial<{
    nodes: number;
    heads: number;
    rrk: Uint8Array;
    pins: Map<string, Uint8Array>;
    state: WorldEvent[];
    events: WorldEvent[];
  }> = {},
): CheckInputs {
  return {
    nodes: over.nodes ?? 3,
    heads: over.heads ?? 1,
    trust: {
      rrk: over.rrk ?? key(1),
      pins: over.pins ?? new Map([["@a:x", key(2)]]),
      view: { state: over.state ?? [a], events: over.events ?? [b] },
    },
  };
}

describe("sameInputs", () => {
  it("holds for equal inputs in fresh arrays, maps and byte arrays", () => {
    expect(sameInputs(inputs(), inputs())).toBe(true);
  });

  it.each([
    ["one node more", inputs({ nodes: 4 })],
    ["one head more", inputs({ heads: 2 })],
    ["another RRK", inputs({ rrk: key(9) })],
    ["another pinned key", inputs({ pins: new Map([["@a:x", key(3)]]) })],
    ["a pin for another user", inputs({ pins: new Map([["@b:x", key(2)]]) })],
    [
      "one pin more",
      inputs({
        pins: new Map([
          ["@a:x", key(2)],
          ["@b:x", key(2)],
        ]),
      }),
    ],
    ["another state event object with the same ID", inputs({ state: [event("$a")] })],
    ["a state event less", inputs({ state: [] })],
    ["the events in another order", inputs({ state: [a], events: [b, a] })],
    ["another looked-up event", inputs({ events: [a] })],
  ])("fails for %s", (_what, other) => {
    expect(sameInputs(inputs(), other)).toBe(false);
    expect(sameInputs(other, inputs())).toBe(false);
  });
});
