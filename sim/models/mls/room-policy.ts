/**
 * The room's power levels and join rule, carried in the MLS group itself as a GroupContext
 * extension (RFC 9420 §12.1.7, GroupContextExtensions; private-use type, §17.3), and the check
 * every client makes on every Commit with it.
 *
 * Policy: the levels live in the GroupContext, not in the room state the homeserver serves.
 * The homeserver is the Delivery Service, the adversary here; levels read from its room state
 * are whatever it says (that is why MSC3917's tree cannot check them, its T4). In the
 * GroupContext they are part of the epoch every member agrees on (the GroupContext enters the
 * key schedule, RFC 9420 §8), and they change only by a Commit whose sender had the level to
 * change them under the levels of the epoch before. The price: a power-level change is a Commit.
 */
import type { Proposal } from "ts-mls";

/** RFC 9420 §17.3: 0xF000-0xFFFF is for private use. */
export const ROOM_POLICY_EXTENSION = 0xf0a1;

/** Matrix's `m.room.power_levels` and `m.room.join_rules` (room v11), as far as membership goes. */
export interface RoomPolicy {
  users: Record<string, number>;
  usersDefault: number;
  /** Level to add another user's device (Matrix `invite`). */
  invite: number;
  /** Level to remove another user's device (Matrix `kick`); the target must be strictly lower. */
  kick: number;
  /** Level to change this policy (Matrix `events["m.room.power_levels"]`). */
  powerLevels: number;
  /** `public`: external joins (RFC 9420 §12.4.3.2) are allowed, the analogue of a public room. */
  joinRule: "invite" | "public";
}

export function levelOf(p: RoomPolicy, user: string): number {
  return Object.hasOwn(p.users, user) ? p.users[user]! : p.usersDefault;
}

export function encodeRoomPolicy(p: RoomPolicy): Uint8Array {
  const users = Object.fromEntries(Object.entries(p.users).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const ordered = {
    users,
    usersDefault: p.usersDefault,
    invite: p.invite,
    kick: p.kick,
    powerLevels: p.powerLevels,
    joinRule: p.joinRule,
  };
  return new TextEncoder().encode(JSON.stringify(ordered));
}

const isLevel = (x: unknown): x is number => typeof x === "number" && Number.isSafeInteger(x);

/** The policy in an extension's bytes, or undefined when they are not one (a clear verdict, never a throw). */
export function decodeRoomPolicy(bytes: Uint8Array): RoomPolicy | undefined {
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  const users = o.users;
  if (typeof users !== "object" || users === null || Array.isArray(users)) return undefined;
  if (!Object.values(users).every(isLevel)) return undefined;
  if (![o.usersDefault, o.invite, o.kick, o.powerLevels].every(isLevel)) return undefined;
  if (o.joinRule !== "invite" && o.joinRule !== "public") return undefined;
  return {
    users: { ...(users as Record<string, number>) },
    usersDefault: o.usersDefault as number,
    invite: o.invite as number,
    kick: o.kick as number,
    powerLevels: o.powerLevels as number,
    joinRule: o.joinRule,
  };
}

/** Who a leaf or a KeyPackage says it is: a Matrix user and one of their devices. */
export interface DeviceIdentity {
  user: string;
  device: string;
}

/** A basic credential's identity: `user` and `device` as a JSON pair. */
export function encodeIdentity(id: DeviceIdentity): Uint8Array {
  return new TextEncoder().encode(JSON.stringify([id.user, id.device]));
}

export function decodeIdentity(bytes: Uint8Array): DeviceIdentity | undefined {
  try {
    const v: unknown = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === "string" && typeof v[1] === "string")
      return { user: v[0], device: v[1] };
  } catch {
    /* not an identity */
  }
  return undefined;
}

/** One proposal in a Commit, with who the client resolved its subject and its proposer to. */
export interface CheckedProposal {
  proposal: Proposal;
  /** The proposer (a member's leaf), or undefined for an external proposal. */
  proposer: DeviceIdentity | undefined;
  /** For a remove: who is removed; for an add: who is added. */
  subject?: DeviceIdentity | undefined;
}

