/**
 * The room v11 authorization rules (Matrix spec, room versions §v11 "Authorization rules"), rule
 * by rule. Each test names the list item it checks; the expected rule number is asserted, so a
 * refusal for the wrong reason fails.
 */
import { describe, expect, it } from "vitest";
import { encodeBase64 } from "../core/base64.ts";
import type { JsonObject } from "../core/canonical-json.ts";
import { signingKeyFromSeed } from "../core/ed25519.ts";
import { signThirdPartyBinding } from "../core/events.ts";
import {
  type AuthContext,
  type AuthEvent,
  authEventKeys,
  checkAuthRules,
  isPowerEvent,
  powerLevelOf,
  requiredLevel,
  stateKeyOf,
} from "./auth-rules.ts";

const A = "@alice:a.example";
const B = "@bob:b.example";
const C = "@carol:c.example";
const D = "@dan:c.example";

let n = 0;
const ev = (sender: string, type: string, content: JsonObject, stateKey?: string): AuthEvent => ({
  event_id: `$${++n}`,
  sender,
  type,
  content,
  ...(stateKey !== undefined ? { state_key: stateKey } : {}),
});
const member = (sender: string, target: string, membership: string, extra: JsonObject = {}) =>
  ev(sender, "m.room.member", { membership, ...extra }, target);
const pl = (content: JsonObject, sender = A) => ev(sender, "m.room.power_levels", content, "");

/** An auth state from events (later ones replace earlier ones at the same key). */
class State {
  readonly map = new Map<string, AuthEvent>();
  constructor(events: AuthEvent[] = []) {
    for (const e of events) this.put(e);
  }
  put(e: AuthEvent): this {
    this.map.set(stateKeyOf(e.type, e.state_key!), e);
    return this;
  }
  readonly lookup = (type: string, stateKey: string) => this.map.get(stateKeyOf(type, stateKey));
}

const ctx: AuthContext = { isJoined: (room, user) => room === "!space" && user === C };
const check = (s: State, e: AuthEvent, c: AuthContext = ctx) => checkAuthRules(e, s.lookup, c)?.rule ?? "allow";

/** A room: Alice created it (100), Bob is a moderator (50), Carol a member (0); invite-only. */
function room(levels: JsonObject = {}): State {
  return new State([
    ev(A, "m.room.create", { room_version: "msc3917" }, ""),
    member(A, A, "join"),
    pl({
      users: { [A]: 100, [B]: 50 },
      users_default: 0,
      invite: 0,
      kick: 50,
      ban: 50,
      state_default: 50,
      events_default: 0,
      events: {},
      ...levels,
    }),
    ev(A, "m.room.join_rules", { join_rule: "invite" }, ""),
    member(B, B, "join"),
    member(C, C, "join"),
  ]);
}

describe("1. m.room.create", () => {
  it("1.1: a create with prev_events (or, state-based, in a room with one) is refused; the first is allowed", () => {
    expect(check(new State(), ev(A, "m.room.create", {}, ""), { ...ctx, prevEvents: [] })).toBe("allow");
    expect(check(new State(), ev(A, "m.room.create", {}, ""), { ...ctx, prevEvents: ["$x"] })).toBe("1.1");
    expect(check(room(), ev(A, "m.room.create", {}, ""))).toBe("1.1");
  });
  it("1.2: a room ID with a domain must be the sender's; MSC3917's domain-less IDs pass", () => {
    expect(check(new State(), { ...ev(A, "m.room.create", {}, ""), room_id: "!x:b.example" })).toBe("1.2");
    expect(check(new State(), { ...ev(A, "m.room.create", {}, ""), room_id: "!x:a.example" })).toBe("allow");
    expect(check(new State(), { ...ev(A, "m.room.create", {}, ""), room_id: "!Zm9vYmFy" })).toBe("allow");
  });
  it("1.3: an unrecognised room_version is refused", () => {
    expect(check(new State(), ev(A, "m.room.create", { room_version: "999" }, ""))).toBe("1.3");
    expect(check(new State(), ev(A, "m.room.create", { room_version: 11 }, ""))).toBe("1.3");
    expect(check(new State(), ev(A, "m.room.create", { room_version: "11" }, ""))).toBe("allow");
  });
});

