/**
 * statesOfDag: the state before and after every event of a DAG (state resolution v2's opening
 * paragraphs), auth events from the state before, and what it does with untrusted DAGs.
 */
import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../core/canonical-json.ts";
import { stateKeyOf } from "../../world/auth-rules.ts";
import { type DagEvent, statesOfDag } from "./state-res-v2-dag.ts";

const A = "@alice:a.example";
const B = "@bob:b.example";

let ts = 0;
const ev = (
  id: string,
  sender: string,
  type: string,
  stateKey: string | undefined,
  content: JsonObject,
  prev: string[],
): DagEvent => ({
  event_id: id,
  sender,
  type,
  content,
  ...(stateKey !== undefined ? { state_key: stateKey } : {}),
  origin_server_ts: ts++,
  prev_events: prev,
});

const room = (): DagEvent[] => [
  ev("$create", A, "m.room.create", "", {}, []),
  ev("$ma", A, "m.room.member", A, { membership: "join" }, ["$create"]),
  ev("$pl", A, "m.room.power_levels", "", { users: { [A]: 100 } }, ["$ma"]),
  ev("$jr", A, "m.room.join_rules", "", { join_rule: "invite" }, ["$pl"]),
];
const MEMBER_B = stateKeyOf("m.room.member", B);

describe("statesOfDag", () => {
  it("takes auth events from the state before: the auth events selection, by key", () => {
    const d = statesOfDag(
      [
        ...room(),
        ev("$inv", A, "m.room.member", B, { membership: "invite" }, ["$jr"]),
        ev("$mb", B, "m.room.member", B, { membership: "join" }, ["$inv"]),
      ],
      { tieBreak: "ts", check: true },
    );
    expect(d.events.get("$mb")!.auth_events).toEqual(["$create", "$pl", "$inv", "$jr"]);
    expect(d.events.get("$create")!.auth_events).toEqual([]);
    expect(d.after.get("$mb")!.get(MEMBER_B)).toBe("$mb");
    expect(d.rejected).toEqual([]);
  });

  it("with check, an event the rules refuse on its state before is rejected and leaves the state as it was", () => {
    const d = statesOfDag([...room(), ev("$mb", B, "m.room.member", B, { membership: "join" }, ["$jr"])], {
      tieBreak: "ts",
      check: true,
    });
    expect(d.rejected).toEqual([
      { id: "$mb", rule: "4.3.4", why: "the join rule is invite and the user is not invited" },
    ]);
    expect(d.events.get("$mb")!.rejected).toBe(true);
    expect(d.after.get("$mb")!.has(MEMBER_B)).toBe(false);
    // Unchecked (as the classic graphs are built), it is placed.
    expect(
      statesOfDag([...room(), ev("$mb", B, "m.room.member", B, { membership: "join" }, ["$jr"])], {
        tieBreak: "ts",
        check: false,
      })
        .after.get("$mb")!
        .get(MEMBER_B),
    ).toBe("$mb");
  });

  it("resolves the states of several prev_events, and says what the resolution refused", () => {
    const left = ev("$ban", A, "m.room.member", B, { membership: "ban" }, ["$mb"]);
    const right = ev("$t", B, "m.room.topic", "", {}, ["$mb"]);
    const d = statesOfDag(
      [
        ...room(),
        ev("$r", A, "m.room.join_rules", "", { join_rule: "public" }, ["$jr"]),
        ev("$mb", B, "m.room.member", B, { membership: "join" }, ["$r"]),
        left,
        right,
        ev("$end", A, "m.room.message", undefined, {}, ["$ban", "$t"]),
      ],
      { tieBreak: "ts", check: false },
    );
    expect(d.before.get("$end")!.get(MEMBER_B)).toBe("$ban");
    expect(d.before.get("$end")!.has(stateKeyOf("m.room.topic", ""))).toBe(false);
    expect(d.refusedInResolution).toEqual([{ at: "$end", id: "$t", rule: "5", why: "the sender is not joined" }]);
  });

  it("leaves unplaced every event after a missing prev_event, and names the missing one", () => {
    const d = statesOfDag(
      [
        ...room(),
        ev("$x", A, "m.room.topic", "", {}, ["$jr", "$gone"]),
        ev("$y", A, "m.room.name", "", {}, ["$x"]),
        ev("$z", A, "m.room.name", "", {}, ["$jr"]),
      ],
      {
        tieBreak: "ts",
        check: true,
      },
    );
    expect(d.missing).toEqual(["$gone"]);
    expect(d.unplaced).toEqual(["$x", "$y"]);
    expect(d.after.has("$z")).toBe(true);
  });

  it("leaves unplaced the events on a prev_events cycle and after it, and terminates", () => {
    const d = statesOfDag(
      [
        ...room(),
        ev("$p", A, "m.room.topic", "", {}, ["$jr", "$q"]),
        ev("$q", A, "m.room.name", "", {}, ["$p"]),
        ev("$s", A, "m.room.name", "", {}, ["$q"]),
      ],
      {
        tieBreak: "ts",
        check: true,
      },
    );
    expect(d.missing).toEqual([]);
    expect(d.unplaced).toEqual(["$p", "$q", "$s"]);
  });
});
