/**
 * `npm run readme [-- --bench] [--check]`: regenerates every output the README quotes, from the
 * code, so the figures cannot drift. Each quoted output sits between markers,
 *
 *   <!-- readme:NAME -->  …  <!-- /readme:NAME -->
 *
 * and is replaced by what its command prints now (run into a temporary results folder, whose path
 * is shown as `reports/out`):
 *   - `scenarios`: `npm run scenarios -- …` on two scenarios, the whole output;
 *   - `attacks`: `npm run attacks -- …` on the proposal's four rows, the whole output;
 *   - `report`: the same run's `npm run report`: the proposal's table, the availability table and
 *     the claims against measurements, as generated;
 *   - `verify`: `msc3917 verify` on the example room, and its exit status;
 *   - `bench`: `npm run bench`'s output, every part of it (`runBench`). The full bench takes long,
 *     so it is taken from reports/out/bench.txt, which `--bench` (re)writes by running it; without
 *     that file the README's block is kept and the script says so.
 *
 * `--check` changes nothing: it exits 1, with a diff of the first difference, when the README
 * differs from what the code prints (the bench block compared with its run-to-run numbers masked,
 * see `maskBench`). scripts/readme.test.ts runs the same check, with a quick bench.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = join(dirname(fileURLToPath(import.meta.url)), "..");
export const README = join(REPO, "README.md");

/** The commands the README quotes; the README's prose names them too. */
export const SCENARIOS_ARGS = ["scenarios/attacks/T1-insert-member.json", "scenarios/honest-msk-reset.json"];
export const ATTACKS_ARGS = ["--runs", "5", "--threat", "T1", "--threat", "T2", "--threat", "T3", "--threat", "T4"];
export const VERIFY_ARGS = ["verify", "scenarios/rooms/forged-member.room.json"];

export type BlockName = "scenarios" | "attacks" | "report" | "verify" | "bench";
export const BLOCKS: readonly BlockName[] = ["scenarios", "attacks", "report", "verify", "bench"];

