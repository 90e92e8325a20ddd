/**
 * The import direction (DESIGN.md §3): sim/core <- sim/world <- sim/models <- scenarios <- attacks,
 * and reports read results, importing only types from below them. Tests may import anything.
 * `npm run lint` runs it.
 */
const notTest = "\\.test\\.ts$";
module.exports = {
  forbidden: [
    { name: "core-is-pure", severity: "error", comment: "sim/core imports nothing outside itself (node builtins and npm packages aside)", from: { path: "^sim/core/", pathNot: notTest }, to: { pathNot: ["^sim/core/", "^node_modules/"], dependencyTypesNot: ["core"] } },
    { name: "world-below-models", severity: "error", comment: "sim/world imports no models, scenarios, attacks or reports", from: { path: "^sim/world/", pathNot: notTest }, to: { path: "^(sim/models|scenarios|attacks|reports)/" } },
    { name: "sim-without-test-support", severity: "error", comment: "the simulation imports no test support (planted bugs, builders): tests inject what they need; its own tests and test helpers (*.differential.ts) aside", from: { path: "^sim/", pathNot: [notTest, "\\.differential\\.ts$"] }, to: { path: "^test-support/" } },
    { name: "models-below-scenarios", severity: "error", comment: "models import no scenarios, attacks or reports", from: { path: "^sim/models/", pathNot: notTest }, to: { path: "^(scenarios|attacks|reports)/" } },
    { name: "scenarios-below-attacks", severity: "error", comment: "scenarios import no attacks", from: { path: "^scenarios/", pathNot: notTest }, to: { path: "^attacks/" } },
    { name: "oracle-rules-private", severity: "error", comment: "only the oracle (and its own tests) may use the oracle's room rules: the judge shares no rules with what it judges", from: { pathNot: ["^sim/world/oracle\\.ts$", "^sim/world/oracle-auth[.a-z-]*\\.ts$"] }, to: { path: "^sim/world/oracle-auth\\.ts$" } },
    { name: "reports-read-types", severity: "error", comment: "reports import only types from the rest of the project: they read results files", from: { path: "^reports/", pathNot: notTest }, to: { path: "^(sim|scenarios|attacks|cli|bench|test-support)/", dependencyTypesNot: ["type-only"] } },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(node_modules|reports/out)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default"] },
  },
};
