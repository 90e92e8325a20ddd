/**
 * `baseline`: Matrix today. Every device the server lists for every member the server says is
 * joined gets the room key. The positive control: an attack that does not breach it attacks nothing.
 */
import { type DefenceModel, type RoomObservation, plainDefence } from "../../world/defence-model.ts";
import { joinedUsers, recipientsOf } from "../shared.ts";

export const baselineRecipients = (obs: RoomObservation) =>
  joinedUsers(obs).flatMap((user) => recipientsOf(user, Object.values(obs.keys.device_keys[user] ?? {})));

export const baseline: DefenceModel = {
  id: "baseline",
  description: "Matrix today: every device the server lists for every member it says is joined",
  // Matrix today has no room keys to check, so a baseline client joins whatever room an alias or a space lists.
  checksRoomKeys: false,
  client: () => plainDefence(baselineRecipients),
};
