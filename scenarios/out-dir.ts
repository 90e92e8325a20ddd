/**
 * Where generated output goes: `reports/out/` (git-ignored), or `$MSC3917_OUT` when set. Tests set
 * it, so that running them never overwrites a user's results.
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = join(dirname(fileURLToPath(import.meta.url)), "..");

export function outDir(): string {
  return process.env.MSC3917_OUT ? resolve(process.env.MSC3917_OUT) : join(REPO, "reports", "out");
}
