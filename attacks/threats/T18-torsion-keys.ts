/**
 * T18: torsion and non-canonical keys.
 *
 * Threat: a room signing key that is a small-order point (here the identity), with the "universal"
 * signature R = identity, S = 0 that a lenient verifier (OpenSSL 3.0, ZIP-215 noble) accepts for
 * any message. Capability: `forge`. Expected: baseline breach; membership tree prevented: the
 * strict policy refuses small-order and non-canonical keys before any equation, in both backends.
 * DESIGN.md §4 (Ed25519 validation policy).
 *
 * ```mermaid
 * flowchart BT
 *   rsk["RSK = identity point"]
 *   join["Mallory's join, 'signed' with R = identity, S = 0"] -.-x rsk
 * ```
 */
import type { ThreatEntry } from "../threat.ts";

export const T18: ThreatEntry = {
  id: "T18",
  title: "Torsion and non-canonical keys",
  proposalRow: null,
  section: "(DESIGN.md §4: strict, libsodium-compatible Ed25519)",
  capabilities: ["forge"],
  space: ["placement", "delay", "noise"],
  scenario: "scenarios/attacks/T18-torsion-keys.json",
  summary:
    "Clients that disagree on what a valid signature is disagree on who is in the room; the policy is fixed in front of every backend.",
};
