/**
 * Verifying a space's children (MSC3917 §Rooms as Keys, on `m.space.child`): "clients should
 * verify that m.space.child events are properly signed, and that the senders' cause-of-membership
 * events pass validation". A verified child gives the client the child room's RRK on the authority
 * of a verified member of the space, which is how it can join the child without a direct invite.
 */
import { encodeBase64 } from "./base64.ts";
import { defaultBackend } from "./ed25519.ts";
import { rrkFromContent, rrkFromRoomId } from "./room-root-key.ts";
import {
  EventIndex,
  type RoomView,
  Verifier,
  type VerifyOptions,
  normalizePins,
  parseEvent,
  reject,
  sameBytes,
} from "./verify-membership.ts";

export type SpaceChildVerdict =
  | { status: "verified"; room_root_key: string; sender: string; event: string; chain: string[] }
  | { status: "rejected"; reason: string; event: string; detail?: string }
  | { status: "unknown"; reason: string; event: string; detail?: string };

/**
 * One verdict per child room ID listed by a non-empty `m.space.child` in the space's state.
 * Never throws on untrusted room content.
 */
export function verifySpaceChildren(space: RoomView, options: VerifyOptions = {}): Record<string, SpaceChildVerdict> {
  const rrk =
    typeof space.roomRootKey === "string"
      ? rrkFromContent(space.roomRootKey)
      : { ok: true as const, value: space.roomRootKey };
  if (!rrk.ok) throw new TypeError(`verifySpaceChildren: ${rrk.error}`);
  const verifier = new Verifier(normalizePins(options.pinned), options.backend ?? defaultBackend());
  const state = Array.isArray(space.state) ? space.state : [];
  const index = new EventIndex([state, Array.isArray(space.events) ? space.events : []], options.lookup);
  const parsed = state.map((raw) => parseEvent(raw));
  const create = parsed.find((e) => e.ok && e.value.type === "m.room.create" && e.value.state_key === "");
  const ctx = verifier.newContext(rrk.value, index, create?.ok ? create.value.event_id : undefined);
  // Policy: by room ID, in an object with a null prototype, so that an ID such as `__proto__` is data.
  const out: Record<string, SpaceChildVerdict> = Object.create(null);
  const children = parsed.flatMap((e) =>
    e.ok &&
    e.value.type === "m.space.child" &&
    e.value.state_key !== undefined &&
    Object.keys(e.value.content).length > 0
      ? [e.value]
      : [],
  );
  children.sort((a, b) => Buffer.compare(Buffer.from(a.state_key!), Buffer.from(b.state_key!)));
  for (const child of children) {
    const roomId = child.state_key!;
    const fromId = rrkFromRoomId(roomId);
    const fromContent = rrkFromContent(child.fields.values.room_root_key);
    if (!fromId.ok) {
      out[roomId] = reject("space_child_wrong_rrk", child.event_id, "the child's room ID is not an RRK");
      continue;
    }
    if (!fromContent.ok || !sameBytes(fromId.value, fromContent.value)) {
      out[roomId] = reject("space_child_wrong_rrk", child.event_id);
      continue;
    }
    try {
      const outcome = verifier.solveSenderSigned(child, ctx);
      out[roomId] =
        outcome.status === "verified"
          ? {
              status: "verified",
              room_root_key: encodeBase64(fromId.value),
              sender: child.sender,
              event: child.event_id,
              chain: verifier.chain(outcome),
            }
          : outcome;
    } catch (e) {
      out[roomId] = {
        status: "unknown",
        reason: "verifier_error",
        event: child.event_id,
        detail: (e as Error)?.message ?? String(e),
      };
    }
  }
  return out;
}
