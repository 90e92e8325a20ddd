/**
 * fast-check parameters for every property test. CI runs with a fixed seed, so a run is
 * repeatable; FC_SEED and FC_RUNS override it. A failure report from fast-check includes the seed
 * and path, which replay it exactly: `FC_SEED=<seed> npx vitest run <file>`.
 */
import type { Parameters } from "fast-check";

export const FC_SEED = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : 3917;

if (!Number.isInteger(FC_SEED))
  throw new Error(`FC_SEED must be an integer, got ${JSON.stringify(process.env.FC_SEED)}`);

/** Parameters for `fc.assert`: fixed seed, and `runs` unless FC_RUNS overrides it. */
export function fcParams<T>(runs = 100): Parameters<T> {
  const override = process.env.FC_RUNS !== undefined ? Number(process.env.FC_RUNS) : undefined;
  if (override !== undefined && !(Number.isInteger(override) && override > 0))
    throw new Error(`FC_RUNS must be a positive integer`);
  return { seed: FC_SEED, numRuns: override ?? runs };
}