describe("2 and 3: the create event and m.federate", () => {
  it("2.4: no m.room.create in the auth state: refused", () => {
    expect(check(new State(), ev(A, "m.room.topic", {}, ""))).toBe("2.4");
  });
  it("3: m.federate false refuses senders from other servers, before any other rule", () => {
    const s = room().put(ev(A, "m.room.create", { "m.federate": false }, ""));
    expect(check(s, ev(B, "m.room.message", {}))).toBe("3");
    expect(check(s, member(D, D, "join"))).toBe("3");
    expect(check(s, ev(A, "m.room.message", {}))).toBe("allow");
  });
});

describe("4.1 and 4.3: joins", () => {
  it("4.1: a member event without a state key or membership is refused", () => {
    expect(check(room(), ev(D, "m.room.member", { membership: "join" }))).toBe("4.1");
    expect(check(room(), ev(D, "m.room.member", {}, D))).toBe("4.1");
  });
  it("4.3.1: the creator's join right after the create (by prev_events, or state-based)", () => {
    const justCreated = new State([ev(A, "m.room.create", {}, "")]);
    const create = justCreated.lookup("m.room.create", "")!;
    expect(check(justCreated, member(A, A, "join"), { ...ctx, prevEvents: [create.event_id] })).toBe("allow");
    expect(check(justCreated, member(A, A, "join"))).toBe("allow");
    // Anyone else falls through to the join rule, which reads as invite (no join rules event).
    expect(check(justCreated, member(B, B, "join"), { ...ctx, prevEvents: [create.event_id] })).toBe("4.3.4");
    // Not right after the create: the creator is an ordinary user.
    expect(check(justCreated, member(A, A, "join"), { ...ctx, prevEvents: ["$other"] })).toBe("4.3.4");
  });
  it("4.3.2: a join sent for someone else is refused", () => {
    expect(check(room({}).put(ev(A, "m.room.join_rules", { join_rule: "public" }, "")), member(A, D, "join"))).toBe(
      "4.3.2",
    );
  });
  it("4.3.3: a banned user cannot join, whatever the rule", () => {
    const s = room()
      .put(ev(A, "m.room.join_rules", { join_rule: "public" }, ""))
      .put(member(A, D, "ban"));
    expect(check(s, member(D, D, "join"))).toBe("4.3.3");
  });
  it("4.3.4: invite and knock rules admit the invited and the joined only", () => {
    for (const rule of ["invite", "knock"]) {
      const s = room().put(ev(A, "m.room.join_rules", { join_rule: rule }, ""));
      expect(check(s, member(D, D, "join"))).toBe("4.3.4");
      expect(check(s, member(C, C, "join"))).toBe("allow");
      expect(check(s.put(member(A, D, "invite")), member(D, D, "join"))).toBe("allow");
    }
  });
  it("4.3.4 (Policy): no join rules event, or no string join_rule, reads as invite", () => {
    const s = room();
    s.map.delete(stateKeyOf("m.room.join_rules", ""));
    expect(check(s, member(D, D, "join"))).toBe("4.3.4");
    expect(check(room().put(ev(A, "m.room.join_rules", { join_rules: "public" }, "")), member(D, D, "join"))).toBe(
      "4.3.4",
    );
  });
  it("4.3.5: restricted and knock_restricted admit the invited, and members of an allowed room", () => {
    for (const rule of ["restricted", "knock_restricted"]) {
      const s = room().put(
        ev(A, "m.room.join_rules", { join_rule: rule, allow: [{ type: "m.room_membership", room_id: "!space" }] }, ""),
      );
      s.map.delete(stateKeyOf("m.room.member", C));
      expect(check(s, member(C, C, "join"))).toBe("allow"); // joined to !space (ctx)
      expect(check(s, member(D, D, "join"))).toBe("4.3.5.2");
      // 4.3.5.1: invited.
      expect(check(new State([...s.map.values()]).put(member(A, D, "invite")), member(D, D, "join"))).toBe("allow");
    }
  });
  it("4.3.5 (Policy): only m.room_membership entries count", () => {
    const s = room().put(
      ev(A, "m.room.join_rules", { join_rule: "restricted", allow: [{ type: "m.other", room_id: "!space" }] }, ""),
    );
    s.map.delete(stateKeyOf("m.room.member", C));
    expect(check(s, member(C, C, "join"))).toBe("4.3.5.2");
  });
  it("4.3.5.2: join_authorised_via_users_server must be a joined user who can invite", () => {
    const s = room({ invite: 50 }).put(
      ev(
        A,
        "m.room.join_rules",
        { join_rule: "restricted", allow: [{ type: "m.room_membership", room_id: "!space" }] },
        "",
      ),
    );
    s.map.delete(stateKeyOf("m.room.member", C));
    expect(check(s, member(C, C, "join", { join_authorised_via_users_server: B }))).toBe("allow");
    expect(check(s, member(C, C, "join", { join_authorised_via_users_server: D }))).toBe("4.3.5.2"); // not joined
    s.put(member(D, D, "join"));
    // Level 0, below the invite level 50:
    expect(check(s, member(C, C, "join", { join_authorised_via_users_server: D }))).toBe("4.3.5.2");
  });
  it("4.3.6 and 4.3.7: public admits anyone; an unknown rule (e.g. private) admits no one, even the invited", () => {
    expect(check(room().put(ev(A, "m.room.join_rules", { join_rule: "public" }, "")), member(D, D, "join"))).toBe(
      "allow",
    );
    const priv = room()
      .put(ev(A, "m.room.join_rules", { join_rule: "private" }, ""))
      .put(member(A, D, "invite"));
    expect(check(priv, member(D, D, "join"))).toBe("4.3.7");
    expect(check(priv, member(C, C, "join"))).toBe("4.3.7");
  });
});

