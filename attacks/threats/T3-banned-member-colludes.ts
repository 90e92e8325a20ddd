/**
 * T3: a banned member colludes with the homeserver to insert a new member (the proposal's third row).
 *
 * Threat: a banned member hands their RSK to the server, which signs an invite for a user it makes
 * and accepts it despite the ban. Capabilities: `forge`, a colluding member. Expected: baseline
 * breach; membership tree breach (❌ in the proposal): the invite is genuinely signed by a key whose
 * chain verifies, and bans are not in chains. The state DAG's result depends on whether timestamps
 * can be falsified (the proposal's footnote 1).
 *
 * Footnote 1 (`collude_invite`'s `fork_at`, `claimed_offset` and `grind`, which the search varies,
 * and the scripted forms `-backdated`, `-1ms`, `-equal-power`, `-equal-power-one-server`): the
 * invite concurrent with the ban itself, backdated by an hour or by 1 ms, or forked instead from
 * before an event of equal power on which the ban rests (Carol's join), 1 ms earlier, with or
 * without ID grinding, and with every user on the malicious server. The outcomes are measured, per
 * model, in the scenarios' `expect` and by the search (the report); they are not restated here,
 * where they would go stale.
 *
 * ```mermaid
 * flowchart BT
 *   create{{"m.room.create"}}
 *   bob{{"Bob's join"}} ==> create
 *   ban["Alice bans Bob"]
 *   inv{{"invite for Mallory, signed with Bob's real RSK"}} ==> bob
 *   mallory{{"Mallory's join"}} ==> inv
 * ```
 */
import type { ThreatEntry } from "../threat.ts";

export const T3: ThreatEntry = {
  id: "T3",
  title: "Banned member colludes with homeserver to insert a new member",
  proposalRow: 3,
  section: "Potential issues; Threat modeling, row 3 and footnote 1",
  capabilities: ["forge", "colluding member"],
  space: ["fork", "claimed_time", "grinding", "placement", "delay", "noise"],
  scenario: "scenarios/attacks/T3-banned-member-colludes.json",
  summary: "A banned member's keys still sign valid invitations; the tree checks signatures, not bans.",
};
