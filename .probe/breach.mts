import { loadScenario } from "../scenarios/cli.ts";
import { runScenario } from "../scenarios/runner.ts";
const r = await runScenario(loadScenario(process.argv[3]!), process.argv[2] as never);
console.log(JSON.stringify(r.judgement.breaches), JSON.stringify(r.judgement.false_rejections));
