/**
 * `npm run bench` (CLI part): `msc3917 verify` on rooms of 10^3, 10^4 and 10^5 members (binary
 * invitation trees, real signatures), its wall time and peak memory (`/usr/bin/time`), against
 * the same verification in-process, measured in this run. DESIGN.md §11: at 10^5 members at most
 * 1.5 GB and at most 1.3× the in-process time. Then a 12,000-deep chain through the CLI (its
 * verdicts once listed every chain and grew with the square of the depth).
 *
 * BENCH_CLI_SIZES overrides the sizes (comma-separated). Room files are made once and kept in
 * the temporary folder (see bench/rooms.ts).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseRoomFile } from "../sim/core/room-file.ts";
import { verifyMembership } from "../sim/core/verify-membership.ts";
import { REPO } from "../test-support/vectors.ts";
import { type Shape, roomPath } from "./rooms.ts";

const SIZES = (process.env.BENCH_CLI_SIZES ?? "1000,10000,100000").split(",").map(Number);
const DEPTH = Number(process.env.BENCH_CLI_DEPTH ?? 12_000);
const BIN = join(REPO, "bin", "msc3917.js");
const TIME = "/usr/bin/time";
const MAX_RSS_MB = 1536;
const MAX_RATIO = 1.3;

function room(shape: Shape, n: number): string {
  const path = roomPath(shape, n);
  if (existsSync(path)) return path;
  // In a child process, so that building does not weigh on what this process measures.
  const r = spawnSync(process.execPath, ["--import", "tsx", join(REPO, "bench", "rooms.ts"), shape, String(n)], {
    encoding: "utf8",
    cwd: REPO,
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (r.status !== 0) throw new Error(`building ${shape}-${n} failed`);
  return path;
}

function inProcess(path: string): { ms: number; members: number } {
  const parsed = parseRoomFile(path, readFileSync(path, "utf8"));
  if (!parsed.ok) throw new Error(parsed.error);
  const t = process.hrtime.bigint();
  const result = verifyMembership(parsed.value, { pinned: parsed.value.pinned });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  if (!Object.values(result.members).every((v) => v.status === "verified"))
    throw new Error(`${path}: not every member verified`);
  return { ms, members: Object.keys(result.members).length };
}

function viaCli(path: string): { ms: number; rssMb: number | undefined; code: number | null } {
  const args = [BIN, "verify", "--format", "json", path];
  const timed = existsSync(TIME);
  const t = process.hrtime.bigint();
  const r = timed
    ? spawnSync(TIME, ["-f", "rss_kb=%M", process.execPath, ...args], {
        encoding: "utf8",
        stdio: ["ignore", "ignore", "pipe"],
      })
    : spawnSync(process.execPath, args, { encoding: "utf8", stdio: ["ignore", "ignore", "pipe"] });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  const rss = /rss_kb=(\d+)/.exec(r.stderr ?? "");
  return { ms, rssMb: rss ? Number(rss[1]) / 1024 : undefined, code: r.status };
}

let failed = false;
console.log(
  `msc3917 verify through the CLI vs in-process (binary invite trees, node backend, node ${process.version})`,
);
console.log("  members   in-process   CLI (wall)   CLI/in-process   CLI peak RSS");
for (const n of SIZES) {
  const path = room("binary", n);
  const inside = inProcess(path);
  const cli = viaCli(path);
  const ratio = cli.ms / inside.ms;
  const over = cli.code !== 0 || (n >= 100_000 && (ratio > MAX_RATIO || (cli.rssMb ?? 0) > MAX_RSS_MB));
  failed ||= over;
  const rss = cli.rssMb === undefined ? "n/a" : `${cli.rssMb.toFixed(0)} MB`;
  console.log(
    `  ${String(n).padStart(7)}   ${(inside.ms / 1000).toFixed(2).padStart(8)} s   ${(cli.ms / 1000).toFixed(2).padStart(8)} s   ${ratio.toFixed(3).padStart(13)}x   ${rss.padStart(10)}${cli.code !== 0 ? `  exit ${cli.code}` : ""}${over ? "  OVER BUDGET" : ""}`,
  );
}
console.log(
  `  budget at 10^5: CLI/in-process <= ${MAX_RATIO}x, peak RSS <= ${MAX_RSS_MB} MB (the CLI's time includes starting node, loading tsx, reading and parsing the file)`,
);

const deep = room("chain", DEPTH);
const d = viaCli(deep);
failed ||= d.code !== 0;
console.log(
  `A ${DEPTH}-deep invitation chain through the CLI: exit ${d.code}, ${(d.ms / 1000).toFixed(2)} s, peak RSS ${d.rssMb?.toFixed(0) ?? "n/a"} MB`,
);
if (failed) process.exitCode = 1;
