/**
 * The backward-compatibility guard (issue 10, point 5): the results of every shipped scenario
 * under every model at its own seed, as `npm run scenarios -- --format json` prints them, taken
 * before the action registry and the DefenceModel refactor. `scenario-snapshot.test.ts` compares
 * the runner's results against it: every field the snapshot has must be there with the same
 * value; only fields added since may be new.
 *
 * `npx tsx test-support/scenario-snapshot.ts` rewrites the snapshot: only do so on purpose. It
 * covers the simulated models; the models on a real library came after it (agreement.test.ts).
 * Rewritten for issue 12 (the oracle's own rules, quiescence): against the pre-refactor snapshot
 * the only differences were T13-proposal-example-hidden-ban's baseline and membership-tree
 * breaches (4 then, 6 once the network drains before judging), T15 under the state DAG (detected,
 * as its file says since the registry merge), the runs of scenarios/availability/ (added since),
 * and the history operations issue 12 adds (the creator's server-made state events, contents).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync, gzipSync } from "node:zlib";
import { SIMULATED_MODEL_IDS as MODEL_IDS } from "../sim/models/index.ts";
import { loadScenario, resultsJson, scenarioFiles } from "../scenarios/cli.ts";
import { runScenario } from "../scenarios/runner.ts";
import { REPO } from "./vectors.ts";

export const SNAPSHOT = join(REPO, "test-support", "snapshots", "scenarios.json.gz");

/** The results JSON of every shipped scenario under every model, at the scenarios' own seeds. */
export async function currentResults(): Promise<string> {
  const files = scenarioFiles(join(REPO, "scenarios"));
  const runs = [];
  for (const f of files) {
    const scenario = loadScenario(f);
    const file = f.slice(REPO.length + 1);
    for (const model of MODEL_IDS) runs.push({ file, run: await runScenario(scenario, model) });
  }
  // The models list as the snapshot's runs cover it (the simulated ones).
  return JSON.stringify({ ...JSON.parse(resultsJson(runs, undefined)), models: MODEL_IDS }, null, 2);
}

export function readSnapshot(): unknown {
  return JSON.parse(gunzipSync(readFileSync(SNAPSHOT)).toString("utf8"));
}

/**
 * Where `actual` differs from `expected`, other than by fields `expected` does not have: a list
 * of JSON paths with what each side holds (empty: `actual` keeps everything `expected` says).
 * Iterative, so a deep history cannot overflow the stack.
 */
export function differences(expected: unknown, actual: unknown, limit = 20): string[] {
  const out: string[] = [];
  const stack: [string, unknown, unknown][] = [["$", expected, actual]];
  while (stack.length > 0 && out.length < limit) {
    const [path, e, a] = stack.pop()!;
    if (Array.isArray(e)) {
      if (!Array.isArray(a) || a.length !== e.length) {
        out.push(
          `${path}: expected an array of ${e.length}, got ${Array.isArray(a) ? `an array of ${a.length}` : JSON.stringify(a)}`,
        );
        continue;
      }
      for (let i = e.length - 1; i >= 0; i--) stack.push([`${path}[${i}]`, e[i], a[i]]);
    } else if (e !== null && typeof e === "object") {
      if (a === null || typeof a !== "object" || Array.isArray(a)) {
        out.push(`${path}: expected an object, got ${JSON.stringify(a)}`);
        continue;
      }
      for (const k of Object.keys(e).reverse()) {
        if (!(k in a)) out.push(`${path}.${k}: missing`);
        else stack.push([`${path}.${k}`, (e as Record<string, unknown>)[k], (a as Record<string, unknown>)[k]]);
      }
    } else if (e !== a) out.push(`${path}: expected ${JSON.stringify(e)}, got ${JSON.stringify(a)}`);
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  void currentResults().then((text) => {
    writeFileSync(SNAPSHOT, gzipSync(text, { level: 9 }));
    process.stdout.write(`wrote ${SNAPSHOT}\n`);
  });
}
