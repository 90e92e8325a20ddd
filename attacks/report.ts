/**
 * `npm run report`: the search at its default budget (`npm run attacks`), then the threat-model
 * report drawn from its results (reports/cli.ts). `--from FILE` skips the search and draws the
 * report from a results file already made, such as the merge of a sharded full-budget search.
 * It lives here, above attacks and reports, because it runs one and writes the other.
 */
import { fileURLToPath } from "node:url";
import { main as reportMain } from "../reports/cli.ts";
import { main as searchMain } from "./cli.ts";

const USAGE = `usage: npm run report [-- --from FILE] [-- SEARCH OPTIONS] [--format md|json]

Runs the search over the threat catalogue at its default budget (npm run attacks; any of its
options may be given: see npm run attacks -- --help), then writes reports/out/threat-model.md,
threat-model.csv and threat-model.html from its results.
  --from FILE    no search: draw the report from this results file (a merged sharded search, say)
  --format F     md (default: say where the files are) or json (the report's data on stdout)
`;

export async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(USAGE);
    return 0;
  }
  const at = argv.indexOf("--from");
  const formatAt = argv.indexOf("--format");
  const format = formatAt >= 0 ? ["--format", argv[formatAt + 1] ?? ""] : [];
  if (at >= 0) {
    if (argv.length !== 2 + format.length) {
      process.stderr.write("report: --from FILE takes no search options (it runs no search)\n");
      return 2;
    }
    return reportMain(["--from", argv[at + 1] ?? "", ...format]);
  }
  const searchArgs = formatAt < 0 ? argv : argv.filter((_, i) => i !== formatAt && i !== formatAt + 1);
  // The search's own table goes to stderr, so that stdout is the report's (json: the report's data only).
  const status = await searchMain(searchArgs, process.stderr);
  if (status === 2) return 2;
  const report = reportMain(format);
  return report !== 0 ? report : status;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = await main(process.argv.slice(2));
