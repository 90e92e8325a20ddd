/**
 * `npm run bench`: every benchmark in turn, each in its own process (so that one's garbage and
 * caches do not weigh on the next), all of them even when one misses its budget; exits 1 if any
 * did. Ends with each one's time and the total (the whole run takes tens of minutes: the
 * 10^5-member CLI rooms and the 10^5-deep chain).
 */
import { spawnSync } from "node:child_process";
import { loadavg } from "node:os";
import { join } from "node:path";
import { REPO } from "../scenarios/out-dir.ts";

const BENCHES: { file: string; flags?: string[] }[] = [
  { file: "ed25519.bench.ts" },
  { file: "membership.bench.ts" },
  // One-threaded GC and a larger young generation: see hostile.bench.ts.
  { file: "hostile.bench.ts", flags: ["--expose-gc", "--single-threaded-gc", "--max-semi-space-size=64"] },
  { file: "depth.bench.ts" },
  { file: "cli.bench.ts" },
  { file: "models.bench.ts" },
  { file: "search.bench.ts" },
];

const only = process.argv.slice(2);
const names = BENCHES.map((b) => b.file.replace(/\.bench\.ts$/, ""));
if (only.includes("--help") || only.includes("-h")) {
  console.log(`usage: npm run bench [-- NAME...]

Runs every benchmark in its own process (or only those whose file starts with a NAME given), and
exits 1 if any misses its budget. The benchmarks: ${names.join(", ")}.`);
  process.exit(0);
}
const unknown = only.filter((o) => !BENCHES.some((b) => b.file.startsWith(o)));
if (unknown.length > 0) {
  console.error(`bench: no benchmark is named ${JSON.stringify(unknown[0])} (the benchmarks: ${names.join(", ")})`);
  process.exit(2);
}
const started = process.hrtime.bigint();
const done: { file: string; code: number | null; seconds: number }[] = [];
for (const b of BENCHES) {
  if (only.length > 0 && !only.some((o) => b.file.startsWith(o))) continue;
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [...(b.flags ?? []), "--import", "tsx", join(REPO, "bench", b.file)], {
    cwd: REPO,
    stdio: "inherit",
  });
  done.push({ file: b.file, code: r.status, seconds: Number(process.hrtime.bigint() - t) / 1e9 });
}
const total = Number(process.hrtime.bigint() - started) / 1e9;
console.log(
  `\nBenchmarks (load average ${loadavg()
    .map((x) => x.toFixed(1))
    .join(" ")} at the end):`,
);
for (const d of done)
  console.log(
    `  ${d.file.padEnd(22)} ${d.seconds.toFixed(0).padStart(5)} s  ${d.code === 0 ? "within budget" : `MISSED (exit ${d.code})`}`,
  );
console.log(`  total                  ${total.toFixed(0).padStart(5)} s (${(total / 60).toFixed(1)} min)`);
if (done.some((d) => d.code !== 0)) process.exitCode = 1;
