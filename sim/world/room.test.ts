/** The room v11 rules an honest server enforces, as far as the simulation uses them. */
import { describe, expect, it } from "vitest";
import type { JsonObject } from "../core/canonical-json.ts";
import { RoomReplica, authorize, defaultPowerLevels, type WorldEvent } from "./room.ts";

let n = 0;
const ev = (sender: string, type: string, content: JsonObject, stateKey?: string): WorldEvent => ({
  event_id: `$${++n}`,
  room_id: "!r",
  sender,
  type,
  content,
  origin_server_ts: n,
  ...(stateKey !== undefined ? { state_key: stateKey } : {}),
});
const A = "@alice:s";
const B = "@bob:s";
const C = "@carol:s";
const ctx = { isJoined: (room: string, user: string) => room === "!other" && user === C };

function room(): RoomReplica {
  const r = new RoomReplica("!r");
  for (const e of [
    ev(A, "m.room.create", {}, ""),
    ev(A, "m.room.member", { membership: "join" }, A),
    ev(A, "m.room.power_levels", defaultPowerLevels(A), ""),
    ev(A, "m.room.join_rules", { join_rule: "invite" }, ""),
  ]) {
    expect(authorize(r, e, ctx)).toBeNull();
    r.append(e);
  }
  return r;
}
const apply = (r: RoomReplica, e: WorldEvent) => {
  const why = authorize(r, e, ctx);
  if (!why) r.append(e);
  return why;
};

describe("authorization rules (room v11, auth-rules.ts, through a replica)", () => {
  it("lets a member invite, and the invitee join; refuses an uninvited join", () => {
    const r = room();
    expect(apply(r, ev(B, "m.room.member", { membership: "join" }, B))).toMatch(/not invited/);
    expect(apply(r, ev(A, "m.room.member", { membership: "invite" }, B))).toBeNull();
    expect(apply(r, ev(B, "m.room.member", { membership: "join" }, B))).toBeNull();
    expect(r.joined().sort()).toEqual([A, B]);
  });

  it("enforces kick and ban power levels, and keeps banned users out", () => {
    const r = room();
    apply(r, ev(A, "m.room.member", { membership: "invite" }, B));
    apply(r, ev(B, "m.room.member", { membership: "join" }, B));
    apply(r, ev(A, "m.room.member", { membership: "invite" }, C));
    apply(r, ev(C, "m.room.member", { membership: "join" }, C));
    expect(apply(r, ev(B, "m.room.member", { membership: "leave" }, C))).toMatch(/kick power/);
    expect(apply(r, ev(B, "m.room.member", { membership: "ban" }, A))).toMatch(/ban power/);
    expect(apply(r, ev(A, "m.room.member", { membership: "ban" }, C))).toBeNull();
    expect(apply(r, ev(C, "m.room.member", { membership: "join" }, C))).toMatch(/banned/);
    expect(apply(r, ev(A, "m.room.member", { membership: "invite" }, C))).toMatch(/banned/);
  });

  it("enforces the invite power level", () => {
    const r = room();
    apply(r, ev(A, "m.room.power_levels", { ...defaultPowerLevels(A), invite: 50 }, ""));
    apply(r, ev(A, "m.room.member", { membership: "invite" }, B));
    apply(r, ev(B, "m.room.member", { membership: "join" }, B));
    expect(apply(r, ev(B, "m.room.member", { membership: "invite" }, C))).toMatch(/invite power level/);
  });

  it("applies public and restricted join rules", () => {
    const r = room();
    expect(
      apply(
        r,
        ev(
          A,
          "m.room.join_rules",
          { join_rule: "restricted", allow: [{ type: "m.room_membership", room_id: "!other" }] },
          "",
        ),
      ),
    ).toBeNull();
    expect(apply(r, ev(B, "m.room.member", { membership: "join" }, B))).toMatch(/restricted/);
    expect(apply(r, ev(C, "m.room.member", { membership: "join" }, C))).toBeNull();
    apply(r, ev(A, "m.room.join_rules", { join_rule: "public" }, ""));
    expect(apply(r, ev(B, "m.room.member", { membership: "join" }, B))).toBeNull();
  });

  it("keeps state changes to those with the power, and power grants below one's own level", () => {
    const r = room();
    apply(r, ev(A, "m.room.member", { membership: "invite" }, B));
    apply(r, ev(B, "m.room.member", { membership: "join" }, B));
    expect(apply(r, ev(B, "m.room.join_rules", { join_rule: "public" }, ""))).toMatch(/needs power level 50/);
    expect(apply(r, ev(B, "m.room.encrypted", {}))).toBeNull();
    apply(r, ev(A, "m.room.power_levels", { ...defaultPowerLevels(A), users: { [A]: 100, [B]: 50 } }, ""));
    expect(
      apply(r, ev(B, "m.room.power_levels", { ...defaultPowerLevels(A), users: { [A]: 100, [B]: 50, [C]: 75 } }, "")),
    ).toMatch(/above one's own/);
  });

  it("refuses a moderator lowering the creator (room v11 rule 9.8), which the old cut-down rules let through", () => {
    const r = room();
    apply(r, ev(A, "m.room.member", { membership: "invite" }, B));
    apply(r, ev(B, "m.room.member", { membership: "join" }, B));
    const levels = (users: Record<string, number>) => ({ ...defaultPowerLevels(A), users });
    expect(apply(r, ev(A, "m.room.power_levels", levels({ [A]: 100, [B]: 50 }), ""))).toBeNull();
    expect(apply(r, ev(B, "m.room.power_levels", levels({ [A]: 0, [B]: 50 }), ""))).toMatch(
      /at or above one's own level/,
    );
    expect(r.power(A)).toBe(100);
  });

  it("takes the replica's latest event as prev_events: the creator's plain join right after the create", () => {
    const r = new RoomReplica("!r");
    expect(apply(r, ev(A, "m.room.create", {}, ""))).toBeNull();
    expect(apply(r, ev(A, "m.room.create", {}, ""))).toMatch(/already exists/);
    expect(apply(r, ev(A, "m.room.member", { membership: "join" }, A))).toBeNull();
  });
});