describe("4.4: invites", () => {
  it("4.4.2 to 4.4.5: a joined sender with the invite level may invite anyone not joined or banned", () => {
    const s = room({ invite: 50 });
    expect(check(s, member(D, A, "invite"))).toBe("4.4.2");
    expect(check(s, member(B, D, "invite"))).toBe("allow");
    expect(check(s, member(B, C, "invite"))).toBe("4.4.3");
    expect(check(new State([...s.map.values()]).put(member(A, D, "ban")), member(B, D, "invite"))).toBe("4.4.3");
    expect(check(s, member(C, D, "invite"))).toBe("4.4.5");
  });

  describe("4.4.1: third-party invites", () => {
    const idKey = signingKeyFromSeed(new Uint8Array(32).fill(1));
    const otherKey = signingKeyFromSeed(new Uint8Array(32).fill(2));
    const tpi = (sender = A, keys: JsonObject = { public_key: encodeBase64(idKey.publicKey) }) =>
      ev(sender, "m.room.third_party_invite", { display_name: "d…", ...keys }, "tok");
    const binding = (mxid: string, key = idKey, token = "tok") =>
      signThirdPartyBinding({
        mxid,
        token,
        userKey: new Uint8Array(32),
        identityServer: "id.example",
        keyId: "ed25519:0",
        key,
      });
    const invite3p = (sender: string, target: string, signed: JsonObject | undefined) =>
      member(sender, target, "invite", {
        third_party_invite: signed === undefined ? { display_name: "d…" } : { display_name: "d…", signed },
      });

    it("4.4.1.7: a binding signed by a key the third-party invite lists (public_key or public_keys) is allowed", () => {
      expect(check(room().put(tpi()), invite3p(A, D, binding(D)))).toBe("allow");
      const listed = tpi(A, {
        public_keys: [{ public_key: encodeBase64(otherKey.publicKey) }, { public_key: encodeBase64(idKey.publicKey) }],
      });
      expect(check(room().put(listed), invite3p(A, D, binding(D)))).toBe("allow");
    });
    it("4.4.1.8: a binding signed by any other key is refused (the forged identity server)", () => {
      expect(check(room().put(tpi()), invite3p(A, D, binding(D, otherKey)))).toBe("4.4.1.8");
      const tampered = { ...binding(D), mxid: C };
      expect(check(room().put(tpi()), invite3p(A, C, tampered))).toBe("4.4.1.8");
    });
    it("4.4.1.1 to 4.4.1.6", () => {
      expect(
        check(
          room()
            .put(tpi())
            .put(member(A, D, "ban")),
          invite3p(A, D, binding(D)),
        ),
      ).toBe("4.4.1.1");
      expect(check(room().put(tpi()), invite3p(A, D, undefined))).toBe("4.4.1.2");
      expect(check(room().put(tpi()), invite3p(A, D, { mxid: D }))).toBe("4.4.1.3");
      expect(check(room().put(tpi()), invite3p(A, D, binding(C)))).toBe("4.4.1.4");
      expect(check(room(), invite3p(A, D, binding(D)))).toBe("4.4.1.5");
      expect(check(room().put(tpi()), invite3p(A, D, binding(D, idKey, "other")))).toBe("4.4.1.5");
      expect(check(room().put(tpi()), invite3p(B, D, binding(D)))).toBe("4.4.1.6");
    });
    it("4.4.1 comes before 4.4.2 and 4.4.3: the sender need not be joined, nor the target unjoined", () => {
      const s = room()
        .put(tpi())
        .put(member(A, A, "leave"));
      expect(check(s, invite3p(A, D, binding(D)))).toBe("allow");
      expect(
        check(
          room().put(ev(A, "m.room.third_party_invite", { public_key: encodeBase64(idKey.publicKey) }, "tok")),
          invite3p(A, C, binding(C)),
        ),
      ).toBe("allow");
    });
  });
});

