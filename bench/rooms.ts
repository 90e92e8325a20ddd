/**
 * Room files for the benchmarks, made once and kept in the system's temporary folder (they take
 * minutes to sign at 10^5 members): `binary` is a binary invitation tree (member i invited by
 * member floor((i-1)/2)), `chain` a linear invitation chain. Real signatures throughout.
 *
 * Run as a script (`tsx bench/rooms.ts binary 1000`), it writes the file and prints its path.
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { RoomBuilder, makeUser } from "../test-support/room-builder.ts";

export type Shape = "binary" | "chain";
export const ROOMS_DIR = join(tmpdir(), "msc3917-bench-rooms");

export function roomPath(shape: Shape, members: number): string {
  return join(ROOMS_DIR, `${shape}-${members}.room.json`);
}

export function buildRoomFile(shape: Shape, members: number): string {
  const path = roomPath(shape, members);
  if (existsSync(path)) return path;
  const users = Array.from({ length: members }, (_, i) => makeUser(`@m${i}:example.org`));
  const b = new RoomBuilder().create(users[0]!);
  for (let i = 1; i < members; i++)
    b.inviteAndJoin(users[shape === "binary" ? Math.floor((i - 1) / 2) : i - 1]!, users[i]!);
  const room = b.room();
  mkdirSync(ROOMS_DIR, { recursive: true });
  // One event per line: the file is written in pieces, never as one string of hundreds of MB.
  const lines = [`{"room_root_key":${JSON.stringify(room.roomRootKey)},"state":[`];
  room.state.forEach((e, i) => lines.push(`${i ? "," : ""}${JSON.stringify(e)}`));
  lines.push(`],"events":[`);
  (room.events ?? []).forEach((e, i) => lines.push(`${i ? "," : ""}${JSON.stringify(e)}`));
  lines.push("]}");
  writeFileSync(`${path}.tmp`, "");
  const chunk = 10_000;
  for (let i = 0; i < lines.length; i += chunk)
    writeFileSync(`${path}.tmp`, `${lines.slice(i, i + chunk).join("\n")}\n`, { flag: "a" });
  renameSync(`${path}.tmp`, path);
  return path;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [shape, n] = process.argv.slice(2);
  if ((shape !== "binary" && shape !== "chain") || !Number.isInteger(Number(n)))
    throw new Error("usage: tsx bench/rooms.ts binary|chain MEMBERS");
  console.log(buildRoomFile(shape, Number(n)));
}
