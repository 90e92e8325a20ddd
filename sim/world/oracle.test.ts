import { describe, expect, it } from "vitest";
import type { Operation } from "./history.ts";
import { judge, outcomeOf } from "./oracle.ts";

const t = 0;
let n = 0;
const state = (type: string, state_key: string, sender: string, content: Record<string, unknown>): Operation => ({
  op: "state",
  t,
  room: "!r",
  event: `$${type}-${state_key}-${n++}`,
  node: null,
  type,
  state_key,
  sender,
  membership: typeof content.membership === "string" ? content.membership : null,
  parent: null,
  content: content as never,
});
/** The room !r, created by @a:s (the oracle's own rules judge every later event). */
const created = (): Operation[] => [
  state("m.room.create", "", "@a:s", {}),
  state("m.room.member", "@a:s", "@a:s", { membership: "join" }),
];
/** An honest membership change, as honest actors do it: a join after @a:s's invite; a leave by the user. */
const member = (user: string, membership: string, honest = true): Operation[] => {
  if (!honest)
    return [{ op: "cause", t, room: "!r", event: `$forged-${n++}`, user, msk: "M", parent: "", honest: false }];
  if (user === "@a:s") return created();
  if (membership === "join")
    return [
      state("m.room.member", user, "@a:s", { membership: "invite" }),
      state("m.room.member", user, user, { membership: "join" }),
    ];
  return [state("m.room.member", user, user, { membership })];
};
const device = (user: string, id: string, honest = true): Operation[] => [
  { op: "device", t, user, device: `${user}/${id}`, honest },
];
const send = (message: string, recipients: string[], sender = "@a:s"): Operation[] => [
  { op: "send", t, room: "!r", sender, message, session: "s", recipients },
];
const decrypt = (dev: string, message: string, honest = true): Operation[] => [
  { op: "decrypt", t, room: "!r", device: dev, message, honest },
];

