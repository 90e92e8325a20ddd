/**
 * Adds a model's expectations to scenario files, from a run: `npx tsx scenarios/add-expectations.ts
 * MODEL... [--files F...]` runs every scenario (or the files given) under each MODEL and writes the
 * observed outcome, with the false rejections when there are any, into the file's one-line
 * `"expect": {…}` (the layout the files keep: one step a line, the expectations on one line).
 * Expectations already there are kept, never overwritten. The threat catalogue reads each threat's
 * expectations from its scenario file, so there is nothing else to write.
 *
 * A tool for adding a model, not a way to make runs pass: what it writes is what was measured, and
 * each new line is for a person to read and check against the scenario's description before
 * committing. It prints every value it wrote.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { MODEL_IDS, type ModelId } from "../sim/models/index.ts";
import { REPO } from "../test-support/vectors.ts";
import { loadScenario, scenarioFiles } from "./cli.ts";
import { runScenario } from "./runner.ts";

type Value = string | number | { [k: string]: Value };

/** JSON with `", "` and `": "` between items, as the scenario files write their `expect` line. */
function inline(v: Value): string {
  if (typeof v !== "object") return JSON.stringify(v);
  return `{${Object.entries(v)
    .map(([k, x]) => `${JSON.stringify(k)}: ${inline(x)}`)
    .join(", ")}}`;
}

const args = process.argv.slice(2);
const at = args.indexOf("--files");
const models = (at < 0 ? args : args.slice(0, at)) as ModelId[];
for (const m of models) if (!MODEL_IDS.includes(m)) throw new Error(`unknown model ${m}`);
const files = at < 0 ? scenarioFiles(join(REPO, "scenarios")) : args.slice(at + 1);

for (const file of files) {
  const scenario = loadScenario(file);
  const text = readFileSync(file, "utf8");
  const lines = text.split("\n");
  const i = lines.findIndex((l) => /^\s*"expect": \{.*\}\s*,?\s*$/.test(l));
  if (i < 0) throw new Error(`${file}: no one-line "expect"`);
  const [, indent, body, tail] = /^(\s*)"expect": (\{.*\})(\s*,?\s*)$/.exec(lines[i]!)!;
  const expect = JSON.parse(body!) as Record<string, Value>;
  for (const model of models) {
    const run = await runScenario(scenario, model);
    if (model in expect) continue;
    const fr = run.judgement.false_rejections.length;
    expect[model] = fr === 0 ? run.outcome : { outcome: run.outcome, false_rejections: fr };
    console.log(`${relative(REPO, file)}: ${model} ${inline(expect[model]!)}`);
  }
  lines[i] = `${indent}"expect": ${inline(expect)}${tail}`;
  writeFileSync(file, lines.join("\n"));
}
