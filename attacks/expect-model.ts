/**
 * `npx tsx attacks/expect-model.ts <model> [--write]`: run every scenario file under one model
 * and print what the oracle measured; with `--write`, record it as that model's expectation in
 * each file's one-line `expect` (keeping the layout) and in the catalogue's `expected` for the
 * threat's basic form. A tool for adding a model, whose every figure must then be checked by
 * hand against the model's applicability table and the real system before it is committed.
 */
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { MODEL_IDS, type ModelId } from "../sim/models/index.ts";
import { loadScenario, scenarioFiles } from "../scenarios/cli.ts";
import { runScenario } from "../scenarios/runner.ts";

type Value = string | { outcome: string; false_rejections?: number | string };

function render(expect: Record<string, Value>): string {
  const v = (x: Value) =>
    typeof x === "string"
      ? JSON.stringify(x)
      : `{${Object.entries(x)
          .map(([k, y]) => `${JSON.stringify(k)}: ${JSON.stringify(y)}`)
          .join(", ")}}`;
  return `{${Object.entries(expect)
    .map(([k, x]) => `${JSON.stringify(k)}: ${v(x)}`)
    .join(", ")}}`;
}

async function main(argv: string[]): Promise<void> {
  const model = argv[0] as ModelId;
  if (!MODEL_IDS.includes(model)) throw new Error(`unknown model ${argv[0]} (known: ${MODEL_IDS.join(", ")})`);
  const write = argv.includes("--write");
  for (const file of scenarioFiles("scenarios")) {
    const scenario = loadScenario(file);
    const run = await runScenario(scenario, model);
    const fr = run.judgement.false_rejections.length;
    const value: Value = fr > 0 ? { outcome: run.outcome, false_rejections: fr } : run.outcome;
    const problems = [...run.step_errors, ...run.property_violations];
    console.log(`${file}: ${JSON.stringify(value)}${problems.length ? `  (${problems[0]})` : ""}`);
    if (!write) continue;
    const lines = readFileSync(file, "utf8").split("\n");
    const i = lines.findIndex((l) => /^ "expect": \{.*\},?$/.test(l));
    if (i < 0) throw new Error(`${file}: no one-line "expect"`);
    const comma = lines[i]!.endsWith(",") ? "," : "";
    const current = JSON.parse(lines[i]!.replace(/^ "expect": /, "").replace(/,$/, "")) as Record<string, Value>;
    lines[i] = ` "expect": ${render({ ...current, [model]: value })}${comma}`;
    writeFileSync(file, lines.join("\n"));
    for (const name of readdirSync("attacks/threats").sort()) {
      const path = `attacks/threats/${name}`;
      const src = readFileSync(path, "utf8");
      if (!src.includes(`scenario: "${file}",`)) continue;
      const line = src.split("\n").find((l) => l.startsWith("  expected: {"));
      if (!line) throw new Error(`${path}: no one-line expected`);
      const without = line.replace(new RegExp(`, "${model}": "\\w+"`), "");
      writeFileSync(path, src.replace(line, without.replace(/ \},$/, `, "${model}": "${run.outcome}" },`)));
    }
  }
}

await main(process.argv.slice(2));