describe("4.5: leaves, kicks and unbans", () => {
  it("4.5.1: a user may leave from invite, join or knock, not otherwise", () => {
    const s = room().put(member(A, D, "invite"));
    expect(check(s, member(D, D, "leave"))).toBe("allow");
    expect(check(s, member(C, C, "leave"))).toBe("allow");
    expect(check(room().put(member(D, D, "knock")), member(D, D, "leave"))).toBe("allow");
    expect(check(room(), member(D, D, "leave"))).toBe("4.5.1");
    expect(check(room().put(member(A, D, "ban")), member(D, D, "leave"))).toBe("4.5.1");
  });
  it("4.5.2: a kicker must be joined", () => {
    expect(check(room().put(member(B, B, "leave")), member(B, C, "leave"))).toBe("4.5.2");
  });
  it("4.5.4 and 4.5.5: kicking needs the kick level and more power than the target", () => {
    expect(check(room(), member(B, C, "leave"))).toBe("allow");
    expect(check(room(), member(C, B, "leave"))).toBe("4.5.5");
    expect(check(room({ users: { [A]: 100, [B]: 50, [C]: 50 } }), member(B, C, "leave"))).toBe("4.5.5");
    expect(check(room(), member(B, A, "leave"))).toBe("4.5.5");
  });
  it("4.5.3 to 4.5.5: unbanning needs the ban level, and the kick level, and more power than the target", () => {
    const banned = (levels: JsonObject) => room(levels).put(member(A, D, "ban"));
    expect(check(banned({}), member(B, D, "leave"))).toBe("allow");
    expect(check(banned({ ban: 75 }), member(B, D, "leave"))).toBe("4.5.3");
    // The old rules let this unban through: ban level met, kick level not.
    expect(check(banned({ kick: 75 }), member(B, D, "leave"))).toBe("4.5.5");
    // Nor may a moderator unban someone of equal power.
    expect(check(banned({ users: { [A]: 100, [B]: 50, [D]: 50 } }), member(B, D, "leave"))).toBe("4.5.5");
  });
});

describe("4.6 and 4.7: bans and knocks", () => {
  it("4.6: a ban needs a joined sender with the ban level and more power than the target", () => {
    expect(check(room(), member(B, C, "ban"))).toBe("allow");
    expect(check(room(), member(B, D, "ban"))).toBe("allow"); // a user not in the room
    expect(check(room(), member(C, D, "ban"))).toBe("4.6.3");
    expect(check(room(), member(B, A, "ban"))).toBe("4.6.3");
    expect(check(room().put(member(B, B, "leave")), member(B, C, "ban"))).toBe("4.6.1");
  });
  it("4.7: knocking needs a knock rule, one's own state key, and no ban, invite or join", () => {
    const knock = room().put(ev(A, "m.room.join_rules", { join_rule: "knock" }, ""));
    expect(check(knock, member(D, D, "knock"))).toBe("allow");
    expect(
      check(room().put(ev(A, "m.room.join_rules", { join_rule: "knock_restricted" }, "")), member(D, D, "knock")),
    ).toBe("allow");
    expect(check(room(), member(D, D, "knock"))).toBe("4.7.1");
    expect(check(knock, member(C, D, "knock"))).toBe("4.7.2");
    expect(check(knock, member(C, C, "knock"))).toBe("4.7.4");
    expect(check(new State([...knock.map.values()]).put(member(A, D, "ban")), member(D, D, "knock"))).toBe("4.7.4");
  });
  it("4.8: an unknown membership is refused", () => {
    expect(check(room(), member(A, D, "bogus"))).toBe("4.8");
  });
});