export type PolicyVerdict = { ok: true } | { ok: false; reason: string };

/**
 * May `committer` (under `before`) make a Commit with these proposals? Matrix's rules (room v11
 * §auth rules, 4.3 and 10) transposed to devices:
 * - adding a device of one's own user is always allowed (Matrix has no rule on devices; MSC3917
 *   ties them to the user by cross-signing, which is the authentication service's check);
 * - adding another user's device needs `invite`;
 * - removing one's own device, or committing a member's proposal to remove itself, is a leave;
 *   removing another's needs `kick` and a higher level;
 * - changing the policy needs `powerLevels`, and no level may be set above the committer's own,
 *   nor a level changed for a user at or above it (other than oneself);
 * - an external Commit (a new member joining by itself) needs the `public` join rule, and may
 *   remove only its own user's devices (a resync).
 * External proposals are decided by the caller, before this check (`externalProposals`).
 */
export function checkCommit(
  before: RoomPolicy,
  committer: DeviceIdentity | undefined,
  proposals: readonly CheckedProposal[],
  decodeExtension: (p: Proposal) => RoomPolicy | undefined | "absent",
): PolicyVerdict {
  const external = proposals.some((p) => p.proposal.proposalType === "external_init");
  if (external) {
    if (before.joinRule !== "public") return { ok: false, reason: "external join into a room that is not public" };
    if (!committer) return { ok: false, reason: "external commit without a joiner" };
  }
  if (!committer) return { ok: false, reason: "commit from no known member" };
  const mine = levelOf(before, committer.user);
  for (const p of proposals) {
    const sub = p.subject;
    switch (p.proposal.proposalType) {
      case "add":
        if (!sub) return { ok: false, reason: "add of a KeyPackage with no identity" };
        if (p.proposer === undefined) break; // an external proposal: accepted or not by the caller
        if (sub.user !== committer.user && mine < before.invite) {
          return {
            ok: false,
            reason: `${committer.user} (level ${mine}) may not add ${sub.user}: invite is ${before.invite}`,
          };
        }
        break;
      case "remove":
        if (!sub) return { ok: false, reason: "remove of an empty leaf" };
        if (sub.user === committer.user) break;
        if (p.proposer !== undefined && p.proposer.user === sub.user) break; // a leave, committed by another member
        if (external) return { ok: false, reason: "an external commit may remove only the joiner's own devices" };
        if (mine < before.kick || mine <= levelOf(before, sub.user)) {
          return {
            ok: false,
            reason: `${committer.user} (level ${mine}) may not remove ${sub.user} (level ${levelOf(before, sub.user)})`,
          };
        }
        break;
      case "group_context_extensions": {
        const next = decodeExtension(p.proposal);
        if (next === undefined) return { ok: false, reason: "the new room policy does not decode" };
        if (next === "absent") return { ok: false, reason: "the room policy extension is dropped" };
        if (mine < before.powerLevels)
          return { ok: false, reason: `${committer.user} (level ${mine}) may not change the room policy` };
        const users = new Set([...Object.keys(before.users), ...Object.keys(next.users)]);
        for (const u of users) {
          const was = levelOf(before, u),
            now = levelOf(next, u);
          if (was === now) continue;
          if (now > mine) return { ok: false, reason: `${committer.user} may not raise ${u} above their own level` };
          if (u !== committer.user && was >= mine)
            return { ok: false, reason: `${committer.user} may not change the level of ${u}` };
        }
        for (const k of ["usersDefault", "invite", "kick", "powerLevels"] as const) {
          if (before[k] !== next[k] && (before[k] > mine || next[k] > mine))
            return { ok: false, reason: `${committer.user} may not change ${k}` };
        }
        break;
      }
      default:
        break; // update, external_init, psk: no membership change beyond the cases above
    }
  }
  return { ok: true };
}
