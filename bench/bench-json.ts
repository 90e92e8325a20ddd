/**
 * `reports/out/bench.json` (or under `$MSC3917_OUT`): the points `npm run bench` measured, for the
 * HTML report's plot. The shape is fixed: `{ written, points: [{ series, members, ms, peak_mb? }] }`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { outDir } from "../scenarios/out-dir.ts";

export interface BenchPoint {
  series: string;
  members: number;
  ms: number;
  peak_mb?: number;
}

/** Write the points, replacing the file; returns its path. */
export function writeBenchJson(points: readonly BenchPoint[], written = new Date()): string {
  const dir = outDir();
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "bench.json");
  const round = (x: number) => Math.round(x * 10) / 10;
  const body = {
    written: written.toISOString(),
    points: points.map((p) => ({
      series: p.series,
      members: p.members,
      ms: round(p.ms),
      ...(p.peak_mb !== undefined ? { peak_mb: round(p.peak_mb) } : {}),
    })),
  };
  writeFileSync(file, `${JSON.stringify(body, null, 1)}\n`);
  return file;
}