describe("5 to 8: other events", () => {
  it("5: the sender must be joined", () => {
    expect(check(room(), ev(D, "m.room.message", {}))).toBe("5");
    expect(check(room().put(member(A, D, "invite")), ev(D, "m.room.message", {}))).toBe("5");
  });
  it("6: m.room.third_party_invite needs the invite level, not the state level", () => {
    expect(check(room(), ev(C, "m.room.third_party_invite", {}, "tok"))).toBe("allow");
    expect(
      check(
        room({ invite: 50, events: { "m.room.third_party_invite": 0 } }),
        ev(C, "m.room.third_party_invite", {}, "tok"),
      ),
    ).toBe("6");
  });
  it("7: the required level: events[type], else state_default or events_default", () => {
    expect(check(room(), ev(C, "m.room.topic", {}, ""))).toBe("7");
    expect(check(room(), ev(B, "m.room.topic", {}, ""))).toBe("allow");
    expect(check(room({ events: { "m.room.topic": 0 } }), ev(C, "m.room.topic", {}, ""))).toBe("allow");
    expect(check(room({ events_default: 10 }), ev(C, "m.room.message", {}))).toBe("7");
    expect(check(room({ events: { "m.room.message": 60 } }), ev(B, "m.room.message", {}))).toBe("7");
  });
  it("7 (defaults): state_default is 50 when the power levels leave it out, 0 without a power-levels event", () => {
    const s = room();
    s.put(pl({ users: { [A]: 100 } }));
    expect(requiredLevel(s.lookup, "m.room.topic", true)).toBe(50);
    s.map.delete(stateKeyOf("m.room.power_levels", ""));
    expect(requiredLevel(s.lookup, "m.room.topic", true)).toBe(0);
    expect(check(s, ev(C, "m.room.topic", {}, ""))).toBe("allow");
  });
  it("8: a state key starting with @ must be the sender's", () => {
    expect(check(room(), ev(B, "m.room.topic", {}, C))).toBe("8");
    expect(check(room({ events: { "m.custom": 0 } }), ev(C, "m.custom", {}, C))).toBe("allow");
  });
  it("10: everything else that passed is allowed", () => {
    expect(check(room(), ev(C, "m.room.message", {}))).toBe("allow");
  });
});

describe("9: m.room.power_levels", () => {
  const base = {
    users: { [A]: 100, [B]: 50 },
    users_default: 0,
    invite: 0,
    kick: 50,
    ban: 50,
    state_default: 50,
    events_default: 0,
    events: {},
  };
  const by = (sender: string, content: JsonObject, levels: JsonObject = {}) =>
    check(room(levels), pl({ ...base, ...levels, ...content }, sender));

  it("9.8: the known bug: a moderator at 50 cannot lower the creator from 100 to 0, nor remove them", () => {
    expect(by(B, { users: { [A]: 0, [B]: 50 } })).toBe("9.8");
    expect(by(B, { users: { [B]: 50 } })).toBe("9.8");
  });
  it("9.8: nor change a user at their own level; but they may change themselves, and those below", () => {
    // An entry left as it was is not a change, even at or above the sender's level.
    expect(by(B, { users: { [A]: 100, [B]: 50, [C]: 50 }, kick: 40 }, { users: { [A]: 100, [B]: 50, [C]: 50 } })).toBe(
      "allow",
    );
    expect(by(B, { users: { [A]: 100, [B]: 50, [C]: 10 } }, { users: { [A]: 100, [B]: 50, [C]: 50 } })).toBe("9.8");
    expect(by(B, { users: { [A]: 100, [B]: 10 } })).toBe("allow");
    expect(by(B, { users: { [A]: 100, [B]: 50, [C]: 10 } }, { users: { [A]: 100, [B]: 50, [C]: 20 } })).toBe("allow");
  });
  it("9.9: no one may grant a level above their own (equal is allowed)", () => {
    expect(by(B, { users: { [A]: 100, [B]: 50, [C]: 75 } })).toBe("9.9");
    expect(by(B, { users: { [A]: 100, [B]: 50, [C]: 50 } })).toBe("allow");
    expect(by(B, { users: { [A]: 100, [B]: 60 } })).toBe("9.9");
  });
  it("9.5: top-level levels: neither the old nor the new value may be above the sender's", () => {
    for (const k of ["users_default", "events_default", "state_default", "ban", "redact", "kick", "invite"]) {
      // (m.room.power_levels itself at 50, so that a high state_default does not stop B at rule 7.)
      const events = { "m.room.power_levels": 50 };
      expect(by(B, { [k]: 75 }, { events })).toBe("9.5.2");
      expect(by(B, { [k]: 40 }, { [k]: 75, events })).toBe("9.5.1");
      expect(by(B, { [k]: 50 }, { [k]: 10, events })).toBe("allow");
      expect(by(A, { [k]: 100 })).toBe("allow");
    }
    // Removed: the current value counts.
    const { kick: _k, ...noKick } = base;
    expect(check(room({ kick: 75 }), pl({ ...noKick }, B))).toBe("9.5.1");
  });
  it("9.6 and 9.7: events and notifications entries", () => {
    expect(by(B, { events: { "m.room.topic": 75 } })).toBe("9.7");
    expect(by(B, { events: { "m.room.topic": 10 } }, { events: { "m.room.topic": 75 } })).toBe("9.6");
    expect(by(B, { events: {} }, { events: { "m.room.topic": 75 } })).toBe("9.6");
    expect(by(B, { events: { "m.room.topic": 50 } }, { events: { "m.room.topic": 75, "m.room.name": 20 } })).toBe(
      "9.6",
    );
    expect(by(B, { events: { "m.room.name": 50 } })).toBe("allow");
    expect(by(B, { notifications: { room: 75 } })).toBe("9.7");
    expect(by(B, { notifications: { room: 10 } }, { notifications: { room: 75 } })).toBe("9.6");
  });
  it("9.1 to 9.3: shapes", () => {
    expect(by(A, { kick: "50" })).toBe("9.1");
    expect(by(A, { ban: 50.5 })).toBe("9.1");
    expect(by(A, { events: { "m.room.topic": "50" } })).toBe("9.2");
    expect(by(A, { notifications: [] })).toBe("9.2");
    expect(by(A, { users: { alice: 100 } })).toBe("9.3");
    expect(by(A, { users: { [A]: "100" } })).toBe("9.3");
    expect(by(A, { users: [] })).toBe("9.3");
  });
  it("9.4: the first power-levels event is allowed (after rule 7, which needs 0 without one)", () => {
    const s = room();
    s.map.delete(stateKeyOf("m.room.power_levels", ""));
    expect(check(s, pl({ users: { [C]: 100 } }, C))).toBe("allow");
  });
  it("7 applies to m.room.power_levels too: a user below state_default cannot send one", () => {
    expect(by(C, { users: { [A]: 100, [B]: 50 } })).toBe("7");
  });
});

