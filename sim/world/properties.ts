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
import { type VerifierFault, verifyMembership } from "../core/verify-membership.ts";
import type { Client } from "./client.ts";
import type { Operation } from "./history.ts";
import { boundingSets, legitMembers } from "./oracle.ts";

export interface PropertyCheck {
  soundness: boolean;
  completeness: boolean;
  faults?: ReadonlySet<VerifierFault>;
}

/** Violations, each one sentence, for the state of the world right now. */
export function checkMembershipProperties(clients: readonly Client[], ops: readonly Operation[], check: PropertyCheck): string[] {
  const out: string[] = [];
  const bounding = boundingSets(ops);
  const legit = legitMembers(ops);
  const mskOf = new Map(clients.map((c) => [c.userId, encodeBase64(c.msk.publicKey)]));
  for (const c of clients) {
    for (const [roomId, membership] of c.rooms) {
      const view = c.server.roomView(c.userId, roomId);
      let members;
      try {
        members = verifyMembership({ roomRootKey: membership.rrk, state: view.state, events: view.events }, { pinned: c.verifiedPins(), chains: "length", ...(check.faults ? { faults: check.faults } : {}) }).members;
      } catch (e) {
        out.push(`no-throw: ${c.userId}'s verifier threw on ${roomId}: ${(e as Error).message}`);
        continue;
      }
      if (check.soundness) {
        const set = bounding.get(roomId) ?? new Set<string>();
        for (const [user, v] of Object.entries(members)) {
          if (v.status === "verified" && !set.has(`${user}|${v.msk}`)) out.push(`soundness: ${c.userId} verified ${user} with MSK ${v.msk.slice(0, 8)}…, outside the bounding set`);
          if (v.status === "unknown" && v.reason === "verifier_error") out.push(`no-throw: ${c.userId}'s verifier failed on ${user}: ${v.detail}`);
        }
      }
      if (check.completeness && view.state.some((e) => e.type === "m.room.member" && e.state_key === c.userId && e.content.membership === "join")) {
        for (const user of legit.get(roomId) ?? []) {
          if (!bounding.get(roomId)?.has(`${user}|${mskOf.get(user)}`)) continue; // the MSK-reset window
          const v = members[user];
          if (v?.status !== "verified") out.push(`completeness: ${c.userId} does not verify legitimate member ${user} (${v ? `${v.status}${"reason" in v ? ` ${v.reason}` : ""}` : "not joined in its view"})`);
        }
      }
    }
  }
  return out;
}
