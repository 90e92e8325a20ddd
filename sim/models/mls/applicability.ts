/**
 * Which threats of the catalogue (attacks/threats/T1-T18) apply to the `mls` engine, and how; for
 * those that cannot, why. This is modelling, not measurement: it says what form each attack takes
 * against RFC 9420 groups, what decides it (a Commit's authentication, epoch secrets, the
 * client's policy, or the Authentication Service the adapter supplies), and which engine test
 * exercises that form. The outcome is whatever that test (and later the scenario run) measures.
 */
export type Applicability =
  | {
      threat: string;
      applies: true;
      /** The attack, restated in this model's terms. */
      analogue: string;
      /** What decides it in this model (a mechanism, not an outcome). */
      decidedBy: "commit authentication" | "epoch secrets" | "client policy" | "authentication service" | "nothing";
      detail: string;
      /** The engine test (its title) that exercises it, if one does yet. */
      test: string | undefined;
    }
  | { threat: string; applies: false; reason: string };

export const MLS_APPLICABILITY: readonly Applicability[] = [
  {
    threat: "T1",
    applies: true,
    analogue:
      "The DS injects an external add proposal for a device of its own, which an honest member's next Commit bundles.",
    decidedBy: "client policy",
    detail:
      "`externalProposals`: ts-mls accepts such proposals by default; `reject` refuses them. A Commit the DS " +
      "forges or tampers with fails the Commit's authentication.",
    test: "T1: an injected external add is bundled into the next Commit if accepted, refused by policy",
  },
  {
    threat: "T2",
    applies: true,
    analogue:
      "The DS replays the old Commit that added the removed member, or injects an external add of the member's new " +
      "KeyPackage.",
    decidedBy: "epoch secrets",
    detail: "An old Commit is for a past epoch and is refused; the external add is decided by `externalProposals`.",
    test: "T2: a replayed old add Commit is refused; a new KeyPackage as external add follows the policy",
  },
  {
    threat: "T3",
    applies: true,
    analogue:
      "A removed member who ignores its removal commits an add from its old epoch, joins on a GroupInfo from when " +
      "it was a member, or keeps sending in its old epoch.",
    decidedBy: "epoch secrets",
    detail:
      "Commits and external joins of a past epoch are refused; its application messages are read while old-epoch " +
      "keys are retained (ts-mls: 4 epochs; `retainOldEpochs: false` clears them).",
    test: "T3: a removed member's old-epoch Commit and external join on an old GroupInfo are refused",
  },
  {
    threat: "T4",
    applies: true,
    analogue: "A member below the invite level commits an add; a colluding DS delivers it anyway.",
    decidedBy: "client policy",
    detail:
      "Each device checks the room policy in the GroupContext on the Commit's sender; with the library default any " +
      "member adds anyone. A refused Commit forks only its committer off.",
    test: "T4: an unprivileged member's add is refused by every member; only the library default accepts it",
  },
  {
    threat: "T5",
    applies: true,
    analogue:
      "The DS makes a Commit 'from' a member with a key of its own (here: a group of its own under the same group ID).",
    decidedBy: "commit authentication",
    detail:
      "A member's Commit is signed with the key in its leaf and carries the epoch's membership tag or encryption.",
    test: "T1: a Commit the DS tampers with or forges is refused by the library",
  },
  {
    threat: "T6",
    applies: true,
    analogue: "When a member adds a new user, the DS serves a KeyPackage of its own making for them.",
    decidedBy: "authentication service",
    detail:
      "MLS leaves credentials to the Authentication Service (RFC 9420 §5.3); the adapter's AS (cross-signing, " +
      "trusted on first use) decides, and so it is as weak as first contact.",
    test: "T8: a DS-made device for Bob gets in only with external proposals accepted and no AS",
  },
  {
    threat: "T7",
    applies: true,
    analogue:
      "The DS says a member reset their keys and serves a new KeyPackage for them; it cannot forge the member's " +
      "leave (a Remove needs a member's Commit).",
    decidedBy: "authentication service",
    detail:
      "The forged leave is refused (an external Remove from a sender the group does not list); a re-add of the " +
      "'reset' user, if a member makes one, rests on the AS accepting the new key, as in T6.",
    test: "T7: the DS cannot forge a member's leave: an external Remove under its own key is refused",
  },
  {
    threat: "T8",
    applies: true,
    analogue: "The DS injects an external add of a device it made under a member's user ID.",
    decidedBy: "authentication service",
    detail:
      "Refused with `externalProposals: reject`, or by an AS that knows the user's genuine device keys; accepted " +
      "by the library default without an AS.",
    test: "T8: a DS-made device for Bob gets in only with external proposals accepted and no AS",
  },
  {
    threat: "T9",
    applies: true,
    analogue:
      "A user joining by alias is handed, by its DS, a GroupInfo of a group the DS made, and joins it externally.",
    decidedBy: "nothing",
    detail:
      "MLS does not say which group a name means; only a link binding the group (e.g. its creator's key) would, " +
      "and none is modelled yet.",
    test: "T9: a joiner handed the DS's own GroupInfo under the room's ID joins the DS's group unawares",
  },
  {
    threat: "T10",
    applies: true,
    analogue: "The DS relays a Commit or proposal from another group (or another group under the same ID).",
    decidedBy: "epoch secrets",
    detail: "Framed content binds group ID and epoch, and member messages are protected with the epoch's secrets.",
    test: "T1: a Commit the DS tampers with or forges is refused by the library",
  },
  {
    threat: "T11",
    applies: false,
    reason:
      "MLS signs the whole framed content (group, epoch, sender, content), and an Add's subject is the invitee's " +
      "own signed KeyPackage: there is no unsigned envelope to move content under.",
  },
  {
    threat: "T12",
    applies: false,
    reason:
      "Clients follow no references a server could map: the epoch is a counter, the transcript hash is computed " +
      "from what was processed, and the tree is addressed by index arithmetic.",
  },
  {
    threat: "T13",
    applies: true,
    analogue: "The DS withholds the Commit that removes a member from some devices, which keep sending to that member.",
    decidedBy: "nothing",
    detail:
      "Withholding is not prevented; a device learns it is behind when it sees a message from a later epoch (alarm " +
      "`behind`).",
    test: "withheld Commit: a member unaware of Bob's removal sends to him, and raises 'behind' later",
  },
  {
    threat: "T14",
    applies: true,
    analogue:
      "The DS forks the group: one Commit (removing a member) to some devices, another for the same epoch to the rest.",
    decidedBy: "epoch secrets",
    detail:
      "The branches' secrets differ, so a message across the fork does not decrypt (alarm `undecryptable`); a " +
      "second Commit for a left epoch raises `fork`. Within a branch the removed member still reads.",
    test: "DS fork: two Commits for one epoch; the removed member reads one branch; cross-branch alarms",
  },
  {
    threat: "T15",
    applies: true,
    analogue:
      "The model's clients admit a user named by a third-party successor invite resting on their own " +
      "m.room.third_party_invite; the server forges one for a user of its own, whose KeyPackage it serves.",
    decidedBy: "client policy",
    detail:
      "The adapter's admission policy (index.ts `mayAdd`), not MLS: an Add carries whatever KeyPackage the adder " +
      "chose, and this policy does not check the identity server's signature on the binding.",
    test: undefined,
  },
  {
    threat: "T16",
    applies: true,
    analogue:
      "The model's clients admit a joiner through their own restricted rule: they check their own group for an " +
      "allowed room, and where they are in none of those rooms they rely on the server's check.",
    decidedBy: "client policy",
    detail: "The adapter's admission policy (index.ts `mayAdd`): RFC 9420 has no rule on membership of another group.",
    test: undefined,
  },
  {
    threat: "T17",
    applies: false,
    reason: "RFC 9420 has no spaces: how a client finds groups is outside MLS.",
  },
  {
    threat: "T18",
    applies: false,
    reason:
      "The check is lenient (ts-mls verifies Ed25519 with WebCrypto, which accepts R = identity, S = 0 for the " +
      "identity key; see the T18 background test), but no MLS check rests on a key the attacker did not choose: " +
      "every signature that admits a device is made with the key its signer put in its own leaf or KeyPackage, so a " +
      "small-order key lets others sign only as that signer's leaf, and they still need the epoch's secrets.",
  },
  {
    threat: "T19",
    applies: false,
    reason:
      "RFC 9420 has no join rule to replay: a joiner enters by a member's Commit and Welcome, or by an external " +
      "Commit on a GroupInfo the group's member signed over its group ID and epoch, so no permission made for one " +
      "group verifies in another.",
  },
  {
    threat: "T20",
    applies: false,
    reason:
      "There is no third-party invite with an identity-server token: an Add carries the invitee's own signed " +
      "KeyPackage, so there is no unsigned token to substitute.",
  },
  {
    threat: "T21",
    applies: false,
    reason:
      "An MLS group has no create event naming its creator: membership is the ratchet tree, each leaf signed by its " +
      "own holder and every change authenticated by a Commit, so there is no unsigned sender to rewrite.",
  },
];
