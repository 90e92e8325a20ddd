import { describe, expect, it } from "vitest";
import { Clock } from "./clock.ts";
import { History } from "./history.ts";
import { Homeserver } from "./homeserver.ts";
import { Network } from "./network.ts";
import { RoomReplica, type WorldEvent } from "./room.ts";

function twoServers(delay: number) {
  const network = new Network({ delay });
  const ctx = { clock: new Clock(), history: new History(), network };
  const a = network.add(new Homeserver("a.example", ctx));
  const b = network.add(new Homeserver("b.example", ctx));
  a.adopt("!r", []);
  b.adopt("!r", []);
  return { network, a, b };
}
const event = (n: number): WorldEvent =>
  n === 1
    ? {
        event_id: "$1",
        room_id: "!r",
        type: "m.room.create",
        sender: "@x:a.example",
        content: {},
        state_key: "",
        origin_server_ts: n,
      }
    : {
        event_id: `$${n}`,
        room_id: "!r",
        type: "m.room.member",
        sender: "@x:a.example",
        content: { membership: "join" },
        state_key: "@x:a.example",
        origin_server_ts: n,
      };

describe("federation", () => {
  it("delivers in order at the next flush", () => {
    const { network, a, b } = twoServers(0);
    network.federate(a, event(1));
    expect(b.rooms.get("!r")!.events).toEqual([]);
    network.flush();
    expect(b.rooms.get("!r")!.events.map((e) => e.event_id)).toEqual(["$1"]);
  });

  it("with a delay, holds events for that many flushes and keeps their order", () => {
    const { network, a, b } = twoServers(2);
    const seen = () => (b.rooms.get("!r") as RoomReplica).events.map((e) => e.event_id);
    network.federate(a, event(1));
    network.flush();
    network.federate(a, event(2));
    network.flush();
    expect(seen()).toEqual([]);
    network.flush();
    expect(seen()).toEqual(["$1"]);
    network.flush();
    expect(seen()).toEqual(["$1", "$2"]);
  });
});

describe("per-direction delays", () => {
  function threeServers(pairs: Record<string, number>, from?: number) {
    const network = new Network({ delay: 0, pairs, ...(from !== undefined ? { from } : {}) });
    const ctx = { clock: new Clock(), history: new History(), network };
    const [a, b, c] = ["a.example", "b.example", "c.example"].map((n) => network.add(new Homeserver(n, ctx)));
    for (const s of [a!, b!, c!]) s.adopt("!r", []);
    const seen = (s: Homeserver) => (s.rooms.get("!r") as RoomReplica).events.map((e) => e.event_id);
    return { network, a: a!, b: b!, c: c!, seen };
  }

  it("hold one direction only, and keep each direction's order", () => {
    const { network, a, b, c, seen } = threeServers({ "a.example>b.example": 2 });
    network.federate(a, event(1));
    network.federate(a, event(2));
    network.flush();
    // c gets both at once; b, two flushes later, in the order they were sent.
    expect(seen(c)).toEqual(["$1", "$2"]);
    expect(seen(b)).toEqual([]);
    network.flush();
    expect(seen(b)).toEqual([]);
    network.flush();
    expect(seen(b)).toEqual(["$1", "$2"]);
    expect(network.inFlight).toBe(0);
  });

  it("hold only from the flush they start at", () => {
    const { network, a, b, seen } = threeServers({ "a.example>b.example": 3 }, 1);
    network.federate(a, event(1));
    network.flush();
    expect(seen(b)).toEqual(["$1"]);
    network.federate(a, event(2));
    network.flush();
    expect(seen(b)).toEqual(["$1"]);
    expect(network.inFlight).toBe(1);
  });
});
