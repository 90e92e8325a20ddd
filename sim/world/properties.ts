/**
 * The membership-tree properties the property tests check after every step (DESIGN.md §9):
 * - soundness: no honest client verifies a (user, MSK) outside MSC3917's bounding set;
 * - completeness: with honest servers, every legitimate member whose current MSK is in the bounding
 *   set is verified by every honest client in the room (after an MSK reset a member is not, until
 *   re-invited: the proposal's "Potential issues", and, for a room's creator, for good);
 * - no verifier throws.
 * The bounding set and legitimacy come from the oracle (the history), never from the verifier.
 * Clients verify with their out-of-band pins only, so the check reads the events themselves and
 * does not disturb what the run's key stores learn.
 */
import { encodeBase64 } from "../core/base64.ts";
import { type MembershipVerifier, verifyMembership } from "../core/verify-membership.ts";
import type { Client } from "./client.ts";
import type { Operation } from "./history.ts";
import { boundingSets, legitMembers } from "./oracle.ts";
import { RoomSessions } from "./sessions.ts";

export interface PropertyCheck {
  soundness: boolean;
  completeness: boolean;
  /**
   * The verifier whose verdicts are checked: `verifyMembership` unless given. Injected, so that
   * mutation tests can pass a verifier with a planted bug (test-support/planted-bugs.ts) without
   * the public verifier having an option for it.
   */
  verify?: MembershipVerifier;
  /**
   * Each client's membership sessions (sessions.ts), by user ID, kept by the caller from one check
   * to the next, so that a check after every step verifies incrementally, with the verdicts of
   * `verifyMembership` from scratch. Filled as clients are met. Not used with `verify`, which is
   * called from scratch every time.
   */
  sessions?: Map<string, RoomSessions>;
}

/**
 * Whether `user`'s current cause of membership rests, through the chain of permits, on one signed
 * by a (user, MSK) outside the bounding set (a member in the MSK-reset window invited them), or by
 * an MSK other than the one the checking client pinned for its signer (the signer has reset since):
 * the membership tree cannot verify them either, until re-invited. The same documented window, one
 * or more permits on; found by the model-based generators. Iterative, bounded by the history.
 */
function restsOnResetWindow(
  ops: readonly Operation[],
  bounding: ReadonlySet<string> | undefined,
  roomId: string,
  user: string,
  pins: ReadonlyMap<string, string>,
): boolean {
  const causes = ops.filter((o): o is Extract<Operation, { op: "cause" }> => o.op === "cause" && o.room === roomId);
  const permits = new Map(ops.flatMap((o) => (o.op === "permit" && o.room === roomId ? [[o.event, o] as const] : [])));
  let cause = causes.filter((c) => c.user === user).at(-1);
  for (let hops = 0; cause && cause.parent && hops <= ops.length; hops++) {
    const permit = permits.get(cause.parent);
    if (!permit) return false;
    if (!bounding?.has(`${permit.by}|${permit.by_msk}`)) return true;
    // Policy (verify-membership.ts): a pinned MSK is the only one accepted for its user, for past events too.
    const pinned = pins.get(permit.by);
    if (pinned !== undefined && pinned !== permit.by_msk) return true;
    const by = permit.by;
    cause = causes.filter((c) => c.user === by && c.t <= permit.t).at(-1);
  }
  return false;
}

function sessionsOf(all: Map<string, RoomSessions>, c: Client): RoomSessions {
  let mine = all.get(c.userId);
  if (!mine) all.set(c.userId, (mine = new RoomSessions(c.world.ed25519)));
  return mine;
}

/** Violations, each one sentence, for the state of the world right now. */
export function checkMembershipProperties(
  clients: readonly Client[],
  ops: readonly Operation[],
  check: PropertyCheck,
): string[] {
  const out: string[] = [];
  const bounding = boundingSets(ops);
  const legit = legitMembers(ops);
  const verify = check.verify ?? verifyMembership;
  const sessions = check.verify ? undefined : check.sessions;
  const mskOf = new Map(clients.map((c) => [c.userId, encodeBase64(c.msk.publicKey)]));
  for (const c of clients) {
    for (const [roomId, membership] of c.rooms) {
      const view = c.server.roomView(c.userId, roomId);
      const pinned = c.verifiedPins();
      let members;
      try {
        members = (
          sessions
            ? sessionsOf(sessions, c).session(roomId, membership.rrk, pinned, view).verify(view)
            : verify(
                { roomRootKey: membership.rrk, state: view.state, events: view.events },
                { pinned, chains: "length", backend: c.world.ed25519 },
              )
        ).members;
      } catch (e) {
        out.push(`no-throw: ${c.userId}'s verifier threw on ${roomId}: ${(e as Error).message}`);
        continue;
      }
      if (check.soundness) {
        const set = bounding.get(roomId) ?? new Set<string>();
        for (const [user, v] of Object.entries(members)) {
          if (v.status === "verified" && !set.has(`${user}|${v.msk}`))
            out.push(
              `soundness: ${c.userId} verified ${user} with MSK ${v.msk.slice(0, 8)}…, outside the bounding set`,
            );
          if (v.status === "unknown" && v.reason === "verifier_error")
            out.push(`no-throw: ${c.userId}'s verifier failed on ${user}: ${v.detail}`);
        }
      }
      const pins = new Map([...pinned].map(([u, k]) => [u, encodeBase64(k)]));
      if (
        check.completeness &&
        view.state.some(
          (e) => e.type === "m.room.member" && e.state_key === c.userId && e.content.membership === "join",
        )
      ) {
        for (const user of legit.get(roomId) ?? []) {
          if (!bounding.get(roomId)?.has(`${user}|${mskOf.get(user)}`)) continue; // the MSK-reset window
          if (restsOnResetWindow(ops, bounding.get(roomId), roomId, user, pins)) continue; // the window, permits on
          const v = members[user];
          if (v?.status !== "verified")
            out.push(
              `completeness: ${c.userId} does not verify legitimate member ${user} (${v ? `${v.status}${"reason" in v ? ` ${v.reason}` : ""}` : "not joined in its view"})`,
            );
        }
      }
    }
  }
  return out;
}
