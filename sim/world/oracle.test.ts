import { describe, expect, it } from "vitest";
import type { Operation } from "./history.ts";
import { judge, outcomeOf } from "./oracle.ts";

const t = 0;
const member = (user: string, membership: string, honest = true): Operation => ({ op: "membership", t, room: "!r", user, membership, by: "@a:s", honest });
const device = (user: string, id: string, honest = true): Operation => ({ op: "device", t, user, device: `${user}/${id}`, honest });
const send = (message: string, recipients: string[], sender = "@a:s"): Operation => ({ op: "send", t, room: "!r", sender, message, session: "s", recipients });
const decrypt = (dev: string, message: string, honest = true): Operation => ({ op: "decrypt", t, room: "!r", device: dev, message, honest });

describe("oracle", () => {
  it("an adversary's device reading a message is a breach", () => {
    const j = judge([member("@a:s", "join"), device("@a:s", "A"), member("@m:evil", "join", false), device("@m:evil", "M", false), send("m1", ["@m:evil/M"]), decrypt("@m:evil/M", "m1", false)]);
    expect(j.breaches).toEqual([{ room: "!r", message: "m1", device: "@m:evil/M", adversary_device: true }]);
    expect(j.attacker_decrypted).toBe(1);
    expect(outcomeOf(j)).toBe("breach");
  });

  it("a kicked member's device reading a later message is a breach; reading an earlier one is not", () => {
    const j = judge([member("@a:s", "join"), member("@b:s", "join"), device("@b:s", "B"), send("m1", ["@b:s/B"]), member("@b:s", "leave"), send("m2", ["@b:s/B"]), decrypt("@b:s/B", "m1"), decrypt("@b:s/B", "m2")]);
    expect(j.breaches.map((b) => b.message)).toEqual(["m2"]);
    expect(j.breaches[0]?.adversary_device).toBe(false);
  });

  it("a legitimate member left out of a message is a false rejection; a member with no devices is not", () => {
    const j = judge([member("@a:s", "join"), member("@b:s", "join"), device("@b:s", "B"), member("@c:s", "join"), send("m1", [])]);
    expect(j.false_rejections).toEqual([{ room: "!r", message: "m1", user: "@b:s" }]);
    expect(outcomeOf(j)).toBe("prevented");
  });

  it("the bounding set follows permissions signed with real keys, per MSK", () => {
    const cause = (user: string, msk: string, event: string, parent: string | null, honest = true): Operation => ({ op: "cause", t, room: "!r", event, user, msk, parent, honest });
    const permit = (event: string, by: string, by_msk: string, for_user: string | null, for_msk: string | null): Operation => ({ op: "permit", t, room: "!r", event, by, by_msk, for_user, for_msk });
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
});
