/**
 * The example room files in `scenarios/rooms/`, made from fixed seeds with the core's builders.
 * `npx tsx test-support/example-rooms.ts` writes them; a test checks the committed files are
 * exactly what this produces, and that they verify as the README says.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { encodeBase64 } from "../sim/core/base64.ts";
import { RoomBuilder, makeUser } from "./room-builder.ts";
import { REPO } from "./vectors.ts";

export const EXAMPLES_DIR = join(REPO, "scenarios", "rooms");

function roomFile(b: RoomBuilder, pins: Record<string, Uint8Array> = {}): object {
  const room = b.room();
  const master_keys = Object.fromEntries(Object.entries(pins).map(([u, k]) => [u, encodeBase64(k)]));
  return {
    room_root_key: room.roomRootKey,
    state: room.state,
    events: room.events,
    ...(Object.keys(master_keys).length ? { master_keys } : {}),
  };
}

export function exampleRooms(): Record<string, object> {
  const alice = makeUser("@alice:example.org");
  const bob = makeUser("@bob:example.org");
  const carol = makeUser("@carol:example.org");

  // small-valid: Alice creates the room and invites Bob; Alice opens it to the public and Carol joins.
  const valid = new RoomBuilder({ label: "example small-valid" }).create(alice);
  valid.inviteAndJoin(alice, bob);
  valid.joinVia(valid.joinRules(alice, "public"), carol);

  // forged-member: as small-valid's first half, then the homeserver inserts two members.
  // Mallory: an invite "from" Alice, signed with an RSK the server made under an MSK it made.
  // Eve: a plain join with no MSC3917 fields, as a server can insert a member in Matrix today.
  const forged = new RoomBuilder({ label: "example forged-member" }).create(alice);
  forged.inviteAndJoin(alice, bob);
  const serverMadeAlice = makeUser(alice.userId, { label: "server-made alice" });
  const mallory = makeUser("@mallory:example.org");
  const invite = forged.member("invite", serverMadeAlice, mallory, forged.cause(alice));
  forged.member("join", mallory, mallory, invite.event_id);
  forged.add({
    type: "m.room.member",
    state_key: "@eve:example.org",
    sender: "@eve:example.org",
    content: { membership: "join" },
  });

  return { "small-valid": roomFile(valid), "forged-member": roomFile(forged, { [alice.userId]: alice.msk.publicKey }) };
}

export const exampleText = (room: object): string => `${JSON.stringify(room, null, 1)}\n`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const [name, room] of Object.entries(exampleRooms()))
    writeFileSync(join(EXAMPLES_DIR, `${name}.room.json`), exampleText(room));
  console.log(`wrote ${Object.keys(exampleRooms()).length} example rooms to ${EXAMPLES_DIR}`);
}
