/**
 * Builds MSC3917 rooms for tests, with the core's own builders and real signatures: a room is a
 * list of client-format events with IDs `$1`, `$2`, … in the order they were made. Keys come from
 * seeds derived from a label, so every build is the same.
 *
 * It can also build things a malicious server would: events can be added with any content, and
 * tests mutate events after the fact. It is not the simulated world (that is `sim/world`).
 */
import { createHash } from "node:crypto";
import { encodeBase64 } from "../sim/core/base64.ts";
import type { JsonObject } from "../sim/core/canonical-json.ts";
import { type CrossSigningKey, makeCrossSigningKey, makeDeviceKeys } from "../sim/core/cross-signing.ts";
import { type Ed25519Backend, type SigningKey, defaultBackend, signingKeyFromSeed } from "../sim/core/ed25519.ts";
import {
  type ClientEvent,
  type RoomSigner,
  buildCreateContent,
  buildJoinRulesContent,
  buildMemberContent,
  buildThirdPartyInviteContent,
  buildThirdPartySuccessorInviteContent,
  signThirdPartyBinding,
  strippedEvent,
} from "../sim/core/events.ts";
import type { FieldForm } from "../sim/core/msc3917-fields.ts";
import { roomIdFromRrk } from "../sim/core/room-root-key.ts";
import type { RoomView } from "../sim/core/verify-membership.ts";

export function seedFrom(label: string): Uint8Array {
  return new Uint8Array(createHash("sha256").update(label).digest());
}

export interface TestUser extends RoomSigner {
  name: string;
  msk: SigningKey;
  ssk: SigningKey;
  sskCrossSigningKey: CrossSigningKey;
}

/** A user with MSK, SSK and RSK made from seeds derived from `label` (default: the user ID). */
export function makeUser(
  userId: string,
  opts: { backend?: Ed25519Backend; label?: string; sharedKeys?: boolean } = {},
): TestUser {
  const backend = opts.backend ?? defaultBackend();
  const label = opts.sharedKeys ? "shared" : (opts.label ?? userId);
  const msk = signingKeyFromSeed(seedFrom(`${label}/msk`), backend);
  const ssk = signingKeyFromSeed(seedFrom(`${label}/ssk`), backend);
  const rsk = signingKeyFromSeed(seedFrom(`${label}/rsk`), backend);
  return {
    name: userId,
    userId,
    msk,
    ssk,
    rsk,
    rskCrossSigningKey: makeCrossSigningKey(userId, "room_signing", rsk, msk, backend),
    sskCrossSigningKey: makeCrossSigningKey(userId, "self_signing", ssk, msk, backend),
  };
}

export interface BuilderOptions {
  label?: string;
  fields?: FieldForm;
  backend?: Ed25519Backend;
  /** Start numbering event IDs here (rooms that must not share IDs). */
  firstId?: number;
  /** The event ID of the n-th event (default `$n`): tests give events IDs such as `__proto__`. */
  eventId?: (n: number) => string;
}

export class RoomBuilder {
  readonly rrk: SigningKey;
  readonly roomId: string;
  readonly events: ClientEvent[] = [];
  /** Each member's cause-of-membership event ID. */
  readonly causes = new Map<string, string>();
  readonly fields: FieldForm;
  readonly backend: Ed25519Backend;
  createId = "";
  private nextId: number;
  private readonly eventId: (n: number) => string;

  constructor(opts: BuilderOptions = {}) {
    this.backend = opts.backend ?? defaultBackend();
    this.rrk = signingKeyFromSeed(seedFrom(`${opts.label ?? "room"}/rrk`), this.backend);
    this.roomId = roomIdFromRrk(this.rrk.publicKey);
    this.fields = opts.fields ?? "stable";
    this.nextId = opts.firstId ?? 1;
    this.eventId = opts.eventId ?? ((n) => `$${n}`);
  }

  get opts() {
    return { fields: this.fields, backend: this.backend };
  }

  /** Add an event as the server would, with the next ID. */
  add(e: Omit<ClientEvent, "event_id">): ClientEvent {
    const event = { event_id: this.eventId(this.nextId++), ...e } as ClientEvent;
    this.events.push(event);
    return event;
  }

  /** `m.room.create` by `creator`, and the creator's signed join with the create event as parent. */
  create(creator: TestUser, opts: { plainJoin?: boolean } = {}): this {
    const create = this.add({
      type: "m.room.create",
      state_key: "",
      sender: creator.userId,
      content: buildCreateContent(
        { rrk: this.rrk, creatorMsk: creator.msk.publicKey, creator: creator.userId },
        this.opts,
      ),
    });
    this.createId = create.event_id;
    this.causes.set(creator.userId, create.event_id);
    if (opts.plainJoin)
      this.add({
        type: "m.room.member",
        state_key: creator.userId,
        sender: creator.userId,
        content: { membership: "join" },
      });
    else this.member("join", creator, creator, create.event_id);
    return this;
  }

