/**
 * The defence models (DESIGN.md §6): one folder each, one line each here. A model is a
 * `DefenceModel` (sim/world/defence-model.ts): what its clients keep and check, what raises an
 * alarm, which devices get a room key, and optionally the message transport.
 */
import type { DefenceModel } from "../world/defence-model.ts";
import { baseline } from "./baseline/index.ts";
import { elementAllDevices, elementIdentityBased, msc3917OnElement } from "./element/model.ts";
import { membershipTree } from "./membership-tree/index.ts";
import { mls } from "./mls/index.ts";
import { signalPgs } from "./signal-pgs/index.ts";
import { stateDag } from "./state-dag/index.ts";

export const MODELS = {
  baseline,
  "membership-tree": membershipTree,
  "state-dag": stateDag("ts"),
  "state-dag-no-ts": stateDag("no-ts"),
  "state-dag-exclude": stateDag("ts", "exclude"),
  "state-dag-no-ts-exclude": stateDag("no-ts", "exclude"),
  "element-all-devices": elementAllDevices,
  "element-identity-based": elementIdentityBased,
  "msc3917-on-element": msc3917OnElement,
  "signal-pgs": signalPgs,
  mls,
} as const satisfies Record<string, DefenceModel>;

export type ModelId = keyof typeof MODELS;
export const MODEL_IDS = Object.keys(MODELS) as readonly ModelId[];

/**
 * The models whose every device is a real library's `OlmMachine` (matrix-sdk-crypto): a run costs
 * several times a simulated model's (`npm run bench` prints the ratio). `npm run scenarios` runs
 * them on every scenario; the test suite runs them in `element/agreement.test.ts` and leaves them
 * out of the every-scenario-under-every-model tests; the sweep gives them a smaller budget
 * (attacks/sweep.ts, `LIBRARY_MODEL_BUDGET`).
 */
export const LIBRARY_MODEL_IDS: readonly ModelId[] = [
  "element-all-devices",
  "element-identity-based",
  "msc3917-on-element",
];
/** The models simulated here (no real library), which the suite runs on everything. */
export const SIMULATED_MODEL_IDS: readonly ModelId[] = MODEL_IDS.filter((m) => !LIBRARY_MODEL_IDS.includes(m));
