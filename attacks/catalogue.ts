/**
 * The threat catalogue (DESIGN.md §9): T1-T4 are the proposal's table rows, in order; the rest
 * follow issue order. Threats not listed here are not built yet (see the README).
 */
import type { Threat } from "./threat.ts";
import { T1 } from "./threats/T1-insert-member.ts";
import { T2 } from "./threats/T2-reinsert-banned.ts";
import { T3 } from "./threats/T3-banned-member-colludes.ts";
import { T4 } from "./threats/T4-unprivileged-member-colludes.ts";
import { T5 } from "./threats/T5-forged-invite.ts";
import { T6 } from "./threats/T6-msk-substitution.ts";
import { T8 } from "./threats/T8-insert-device.ts";

export const CATALOGUE: readonly Threat[] = [T1, T2, T3, T4, T5, T6, T8];
