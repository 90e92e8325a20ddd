/**
 * The identity server (DESIGN.md §5; MSC3917 §Membership Event Signature Tree on third-party
 * invites). It has its own Ed25519 key. When a user binds a third-party ID it learns their MXID and
 * MSK, and for every pending invite to that ID it signs `{mxid, token, user_key}` and tells the
 * inviter's server, which makes the successor invite.
 */
import type { JsonObject } from "../core/canonical-json.ts";
import type { SigningKey } from "../core/ed25519.ts";
import { signThirdPartyBinding } from "../core/events.ts";
import type { Rng } from "./rng.ts";

export interface PendingInvite {
  address: string;
  token: string;
  roomId: string;
  inviter: string;
  thirdPartyInviteEventId?: string;
  /** The inviter's MSK when they signed the m.room.third_party_invite. */
  inviterMsk?: string;
}

export class IdentityServer {
  readonly keyId = "ed25519:0";
  private readonly bindings = new Map<string, { mxid: string; msk: Uint8Array }>();
  private readonly pending: PendingInvite[] = [];

  constructor(
    readonly name: string,
    readonly key: SigningKey,
    private readonly rng: Rng,
  ) {}

  /** `/store-invite`: a token for an invite to `address`; the inviter publishes it in `m.room.third_party_invite`. */
  storeInvite(address: string, roomId: string, inviter: string): PendingInvite {
    const invite = { address, token: this.rng.id(`identity server token for ${address}`, 16), roomId, inviter };
    this.pending.push(invite);
    return invite;
  }

  /** Bind `address` to `mxid` with MSK `msk`; returns the signed data for each invite now claimable. */
  bind(address: string, mxid: string, msk: Uint8Array): { invite: PendingInvite; signed: JsonObject }[] {
    this.bindings.set(address, { mxid, msk });
    const ready = this.pending.filter((p) => p.address === address && p.thirdPartyInviteEventId !== undefined);
    for (const p of ready) this.pending.splice(this.pending.indexOf(p), 1);
    return ready.map((invite) => ({
      invite,
      signed: signThirdPartyBinding({
        mxid,
        token: invite.token,
        userKey: msk,
        identityServer: this.name,
        keyId: this.keyId,
        key: this.key,
      }),
    }));
  }

  /** The inviter's m.room.third_party_invite for `token` has been sent. */
  published(token: string, eventId: string, inviterMsk: string): void {
    const p = this.pending.find((x) => x.token === token);
    if (p) Object.assign(p, { thirdPartyInviteEventId: eventId, inviterMsk });
  }

  lookup(address: string): { mxid: string; msk: Uint8Array } | undefined {
    return this.bindings.get(address);
  }
}