describe("levels and auth events", () => {
  it("a power-levels event without users gives the creator users_default, not 100; none at all gives 100", () => {
    const s = room().put(pl({ users_default: 5 }));
    expect(powerLevelOf(s.lookup, A)).toBe(5);
    s.map.delete(stateKeyOf("m.room.power_levels", ""));
    expect(powerLevelOf(s.lookup, A)).toBe(100);
    expect(powerLevelOf(s.lookup, B)).toBe(0);
  });
  it("auth events selection: create, power levels, sender; target and join rules for joins, invites and knocks", () => {
    expect(authEventKeys(ev(A, "m.room.create", {}, ""))).toEqual([]);
    expect(authEventKeys(ev(B, "m.room.topic", {}, ""))).toEqual([
      ["m.room.create", ""],
      ["m.room.power_levels", ""],
      ["m.room.member", B],
    ]);
    expect(authEventKeys(member(A, B, "ban"))).toEqual([
      ["m.room.create", ""],
      ["m.room.power_levels", ""],
      ["m.room.member", A],
      ["m.room.member", B],
    ]);
    expect(authEventKeys(member(B, B, "join", { join_authorised_via_users_server: A }))).toEqual([
      ["m.room.create", ""],
      ["m.room.power_levels", ""],
      ["m.room.member", B],
      ["m.room.join_rules", ""],
      ["m.room.member", A],
    ]);
    expect(authEventKeys(member(A, B, "invite", { third_party_invite: { signed: { token: "t" } } }))).toContainEqual([
      "m.room.third_party_invite",
      "t",
    ]);
  });
  it("power events: power levels, join rules, and kicks and bans (not self-leaves)", () => {
    expect(isPowerEvent(pl({}))).toBe(true);
    expect(isPowerEvent(ev(A, "m.room.join_rules", {}, ""))).toBe(true);
    expect(isPowerEvent(member(A, B, "ban"))).toBe(true);
    expect(isPowerEvent(member(A, B, "leave"))).toBe(true);
    expect(isPowerEvent(member(B, B, "leave"))).toBe(false);
    expect(isPowerEvent(member(A, B, "invite"))).toBe(false);
    expect(isPowerEvent(ev(A, "m.room.topic", {}, ""))).toBe(false);
    expect(isPowerEvent(ev(A, "m.room.create", {}, ""))).toBe(false);
  });
});
