import { loadScenario } from "../scenarios/cli.ts";
import { runScenario } from "../scenarios/runner.ts";
for (const f of process.argv.slice(3)) {
  const r = await runScenario(loadScenario(f), process.argv[2] as never);
  console.log("==", f, r.outcome);
  for (const op of r.history) {
    if (op.op === "alarm") console.log("  alarm", op.client, op.missing.slice(0, 150));
    if (op.op === "step" && !op.ok) console.log("  step", op.index, op.action, op.error?.slice(0, 150));
    if (op.op === "adversary" && (op.detail as any).model) console.log("  adv", JSON.stringify(op.detail).slice(0, 200));
  }
}
