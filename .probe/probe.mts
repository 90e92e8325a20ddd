import { readdirSync } from "node:fs";
import { loadScenario } from "../scenarios/cli.ts";
import { runScenario } from "../scenarios/runner.ts";
const model = process.argv[2] as never;
const files = process.argv.slice(3);
for (const f of files) {
  const s = loadScenario(f);
  const t = Date.now();
  const r = await runScenario(s, model);
  console.log(f.padEnd(60), r.outcome, "fr", r.judgement.false_rejections.length, "alarms", r.judgement.alarms, r.step_errors.slice(0,2).join(" | "), r.property_violations.slice(0,1).join(""), `${Date.now()-t}ms`);
}
