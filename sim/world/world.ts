/** What every part of the simulated world shares, and a device's keys (DESIGN.md §5). */
import { type Ed25519Backend, type SigningKey, signingKeyFromSeed } from "../core/ed25519.ts";
import type { Clock } from "./clock.ts";
import type { History } from "./history.ts";
import type { IdentityServer } from "./identity-server.ts";
import type { Network } from "./network.ts";
import type { Rng } from "./rng.ts";
import { type CurveKey, curveKeyFromSeed } from "./sealed.ts";

export interface World {
  rng: Rng;
  clock: Clock;
  history: History;
  network: Network;
  identity: IdentityServer;
  /** What everyone in this world verifies Ed25519 with: one cache of equations per run (`ed25519-memo.ts`). */
  ed25519: Ed25519Backend;
}

export interface Device {
  id: string;
  signing: SigningKey;
  curve: CurveKey;
  /** Inbound room keys by session ID: the ratchet value at the first index this device may read. */
  sessions: Map<string, { index: number; key: Uint8Array }>;
  read: Set<string>;
}

export function makeDevice(world: World, owner: string, label: string): Device {
  return {
    id: world.rng.id(`device id ${owner} ${label}`),
    signing: signingKeyFromSeed(world.rng.bytes(`device key ${owner} ${label}`, 32)),
    curve: curveKeyFromSeed(world.rng.bytes(`device curve key ${owner} ${label}`, 32)),
    sessions: new Map(),
    read: new Set(),
  };
}
