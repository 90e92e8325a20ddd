/**
 * T9: RRK substitution via an alias or a link.
 *
 * Threat: a user joins by alias; their homeserver resolves it to a room of its own, with its own
 * RRK and members. Capability: `forge` (the server's directory answers). Expected: baseline breach
 * (Matrix today joins whatever the alias resolves to); membership tree prevented, when the link
 * carries `room_root_key`: the client holds the resolved room ID to it (MSC3917 §Rooms as Keys:
 * "The authenticity of RRKs obtained from these URIs is thus as strong as the authenticity of
 * whatever communications channel the URIs were sent through"). Without the RRK in the link it is a
 * breach under both (T9-rrk-substitution-no-rrk-in-link).
 *
 * ```mermaid
 * flowchart LR
 *   link["link: #lab:a.example, room_root_key = RRK1"] --> bob(("Bob"))
 *   bob -- "resolve #lab" --> evil(("evil.example"))
 *   evil -- "!RRK2 (its own room)" --> bob
 * ```
 */
import type { ThreatEntry } from "../threat.ts";

export const T9: ThreatEntry = {
  id: "T9",
  title: "RRK substitution via an alias or a link",
  proposalRow: null,
  section: "Rooms as Keys (room_root_key in matrix: and matrix.to links)",
  capabilities: ["forge"],
  space: ["placement", "delay", "noise"],
  scenario: "scenarios/attacks/T9-rrk-substitution.json",
  summary: "Agreeing on the RRK is agreeing on the room; a link with the RRK lets the client catch a substituted room.",
};
