/**
 * Which threats of the catalogue (attacks/threats/T1-T18) apply to the `signal-pgs` engine, and
 * how; for those that cannot, why. This is modelling, not measurement: it says what form each
 * attack takes against the Private Group System and which engine test exercises that form. The
 * outcome is whatever that test (and, once the adapter exists, the scenario run) measures.
 */
export type Applicability =
  | {
      threat: string;
      applies: true;
      /** The attack, restated in this model's terms. */
      analogue: string;
      /** What decides it in this model (a mechanism, not an outcome). */
      decidedBy: string;
      /** The engine test (its title) that exercises it, if one does yet. */
      test: string | undefined;
    }
  | { threat: string; applies: false; reason: string };

export const SIGNAL_PGS_APPLICABILITY: readonly Applicability[] = [
  {
    threat: "T1",
    applies: true,
    analogue:
      "The server stores an entry of its own making: under its own key, copied from another group, or random bytes.",
    decidedBy:
      "The entry's authenticated encryption under the key derived from the master key, which the server does not have.",
    test: "T1: entries the server makes itself do not decrypt, and are reported",
  },
  {
    threat: "T2",
    applies: true,
    analogue:
      "The server stores a banned member's old entry again; entries are deterministic, so the old bytes are the " +
      "valid entry.",
    decidedBy: "Nothing on the client: a ban is server-side state, and any entry that decrypts is accepted.",
    test: "T2: a banned member's entry is refused by the honest server, and replayed by a malicious one",
  },
  {
    threat: "T3",
    applies: true,
    analogue:
      "A removed member, who kept the unchanged master key, makes an entry for a new user and the server stores it.",
    decidedBy:
      "Nothing on the client: the master key is not rotated on removal, so the removed member's entries are valid.",
    test: "T3: a removed member keeps the master key and makes valid entries the malicious server stores",
  },
  {
    threat: "T4",
    applies: true,
    analogue:
      "A member below the add level makes an entry (every member holds the master key) and the server stores it.",
    decidedBy: "Only the server's access control; clients do not check who added an entry.",
    test: "T4: an unprivileged member's add is refused by the honest server, accepted by one that does not enforce",
  },
  {
    threat: "T5",
    applies: false,
    reason:
      "PGS has no invite signed by a member: an add is only an entry, so forging an add 'from' a member is making " +
      "an entry without the master key, which is T1.",
  },
  {
    threat: "T6",
    applies: true,
    analogue:
      "At first contact the server lists devices (an identity key) of its own for the new member, whose entry is " +
      "genuine.",
    decidedBy:
      "Not PGS: the adapter's device check (Signal: the account identity key, trusted on first use; safety numbers).",
    test: undefined,
  },
  {
    threat: "T7",
    applies: true,
    analogue:
      "The server claims the member re-registered and lists a new identity key; the member's entry, a user ID, " +
      "stays valid.",
    decidedBy:
      "Not PGS: the adapter's device check after an identity change (Signal warns; unverified clients accept).",
    test: undefined,
  },
  {
    threat: "T8",
    applies: true,
    analogue: "The server lists an extra device for an accepted member.",
    decidedBy: "Not PGS: the adapter's device check (`trustDevice`; Signal binds devices to the identity key).",
    test: "room messages go to the listed devices of accepted members, filtered by the device check",
  },
  {
    threat: "T9",
    applies: false,
    reason:
      "There is no server-resolved alias: a PGS group is reached only with its master key (Signal's group links " +
      "carry it), and the group ID is derived from that key, so the server cannot substitute another group.",
  },
  {
    threat: "T10",
    applies: true,
    analogue: "The server copies a member's entry from another group into this one.",
    decidedBy: "The group ID is the entry's associated data, so an entry from another group does not decrypt.",
    test: "T1: entries the server makes itself do not decrypt, and are reported",
  },
  {
    threat: "T11",
    applies: false,
    reason:
      "Entries have no envelope: the user ID is inside the authenticated ciphertext, so nothing can be moved under " +
      "another name.",
  },
  {
    threat: "T12",
    applies: false,
    reason: "Entries reference nothing: there are no parent links or IDs to map, so there is no chain to loop.",
  },
  {
    threat: "T13",
    applies: true,
    analogue:
      "The server does not delete a banned member's entry (or puts it back): the list clients see has no trace of " +
      "the ban.",
    decidedBy: "Nothing on the client: removal is a deletion, and no client keeps or compares a history of the list.",
    test: "T2: a banned member's entry is refused by the honest server, and replayed by a malicious one",
  },
  {
    threat: "T14",
    applies: true,
    analogue: "The server serves different member lists to different clients.",
    decidedBy: "Nothing in PGS compares lists between clients.",
    test: "split view: the server deletes a member from one client's list only; nothing in PGS compares lists",
  },
  {
    threat: "T15",
    applies: false,
    reason:
      "PGS has no third-party invite through an identity server: an add is an entry for a user ID, made by a " +
      "master-key holder.",
  },
  {
    threat: "T16",
    applies: false,
    reason:
      "PGS has no restricted join rule: admission is an entry (or a group link carrying the master key), never " +
      "membership of another group.",
  },
  {
    threat: "T17",
    applies: false,
    reason: "PGS has no spaces: groups are not discovered through other groups' listings.",
  },
  {
    threat: "T18",
    applies: false,
    reason:
      "Membership carries no signatures: entries are AES-SIV ciphertexts under a symmetric key, so there is no " +
      "public key to choose.",
  },
  {
    threat: "T19",
    applies: false,
    reason:
      "PGS has no join rule: admission is an entry made with the group's master key (or a group link carrying it), " +
      "and another group's master key makes entries only for that group.",
  },
  {
    threat: "T20",
    applies: false,
    reason:
      "PGS has no third-party invite through an identity server: an add is an entry for a user ID, made by a " +
      "master-key holder, so there is no token to substitute.",
  },
  {
    threat: "T21",
    applies: false,
    reason:
      "PGS has no create event naming a creator: whoever holds the group's master key can make entries, and the " +
      "group's creator is no part of what a client checks.",
  },
];
