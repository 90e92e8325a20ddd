/**
 * `npm run scenarios`: runs the scripted scenarios under every defence model (DESIGN.md §8).
 * The simulated world and the scenario runner land with their own issue; until then there is
 * nothing to run, and saying so is the honest answer.
 */
const args = process.argv.slice(2);
if (args.includes("--help") || args.includes("-h")) {
  process.stdout.write("usage: npm run scenarios [-- FILES…] [--seed S] [--format json|text]\n\nRuns scenario files under every defence model.\n");
} else {
  process.stdout.write("no scenarios yet: the simulated world and scenario runner are not built (see the open issues)\n");
}
