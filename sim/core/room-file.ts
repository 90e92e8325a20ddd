/**
 * The room file of DESIGN.md §12, read from untrusted text: `{room_root_key, state, events?,
 * master_keys?}`. The file's shape is checked here; the events inside stay untrusted and get
 * verdicts from the verifier. The `msc3917 verify` command and the fuzzer both read rooms with it.
 */
import { decodeBase64 } from "./base64.ts";
import { type JsonValue, parseJson } from "./canonical-json.ts";
import { PUBLIC_KEY_LENGTH } from "./ed25519.ts";
import { type Result, fail, ok } from "./result.ts";
import { rrkFromContent } from "./room-root-key.ts";

export interface RoomFile {
  roomRootKey: Uint8Array;
  state: JsonValue[];
  events: JsonValue[];
  /** Pinned MSKs by user ID. Policy: a Map, so that a user ID such as `__proto__` stays data. */
  pinned: Map<string, Uint8Array>;
}

/** Parse the text of a room file named `name` (for messages). Errors are one line, naming the field. */
export function parseRoomFile(name: string, text: string): Result<RoomFile> {
  const parsed = parseJson(text);
  if (!parsed.ok) return fail(`${name}: ${parsed.error}`);
  return readRoomFile(name, parsed.value);
}

/** Check the shape of an already parsed room file. */
export function readRoomFile(name: string, value: JsonValue): Result<RoomFile> {
  const where = (field: string) => `${name}: field ${field}`;
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return fail(`${name}: a room file is a JSON object`);
  const own = (k: string): JsonValue | undefined => (Object.hasOwn(value, k) ? value[k] : undefined);
  const rrkText = own("room_root_key");
  if (typeof rrkText !== "string")
    return fail(`${where('"room_root_key"')} must be a string (the RRK, unpadded base64)`);
  const rrk = rrkFromContent(rrkText);
  if (!rrk.ok) return fail(`${where('"room_root_key"')}: ${rrk.error}`);
  const state = own("state");
  if (!Array.isArray(state)) return fail(`${where('"state"')} must be an array of events`);
  const events = own("events");
  if (events !== undefined && !Array.isArray(events)) return fail(`${where('"events"')} must be an array of events`);
  const pinned = new Map<string, Uint8Array>();
  const keys = own("master_keys");
  if (keys !== undefined) {
    if (typeof keys !== "object" || keys === null || Array.isArray(keys))
      return fail(`${where('"master_keys"')} must be an object of user ID to MSK`);
    for (const user of Object.keys(keys)) {
      const key = keys[user];
      const decoded = typeof key === "string" ? decodeBase64(key, { expectedLength: PUBLIC_KEY_LENGTH }) : undefined;
      if (!decoded?.ok)
        return fail(`${where(`"master_keys"[${JSON.stringify(user)}]`)} must be a 32-byte key, unpadded base64`);
      pinned.set(user, decoded.value);
    }
  }
  return ok({ roomRootKey: rrk.value, state, events: events ?? [], pinned });
}
