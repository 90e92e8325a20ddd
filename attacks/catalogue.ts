/**
 * The threat catalogue (DESIGN.md §9): T1-T4 are the proposal's table rows, in order; the rest
 * follow issue order.
 */
import { join } from "node:path";
import { loadScenario } from "../scenarios/cli.ts";
import type { ModelId } from "../sim/models/index.ts";
import type { Outcome } from "../sim/world/oracle.ts";
import { REPO } from "../scenarios/out-dir.ts";
import type { Threat, ThreatEntry } from "./threat.ts";
import { T1 } from "./threats/T1-insert-member.ts";
import { T2 } from "./threats/T2-reinsert-banned.ts";
import { T3 } from "./threats/T3-banned-member-colludes.ts";
import { T4 } from "./threats/T4-unprivileged-member-colludes.ts";
import { T5 } from "./threats/T5-forged-invite.ts";
import { T6 } from "./threats/T6-msk-substitution.ts";
import { T7 } from "./threats/T7-msk-reset-impersonation.ts";
import { T8 } from "./threats/T8-insert-device.ts";
import { T9 } from "./threats/T9-rrk-substitution.ts";
import { T10 } from "./threats/T10-cross-room-replay.ts";
import { T11 } from "./threats/T11-envelope-replay.ts";
import { T12 } from "./threats/T12-parent-cycle.ts";
import { T13 } from "./threats/T13-hidden-ban.ts";
import { T14 } from "./threats/T14-split-view.ts";
import { T15 } from "./threats/T15-third-party-key.ts";
import { T16 } from "./threats/T16-forged-restricted-chain.ts";
import { T17 } from "./threats/T17-forged-space-child.ts";
import { T18 } from "./threats/T18-torsion-keys.ts";
import { T19 } from "./threats/T19-join-rule-replay.ts";
import { T20 } from "./threats/T20-third-party-token.ts";
import { T21 } from "./threats/T21-unsigned-creator.ts";

/** The threat with its expectations, read from its scenario file: the scenario's `expect` is the only copy. */
function withExpectations(t: ThreatEntry): Threat {
  const expect = loadScenario(join(REPO, t.scenario)).expect;
  const expected = Object.fromEntries(Object.entries(expect).map(([m, e]) => [m, e!.outcome])) as Record<
    ModelId,
    Outcome
  >;
  return { ...t, expected };
}

export const CATALOGUE: readonly Threat[] = (
  [T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12, T13, T14, T15, T16, T17, T18, T19, T20, T21] as const
).map(withExpectations);
