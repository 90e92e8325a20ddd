/**
 * Defence models (DESIGN.md §6): each says which devices an honest client shares room keys with.
 * - `baseline`: every device the server lists for every member the server says is joined
 *   (Matrix today). The positive control: an attack that does not breach it attacks nothing.
 * - `membership-tree`: only users whose membership MSC3917's verifier verifies, and of those only
 *   the devices signed by the SSK that the *verified* MSK signs.
 */
import type { DeviceKeys } from "../core/cross-signing.ts";
import { trustedDevices } from "../core/cross-signing.ts";
import { decodeBase64 } from "../core/base64.ts";
import { verifyMembership } from "../core/verify-membership.ts";
import type { Recipient, RecipientPolicy, RoomObservation } from "../world/client.ts";

export type ModelId = "baseline" | "membership-tree";
export const MODEL_IDS: readonly ModelId[] = ["baseline", "membership-tree"];

function recipientsOf(user: string, devices: readonly DeviceKeys[]): Recipient[] {
  return devices.flatMap((d) => {
    const curve = d.keys?.[`curve25519:${d.device_id}`];
    return typeof curve === "string" ? [{ user, device: d.device_id, curve25519: curve }] : [];
  });
}

function joinedUsers(obs: RoomObservation): string[] {
  return obs.view.state.filter((e) => e.type === "m.room.member" && e.content.membership === "join").map((e) => e.state_key!);
}

export const baseline: RecipientPolicy = (obs) =>
  joinedUsers(obs).flatMap((user) => recipientsOf(user, Object.values(obs.keys.device_keys[user] ?? {})));

export const membershipTree: RecipientPolicy = (obs) => {
  const result = verifyMembership({ roomRootKey: obs.rrk, state: obs.view.state, events: obs.view.events }, { pinned: obs.pins, chains: "length" });
  return Object.entries(result.members).flatMap(([user, verdict]) => {
    if (verdict.status !== "verified") return [];
    const msk = decodeBase64(verdict.msk, { expectedLength: 32 });
    if (!msk.ok) return [];
    const { trusted } = trustedDevices(user, msk.value, obs.keys.self_signing_keys[user], Object.values(obs.keys.device_keys[user] ?? {}));
    return recipientsOf(user, trusted);
  });
};

export const MODELS: Readonly<Record<ModelId, RecipientPolicy>> = { baseline, "membership-tree": membershipTree };

/**
 * What else a model's client does with room keys. Matrix today has none, so a baseline client
 * joins whatever room an alias or a space lists; an MSC3917 client holds the room to the link's
 * `room_root_key`, and joins a space's child only if `verifySpaceChildren` verifies it.
 */
export const CHECKS_ROOM_KEYS: Readonly<Record<ModelId, boolean>> = { baseline: false, "membership-tree": true };
