import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SHARED_VECTORS_DIR, VECTORS_DIR } from "./vectors.ts";

function listFiles(dir: string, prefix = ""): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]))
    .sort();
}

describe("vendored vectors", () => {
  it.runIf(existsSync(SHARED_VECTORS_DIR))("are identical to ../shared/vectors", () => {
    const shared = listFiles(SHARED_VECTORS_DIR);
    expect(listFiles(VECTORS_DIR)).toEqual(shared);
    for (const f of shared)
      expect(readFileSync(join(VECTORS_DIR, f), "utf8"), f).toBe(readFileSync(join(SHARED_VECTORS_DIR, f), "utf8"));
  });
});
