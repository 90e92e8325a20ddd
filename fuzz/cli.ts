/**
 * `npm run fuzz`: at least 10^5 structure-aware mutations of valid rooms through the verifier and
 * the room-file reader (see fuzz/fuzz.ts). FUZZ_INPUTS and FUZZ_SEED override the count (default
 * 100,000) and the seed (default 3917); FUZZ_FIRST starts at another index. Exits 1 if anything throws, is slow (> 1 s), gives
 * `verifier_error`, or verifies a member whose chain the reference check finds broken.
 */
import { runFuzz } from "./fuzz.ts";

const USAGE = `usage: npm run fuzz [-- --help]

Runs structure-aware mutations of valid rooms through the room-file reader and the membership
verifier (fuzz/fuzz.ts), and exits 1 if any input throws, takes over 1 s, gives verifier_error, or
verifies a member whose chain the fuzzer's own reference check finds broken.
Environment:
  FUZZ_INPUTS  how many inputs (default 100000)
  FUZZ_SEED    the seed (default 3917)
  FUZZ_FIRST   the index of the first input (default 0); runs over disjoint ranges make up one run`;

const args = process.argv.slice(2);
if (args.includes("--help") || args.includes("-h")) {
  console.log(USAGE);
  process.exit(0);
}
if (args.length > 0) {
  console.error(
    `msc3917 fuzz: unexpected argument ${JSON.stringify(args[0])} (the options are environment variables)\n\n${USAGE}`,
  );
  process.exit(2);
}

const inputs = Number(process.env.FUZZ_INPUTS ?? 100_000);
const seed = Number(process.env.FUZZ_SEED ?? 3917);
/** Index of the first input: runs over disjoint ranges make up one run (inputs are drawn per index). */
const first = Number(process.env.FUZZ_FIRST ?? 0);
if (!Number.isInteger(inputs) || inputs < 1 || !Number.isInteger(seed))
  throw new Error("FUZZ_INPUTS must be a positive integer and FUZZ_SEED an integer");
const started = process.hrtime.bigint();
const report = runFuzz({ inputs, seed, first, onProgress: (n) => process.stderr.write(`  ${n} inputs...\n`) });
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
console.log(
  `msc3917 fuzz: ${report.inputs} inputs (seed ${report.seed}, indices ${first}..${first + inputs - 1}) in ${seconds.toFixed(0)} s; slowest input ${report.maxCpuMs.toFixed(1)} ms of CPU (${report.maxMs.toFixed(1)} ms wall)`,
);
console.log(`  mutations applied: ${JSON.stringify(report.mutations)}`);
console.log(`  refused by the room-file reader (exit 2): ${report.refused}`);
console.log(`  verdicts: ${JSON.stringify(report.statuses)}`);
console.log(
  `  verified verdicts the reference check confirmed: ${report.verifiedSound} on the original chain, ${report.rerouted} on chains re-routed through other authentic events`,
);
console.log(`  findings: ${report.findings.length}`);
for (const f of report.findings.slice(0, 20))
  console.log(`    input ${f.index}: ${f.kind}: ${f.detail.split("\n").slice(0, 3).join(" | ")}`);
if (report.findings.length > 0) process.exitCode = 1;
