import { loadScenario } from "./scenarios/cli.ts";
import { runScenario } from "./scenarios/runner.ts";
const r = runScenario(loadScenario("scenarios/attacks/T13-proposal-example-hidden-ban.json"), "state-dag");
console.log(r.judgement.breaches, r.judgement.false_rejections);
console.log(r.history.filter((h) => ["alarm", "send", "share_key"].includes(h.op) || (h.op === "step")).map((h) => JSON.stringify(h).slice(0, 200)).join("\n"));