/** Run a TypeScript entry point of the project (through tsx, as npm run does) and return its stdout. */
function runTs(entry: string, args: string[], env: NodeJS.ProcessEnv = {}): { stdout: string; status: number } {
  const r = spawnSync(process.execPath, ["--import", "tsx", entry, ...args], {
    cwd: REPO,
    env: { ...process.env, ...env },
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return { stdout: r.stdout, status: r.status ?? 1 };
}

const fence = (text: string, lang = ""): string => `\`\`\`${lang}\n${text.replace(/\n+$/, "")}\n\`\`\``;

/** What a command printed, with the temporary results folder shown as reports/out. */
function shownAsReportsOut(text: string, out: string): string {
  const rel = relative(REPO, out);
  return text.split(rel).join("reports/out").split(out).join("reports/out");
}

/** The sections of a generated threat-model.md that the README quotes. */
export function reportExcerpt(md: string): string {
  const section = (title: string): string => {
    const at = md.indexOf(`## ${title}`);
    if (at < 0) throw new Error(`readme: the report has no section "${title}"`);
    const end = md.indexOf("\n## ", at + 1);
    return md.slice(at, end < 0 ? undefined : end);
  };
  const tables = (text: string) => text.split("\n").filter((l) => l.startsWith("|"));
  const claims = section("Claims against measurements")
    .split("\n")
    .filter((l) => l.startsWith("- "));
  return [
    ...tables(section("The proposal's table, measured")),
    "",
    ...tables(section("Availability")),
    "",
    "The claims-against-measurements section of that report, as generated:",
    "",
    ...claims,
  ].join("\n");
}

export interface GenerateOptions {
  /** Run `npm run bench` now and keep its output in reports/out/bench.txt. */
  bench?: boolean;
  /** Environment for the bench (the test's quick mode). */
  benchEnv?: NodeJS.ProcessEnv;
  /** Where bench.txt is read from and written to (default reports/out). */
  benchFile?: string;
}

/**
 * Every block's text, as the code prints it now. A block that cannot be made (no bench.txt) is
 * left out of the result, with the reason in `missing`.
 */
export function generateBlocks(options: GenerateOptions = {}): {
  blocks: Partial<Record<BlockName, string>>;
  missing: string[];
} {
  const blocks: Partial<Record<BlockName, string>> = {};
  const missing: string[] = [];
  const out = mkdtempSync(join(tmpdir(), "msc3917-readme-"));
  try {
    const scen = runTs("attacks/after-scenarios.ts", SCENARIOS_ARGS, { MSC3917_OUT: join(out, "scenarios") });
    if (scen.status !== 0) throw new Error(`readme: npm run scenarios failed (exit ${scen.status})\n${scen.stdout}`);
    blocks.scenarios = fence(shownAsReportsOut(scen.stdout, join(out, "scenarios")));

    const sweepOut = join(out, "attacks");
    const att = runTs("attacks/cli.ts", ATTACKS_ARGS, { MSC3917_OUT: sweepOut });
    if (att.status !== 0) throw new Error(`readme: npm run attacks failed (exit ${att.status})\n${att.stdout}`);
    blocks.attacks = fence(shownAsReportsOut(att.stdout, sweepOut));
    const rep = runTs("reports/cli.ts", [], { MSC3917_OUT: sweepOut });
    if (rep.status !== 0) throw new Error(`readme: npm run report failed (exit ${rep.status})`);
    blocks.report = shownAsReportsOut(reportExcerpt(readFileSync(join(sweepOut, "threat-model.md"), "utf8")), sweepOut);

    const v = runTs("cli/msc3917.ts", VERIFY_ARGS);
    blocks.verify = fence(
      [`$ npx msc3917 ${VERIFY_ARGS.join(" ")}`, v.stdout.replace(/\n$/, ""), "$ echo $?", String(v.status)].join("\n"),
      "console",
    );

    const benchFile = options.benchFile ?? join(REPO, "reports", "out", "bench.txt");
    if (options.bench) {
      const b = runBench(options.benchEnv);
      mkdirSync(dirname(benchFile), { recursive: true });
      writeFileSync(benchFile, b.stdout);
      for (const f of b.failed) missing.push(`bench: ${f} (its output is kept all the same)`);
    }
    if (existsSync(benchFile)) blocks.bench = fence(readFileSync(benchFile, "utf8"));
    else missing.push(`bench: no ${relative(REPO, benchFile)}; run npm run readme -- --bench to make it`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  return { blocks, missing };
}

/**
 * `npm run bench`, one part at a time: the parts of package.json's `bench` script (joined by
 * `&&` there, which stops at the first budget missed), each run whatever the one before did, so
 * the output has every part's lines. Returns the output and the parts that exited non-zero.
 */
export function runBench(env: NodeJS.ProcessEnv = {}): { stdout: string; failed: string[] } {
  const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { scripts: Record<string, string> };
  const parts = pkg.scripts.bench!.split("&&").map((p) => p.trim());
  let stdout = "";
  const failed: string[] = [];
  for (const part of parts) {
    const r = spawnSync("sh", ["-c", part], {
      cwd: REPO,
      env: { ...process.env, PATH: `${join(REPO, "node_modules", ".bin")}:${process.env.PATH}`, ...env },
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    stdout += r.stdout;
    if (r.status !== 0) failed.push(`${part} exited ${r.status}`);
  }
  return { stdout, failed };
}

const MARK = (name: string) => new RegExp(`(<!-- readme:${name} -->\\n)([\\s\\S]*?)(\\n<!-- /readme:${name} -->)`);

/** The README's text of each marked block. */
export function readmeBlocks(text: string): Partial<Record<BlockName, string>> {
  const found: Partial<Record<BlockName, string>> = {};
  for (const name of BLOCKS) {
    const m = MARK(name).exec(text);
    if (m) found[name] = m[2]!;
  }
  return found;
}

/** The README with the given blocks replaced. Throws when a marker is missing. */
export function withBlocks(text: string, blocks: Partial<Record<BlockName, string>>): string {
  let out = text;
  for (const [name, body] of Object.entries(blocks)) {
    if (!MARK(name).test(out)) throw new Error(`readme: README.md has no <!-- readme:${name} --> block`);
    out = out.replace(MARK(name), (_all, open: string, _old: string, close: string) => `${open}${body}${close}`);
  }
  return out;
}

/**
 * The bench's output with what varies from run to run masked: every number becomes `#`, runs of
 * spaces one space (column widths follow the numbers), the over-budget flags, re-measurement notes
 * and file paths are dropped (whether a budget is met on a shared machine varies too; `npm run
 * bench` fails on them itself).
 * What stays is the structure: the header of each bench, and each line's words.
 */
export function maskBench(text: string): string {
  return (
    text
      .replace(/\b(OVER BUDGET|UNDER BUDGET|OVER)\b/g, "")
      // A doubling measured again (the hostile bench says so only when it happened), a part's
      // budget met or missed (run-all's summary), and where a file was written: all vary by run.
      .replace(/ \(first measured [^)]*\)/g, "")
      // The hostile bench's extra doubling, printed only for a shape that stayed over.
      .replace(/^\s*one more doubling, not judged:.*$/gm, "")
      .replace(/within budget|MISSED \(exit \d+\)/g, "<budget>")
      .replace(/goals: (met|MISSED: .*)/g, "goals: <goals>")
      .replace(/(^|\s)\/[^\s)]+/gm, "$1<path>")
      .replace(/-?\d[\d,.]*/g, "#")
      .replace(/[ \t]+/g, " ")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "")
      .join("\n")
  );
}

/** The first line where two texts differ, for a readable failure. */
export function firstDifference(a: string, b: string): string | null {
  const x = a.split("\n");
  const y = b.split("\n");
  for (let i = 0; i < Math.max(x.length, y.length); i++)
    if (x[i] !== y[i]) return `line ${i + 1}:\n  README: ${x[i] ?? "(none)"}\n  code:   ${y[i] ?? "(none)"}`;
  return null;
}

function main(argv: string[]): number {
  const help = argv.includes("--help") || argv.includes("-h");
  if (help) {
    process.stdout.write(
      "usage: npm run readme [-- --bench] [--check]\n\nRegenerates every output README.md quotes (scenarios, attacks, report, verify, bench).\n  --bench   run npm run bench now (long) and keep its output in reports/out/bench.txt\n  --check   change nothing; exit 1 if README.md differs from what the code prints\n",
    );
    return 0;
  }
  const unknown = argv.filter((a) => a !== "--bench" && a !== "--check");
  if (unknown.length) {
    process.stderr.write(`readme: unknown argument ${unknown[0]} (see --help)\n`);
    return 2;
  }
  const { blocks, missing } = generateBlocks({ bench: argv.includes("--bench") });
  for (const m of missing) process.stderr.write(`readme: ${m}\n`);
  const text = readFileSync(README, "utf8");
  if (argv.includes("--check")) {
    const have = readmeBlocks(text);
    let differs = 0;
    for (const name of BLOCKS) {
      const want = blocks[name];
      if (want === undefined) continue;
      const got = have[name] ?? "";
      const [a, b] = name === "bench" ? [maskBench(got), maskBench(want)] : [got, want];
      const diff = firstDifference(a, b);
      if (diff) {
        differs++;
        process.stdout.write(`README block ${name} differs from what the code prints, at ${diff}\n`);
      } else process.stdout.write(`README block ${name}: as the code prints it\n`);
    }
    return differs ? 1 : 0;
  }
  const next = withBlocks(text, blocks);
  if (next !== text) writeFileSync(README, next);
  process.stdout.write(
    `readme: ${next === text ? "README.md already as the code prints it" : "README.md updated"} (${Object.keys(blocks).join(", ")})\n`,
  );
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main(process.argv.slice(2));
