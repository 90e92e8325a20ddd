/**
 * `membership-tree`: MSC3917. Only users whose membership MSC3917's verifier verifies get the
 * room key, and of those only the devices signed by the SSK that the *verified* MSK signs. Its
 * clients hold a room to a link's `room_root_key`, and join a space's child only if
 * `verifySpaceChildren` verifies it.
 */
import { decodeBase64 } from "../../core/base64.ts";
import { trustedDevices } from "../../core/cross-signing.ts";
import type { Ed25519Backend } from "../../core/ed25519.ts";
import { verifyMembership } from "../../core/verify-membership.ts";
import { type DefenceModel, type Recipient, type RoomObservation, plainDefence } from "../../world/defence-model.ts";
import { RoomSessions } from "../../world/sessions.ts";
import { recipientsOf } from "../shared.ts";

/**
 * With `sessions`, the client's sessions (../sessions.ts) verify incrementally, with the same
 * verdicts as `verifyMembership` from scratch, which is what runs without them.
 */
export function membershipTreeRecipients(
  obs: RoomObservation,
  backend?: Ed25519Backend,
  sessions?: RoomSessions,
): Recipient[] {
  const result = sessions
    ? sessions.session(obs.roomId, obs.rrk, obs.pins, obs.view).verify(obs.view)
    : verifyMembership(
        { roomRootKey: obs.rrk, state: obs.view.state, events: obs.view.events },
        { pinned: obs.pins, chains: "length", ...(backend ? { backend } : {}) },
      );
  return Object.entries(result.members).flatMap(([user, verdict]) => {
    if (verdict.status !== "verified") return [];
    const msk = decodeBase64(verdict.msk, { expectedLength: 32 });
    if (!msk.ok) return [];
    const { trusted } = trustedDevices(
      user,
      msk.value,
      obs.keys.self_signing_keys[user],
      Object.values(obs.keys.device_keys[user] ?? {}),
      backend,
    );
    return recipientsOf(user, trusted);
  });
}

export const membershipTree: DefenceModel = {
  id: "membership-tree",
  description: "MSC3917: members the membership tree verifies, and only their devices the verified MSK's SSK signed",
  checksRoomKeys: true,
  client: (c) => {
    const sessions = new RoomSessions(c.world.ed25519);
    return plainDefence((obs) => membershipTreeRecipients(obs, c.world.ed25519, sessions));
  },
};
