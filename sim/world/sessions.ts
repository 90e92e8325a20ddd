/**
 * A client's `MembershipSession` per room, so that it verifies membership incrementally instead of
 * from scratch at every sync and message (issue 14 §5): a verdict already reached costs nothing
 * again, and one more member costs the checks of that member's new events only. The models that
 * verify membership keep one per client, and so does the property check after every step
 * (properties.ts), each its own.
 *
 * Policy: a session is reused only while it would answer exactly as `verifyMembership` on the view
 * in hand: for the same RRK and the same pins (a session's pins are fixed), and only while the view
 * has kept every event object the session was shown (by identity: the world never changes an event
 * in place, which is also why the state-DAG client reads each event object once). Within that, the
 * session's verdicts are those from scratch (sim/core/membership-session.test.ts, and
 * sessions.test.ts here). An event withheld after it was shown, another branch of a split view or
 * another event under a known ID makes a new session, as if the client had never looked before.
 */
import { encodeBase64 } from "../core/base64.ts";
import type { Ed25519Backend } from "../core/ed25519.ts";
import { MembershipSession } from "../core/verify-membership.ts";

interface Kept {
  trust: string;
  session: MembershipSession;
  shown: Set<unknown>;
}

export class RoomSessions {
  private readonly rooms = new Map<string, Kept>();
  /** Sessions made, and sessions reused, so far (for tests). */
  readonly stats = { made: 0, reused: 0 };

  constructor(private readonly backend?: Ed25519Backend) {}

  /** The session to verify `view` of `roomId` with, under `rrk` and `pins`. */
  session(
    roomId: string,
    rrk: Uint8Array,
    pins: ReadonlyMap<string, Uint8Array>,
    view: { state: readonly unknown[]; events: readonly unknown[] },
  ): MembershipSession {
    const trust = [encodeBase64(rrk), ...[...pins].map(([u, k]) => `${u}=${encodeBase64(k)}`).sort()].join("\n");
    const now = new Set<unknown>([...view.state, ...view.events]);
    const kept = this.rooms.get(roomId);
    if (kept && kept.trust === trust && [...kept.shown].every((e) => now.has(e))) {
      for (const e of now) kept.shown.add(e);
      this.stats.reused++;
      return kept.session;
    }
    const session = new MembershipSession(rrk, {
      pinned: new Map(pins),
      chains: "length",
      ...(this.backend ? { backend: this.backend } : {}),
    });
    this.rooms.set(roomId, { trust, session, shown: now });
    this.stats.made++;
    return session;
  }
}