describe("oracle", () => {
  it("an adversary's device reading a message is a breach", () => {
    const j = judge(
      [
        member("@a:s", "join"),
        device("@a:s", "A"),
        member("@m:evil", "join", false),
        device("@m:evil", "M", false),
        send("m1", ["@m:evil/M"]),
        decrypt("@m:evil/M", "m1", false),
      ].flat(),
    );
    expect(j.breaches).toEqual([{ room: "!r", message: "m1", device: "@m:evil/M", adversary_device: true }]);
    expect(j.attacker_decrypted).toBe(1);
    expect(outcomeOf(j)).toBe("breach");
  });

  it("a kicked member's device reading a later message is a breach; reading an earlier one is not", () => {
    const j = judge(
      [
        member("@a:s", "join"),
        member("@b:s", "join"),
        device("@b:s", "B"),
        send("m1", ["@b:s/B"]),
        member("@b:s", "leave"),
        send("m2", ["@b:s/B"]),
        decrypt("@b:s/B", "m1"),
        decrypt("@b:s/B", "m2"),
      ].flat(),
    );
    expect(j.breaches.map((b) => b.message)).toEqual(["m2"]);
    expect(j.breaches[0]?.adversary_device).toBe(false);
  });

  it("a legitimate member left out of a message is a false rejection; a member with no devices is not", () => {
    const j = judge(
      [
        member("@a:s", "join"),
        member("@b:s", "join"),
        device("@b:s", "B"),
        member("@c:s", "join"),
        send("m1", []),
      ].flat(),
    );
    expect(j.false_rejections).toEqual([{ room: "!r", message: "m1", user: "@b:s" }]);
    expect(outcomeOf(j)).toBe("prevented");
  });

  it("the bounding set follows permissions signed with real keys, per MSK", () => {
    const cause = (user: string, msk: string, event: string, parent: string | null, honest = true): Operation => ({
      op: "cause",
      t,
      room: "!r",
      event,
      user,
      msk,
      parent,
      honest,
    });
    const permit = (
      event: string,
      by: string,
      by_msk: string,
      for_user: string | null,
      for_msk: string | null,
    ): Operation => ({ op: "permit", t, room: "!r", event, by, by_msk, for_user, for_msk });
    const j = judge([
      cause("@a:s", "A", "$create", null),
      permit("$inviteB", "@a:s", "A", "@b:s", "B"),
      cause("@b:s", "B", "$joinB", "$inviteB"),
      cause("@b:s", "FAKE", "$forged", "$inviteB", false), // another MSK on Bob's invite: not in the set
      permit("$inviteM", "@b:s", "B", "@m:evil", "M"), // Bob colludes: his real keys let Mallory in
      cause("@m:evil", "M", "$joinM", "$inviteM", false),
      cause("@e:evil", "E", "$joinE", "$nowhere", false), // no permission at all
    ]);
    expect(j.bounding_set).toEqual({ "!r": ["@a:s|A", "@b:s|B", "@m:evil|M"] });
  });

  it("decides legitimacy with its own rules, in the real order: an invite by a member already banned lets nobody in", () => {
    const ban = state("m.room.member", "@b:s", "@a:s", { membership: "ban" });
    const invite = state("m.room.member", "@c:s", "@b:s", { membership: "invite" }); // b's server had not heard of the ban
    const join = state("m.room.member", "@c:s", "@c:s", { membership: "join" });
    const j = judge(
      [
        created(),
        state("m.room.power_levels", "", "@a:s", { users: { "@a:s": 100 } }),
        member("@b:s", "join"),
        ban,
        invite,
        join,
        device("@c:s", "C"),
        send("m1", ["@c:s/C"]),
        decrypt("@c:s/C", "m1"),
      ].flat(),
    );
    expect(j.refused.map((r) => r.event)).toEqual([
      invite.op === "state" ? invite.event : "",
      join.op === "state" ? join.event : "",
    ]);
    expect(j.breaches.map((b) => b.device)).toEqual(["@c:s/C"]);
  });

  it("an alarm is a detection only when its cause traces to an adversarial act; any other is a false alarm", () => {
    const alarm = (missing: string, by: string): Operation => ({
      op: "alarm",
      t,
      room: "!r",
      client: "@a:s",
      missing,
      referenced_by: [{ kind: "node", id: by, sender: "@b:s" }],
    });
    const hidden: Operation = {
      op: "adversary",
      t,
      capability: "withhold",
      detail: { server: "s", room: "!r", hidden: "$ban" },
    };
    const banNode: Operation = {
      ...(state("m.room.member", "@c:s", "@a:s", { membership: "ban" }) as Extract<Operation, { op: "state" }>),
      event: "$ban",
      node: "$banNode",
    };
    const forged: Operation = {
      op: "adversary",
      t,
      capability: "forge",
      detail: { server: "s", room: "!r", event: "$f", node: "$forgedNode" },
    };
    const honestOnly = judge([created(), alarm("$refusedNode", "$someNode")].flat());
    expect([honestOnly.detections, honestOnly.false_alarms.length, outcomeOf(honestOnly)]).toEqual([0, 1, "prevented"]);
    const traced = judge(
      [
        created(),
        banNode,
        hidden,
        forged,
        alarm("$banNode", "$x"),
        alarm("$gone", "$forgedNode"),
        alarm("$other", "$y"),
      ].flat(),
    );
    expect([traced.detections, traced.false_alarms.map((a) => a.missing), outcomeOf(traced)]).toEqual([
      2,
      ["$other"],
      "detected",
    ]);
  });

  it("a member led into the wrong room writes for the room they meant", () => {
    const other = (o: Operation): Operation => ({ ...o, room: "!fake" }) as Operation;
    const j = judge(
      [
        created(),
        member("@b:s", "join"),
        device("@b:s", "B"),
        device("@m:evil", "M", false),
        { op: "misled", t, room: "!fake", user: "@b:s", meant: "!r" } as Operation,
        send("m1", ["@m:evil/M"], "@b:s").map(other),
        decrypt("@m:evil/M", "m1", false).map(other),
      ].flat(),
    );
    expect(j.breaches.map((b) => b.device)).toEqual(["@m:evil/M"]);
  });
});
