/**
 * The spec's test vectors. The copy in `vectors/` is vendored from `../shared/vectors/` so that a
 * fresh clone tests on its own; `vectors.test.ts` checks the two copies are identical whenever
 * `../shared/` is present.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = join(dirname(fileURLToPath(import.meta.url)), "..");
export const VECTORS_DIR = join(REPO, "vectors");
export const SHARED_VECTORS_DIR = join(REPO, "..", "shared", "vectors");

export interface MatrixSpecVectors {
  signing_key_seed: string;
  verify_key: string;
  canonical_json: { input: unknown; canonical: string }[];
  signing: { input: Record<string, unknown>; entity: string; key_id: string; signed: Record<string, unknown> }[];
  must_reject: { why: string; json_text: string }[];
}

export function readVectorFile(relative: string): string {
  return readFileSync(join(VECTORS_DIR, relative), "utf8");
}

export const matrixSpecVectors = (): MatrixSpecVectors =>
  JSON.parse(readVectorFile("matrix-spec.json")) as MatrixSpecVectors;
