/**
 * The defence models (DESIGN.md §6): one folder each, one line each here. A model is a
 * `DefenceModel` (sim/world/defence-model.ts): what its clients keep and check, what raises an
 * alarm, which devices get a room key, and optionally the message transport.
 */
import type { DefenceModel } from "../world/defence-model.ts";
import { baseline } from "./baseline/index.ts";
import { membershipTree } from "./membership-tree/index.ts";
import { mls } from "./mls/index.ts";
import { signalPgs } from "./signal-pgs/index.ts";
import { stateDag } from "./state-dag/index.ts";

export const MODELS = {
  baseline,
  "membership-tree": membershipTree,
  "state-dag": stateDag("ts"),
  "state-dag-no-ts": stateDag("no-ts"),
  "signal-pgs": signalPgs,
  mls,
} as const satisfies Record<string, DefenceModel>;

export type ModelId = keyof typeof MODELS;
export const MODEL_IDS = Object.keys(MODELS) as readonly ModelId[];
