/**
 * The libraries the page inlines, read from node_modules at build time (no CDN, no network when
 * the page is opened). Each is the library's own minified browser bundle, as published.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface InlineScript {
  /** The npm package, its version and licence, written above the script in the page. */
  name: string;
  version: string;
  license: string;
  code: string;
}

/** The bundles, in the order the page must load them (vega-embed needs vega and vega-lite). */
export const BUNDLES = [
  { name: "vega", file: "build/vega.min.js" },
  { name: "vega-lite", file: "build/vega-lite.min.js" },
  { name: "vega-embed", file: "build/vega-embed.min.js" },
  { name: "mermaid", file: "dist/mermaid.min.js" },
] as const;

/** Node's own lookup: the nearest `node_modules/NAME` above this file. (Some packages export no subpaths.) */
function packageDir(name: string, from: string): string {
  let dir = from;
  for (;;) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new Error(`reports/html: package ${name} is not installed (npm ci)`);
    dir = up;
  }
}

export function readBundles(from: string = dirname(fileURLToPath(import.meta.url))): InlineScript[] {
  return BUNDLES.map(({ name, file }) => {
    const dir = packageDir(name, from);
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string; license: string };
    return { name, version: pkg.version, license: pkg.license, code: readFileSync(join(dir, file), "utf8") };
  });
}