  member(
    membership: "invite" | "join",
    sender: TestUser,
    target: TestUser,
    parentEventId: string,
    extra: { membershipEvents?: JsonObject[] } = {},
  ): ClientEvent {
    return this.add({
      type: "m.room.member",
      state_key: target.userId,
      sender: sender.userId,
      content: buildMemberContent(
        { membership, signer: sender, parentEventId, userKey: target.msk.publicKey, rrk: this.rrk.publicKey, ...extra },
        this.opts,
      ),
    });
  }

  cause(user: TestUser): string {
    const c = this.causes.get(user.userId);
    if (!c) throw new Error(`${user.userId} is not a member`);
    return c;
  }

  /** `inviter` invites `invitee`, who joins. Returns [invite, join]. */
  inviteAndJoin(inviter: TestUser, invitee: TestUser): [ClientEvent, ClientEvent] {
    const invite = this.member("invite", inviter, invitee, this.cause(inviter));
    const join = this.member("join", invitee, invitee, invite.event_id);
    this.causes.set(invitee.userId, join.event_id);
    return [invite, join];
  }

  joinRules(sender: TestUser, joinRule: "public" | "restricted", allowRoomIds?: string[]): ClientEvent {
    return this.add({
      type: "m.room.join_rules",
      state_key: "",
      sender: sender.userId,
      content: buildJoinRulesContent(
        { joinRule, allowRoomIds, signer: sender, parentEventId: this.cause(sender) },
        this.opts,
      ),
    });
  }

  /** `user` joins from the join rule `rule` (public, or restricted with a proof). */
  joinVia(rule: ClientEvent, user: TestUser, proof?: JsonObject[]): ClientEvent {
    const join = this.member("join", user, user, rule.event_id, proof ? { membershipEvents: proof } : {});
    this.causes.set(user.userId, join.event_id);
    return join;
  }

  /** The proof `user` carries into another room: stripped events following parent links from their cause back to this room's create event. */
  proofFor(user: TestUser): JsonObject[] {
    const out: JsonObject[] = [];
    let id: string | undefined = this.cause(user);
    while (id !== undefined) {
      const e = this.find(id);
      out.push(strippedEvent(e));
      id =
        e.type === "m.room.create"
          ? undefined
          : ((e.content.parent_event_id ?? e.content["org.matrix.msc3917.v1.parent_event_id"]) as string);
    }
    return out;
  }

  /**
   * A third-party invite by `inviter` listing `identityKeys`; the identity server (`isKey`) signs
   * the binding for `invitee`; the server makes the successor invite; `invitee` joins.
   */
  thirdPartyInviteAndJoin(
    inviter: TestUser,
    invitee: TestUser,
    opts: { isKey: SigningKey; listedKeys?: Uint8Array[]; token?: string },
  ): ClientEvent[] {
    const token = opts.token ?? `tok-${invitee.userId}`;
    const tpi = this.add({
      type: "m.room.third_party_invite",
      state_key: token,
      sender: inviter.userId,
      content: buildThirdPartyInviteContent(
        {
          displayName: "i…@example.net",
          publicKeys: opts.listedKeys ?? [opts.isKey.publicKey],
          keyValidityUrl: "https://id.example/_matrix/identity/v2/pubkey/isvalid",
          signer: inviter,
          parentEventId: this.cause(inviter),
        },
        this.opts,
      ),
    });
    const signed = signThirdPartyBinding(
      {
        mxid: invitee.userId,
        token,
        userKey: invitee.msk.publicKey,
        identityServer: "id.example",
        keyId: "ed25519:0",
        key: opts.isKey,
      },
      this.opts,
    );
    const invite = this.add({
      type: "m.room.member",
      state_key: invitee.userId,
      sender: inviter.userId,
      content: buildThirdPartySuccessorInviteContent(
        { thirdPartyInviteEventId: tpi.event_id, displayName: "i…@example.net", signed },
        this.opts,
      ),
    });
    const join = this.member("join", invitee, invitee, invite.event_id);
    this.causes.set(invitee.userId, join.event_id);
    return [tpi, invite, join];
  }

  find(id: string): ClientEvent {
    const e = this.events.find((x) => x.event_id === id);
    if (!e) throw new Error(`no event ${id}`);
    return e;
  }

  /** Current state: the last event for each (type, state_key); everything else is look-up-able. */
  room(opts: { rrk?: Uint8Array; withhold?: string[] } = {}): RoomView {
    const withheld = new Set(opts.withhold ?? []);
    const visible = this.events.filter((e) => !withheld.has(e.event_id));
    const last = new Map<string, ClientEvent>();
    for (const e of visible) if (e.state_key !== undefined) last.set(`${e.type}\u0000${e.state_key}`, e);
    const state = [...last.values()];
    const inState = new Set(state);
    return {
      roomRootKey: encodeBase64(opts.rrk ?? this.rrk.publicKey),
      state,
      events: visible.filter((e) => !inState.has(e)),
    };
  }
}
