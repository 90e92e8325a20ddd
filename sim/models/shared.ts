/** Pieces more than one model uses: the devices of a user as recipients, and the users a view says are joined. */
import type { DeviceKeys } from "../core/cross-signing.ts";
import type { Recipient, RoomObservation } from "../world/defence-model.ts";

export function recipientsOf(user: string, devices: readonly DeviceKeys[]): Recipient[] {
  return devices.flatMap((d) => {
    const curve = d.keys?.[`curve25519:${d.device_id}`];
    return typeof curve === "string" ? [{ user, device: d.device_id, curve25519: curve }] : [];
  });
}

export function joinedUsers(obs: RoomObservation): string[] {
  return obs.view.state
    .filter((e) => e.type === "m.room.member" && e.content.membership === "join")
    .map((e) => e.state_key!);
}
