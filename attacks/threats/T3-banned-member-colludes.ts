/**
 * T3: a banned member colludes with the homeserver to insert a new member (the proposal's third row).
 *
 * Threat: a banned member hands their RSK to the server, which signs an invite for a user it makes
 * and accepts it despite the ban. Capabilities: `forge`, a colluding member. Expected: baseline
 * breach; membership tree breach (❌ in the proposal): the invite is genuinely signed by a key whose
 * chain verifies, and bans are not in chains. The state DAG's result depends on whether timestamps
 * can be falsified (the proposal's footnote 1).
 *
 * Footnote 1, measured in scripted variants (`collude_invite`'s `fork_at`, `claimed_offset` and
 * `grind`, which the search varies): concurrent with the ban itself, backdated by an hour or by
 * 1 ms, the invite is refused under both tie-breaks, since resolution orders concurrent nodes by
 * power first and the banner outranks the banned (`-backdated`, `-1ms`: detected). Forked instead
 * from before an event of equal power on which the ban rests (Carol's join), 1 ms earlier, the
 * invite is concurrent with that event, not with the ban, and the claimed time decides: a breach
 * with `ts`; with `no-ts` the node IDs decide (`-equal-power`: detected, this ID lost), and with a
 * budget of 8 ground IDs and every user on the malicious server, an undetected breach under both
 * (`-equal-power-one-server`).
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
