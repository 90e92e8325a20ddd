/**
 * `npm run scenarios`: the scenario runner (scenarios/cli.ts), then the threat-model report. The
 * report is drawn from reports/out/attacks.json when a sweep has been run, and says so, with that
 * file's seed, budget and date (and warns when a scenario it measured changed since); otherwise
 * from the scripted basic forms the scenarios just ran (one trial each), which it says in its
 * header. It lives here, above scenarios and reports, because it runs one and writes the other.
 * With `--format json`, stdout carries the JSON document only; the report line goes to stderr.
 */
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { readSweep, resultsDir, writeReport } from "../reports/cli.ts";
import { main as runScenarios } from "../scenarios/cli.ts";
import { type ScenarioResults, attacksFromScenarios } from "./scripted.ts";

const argv = process.argv.slice(2);
const status = await runScenarios(argv);
if (status !== 2 && !argv.some((a) => a === "--help" || a === "-h")) {
  const json = argv.some((a, i) => a === "--format=json" || (a === "--format" && argv[i + 1] === "json"));
  const say = (line: string) => (json ? process.stderr : process.stdout).write(`${line}\n`);
  const sweep = readSweep();
  const attacks =
    sweep?.attacks ??
    attacksFromScenarios(JSON.parse(readFileSync(join(resultsDir(), "scenarios.json"), "utf8")) as ScenarioResults);
  if (attacks) {
    const files = writeReport(attacks);
    say(
      `report: ${relative(process.cwd(), files.md)}, ${relative(process.cwd(), files.csv)} and ${relative(process.cwd(), files.html)} ${sweep ? `from the sweep in ${sweep.describe}` : "from the scripted basic forms (run npm run attacks for variants)"}`,
    );
    for (const s of sweep?.stale ?? [])
      say(`report: warning: ${s} changed after that sweep was written; run npm run attacks again`);
  }
}
process.exitCode = status;
