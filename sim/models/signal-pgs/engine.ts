/**
 * The engine of the `signal-pgs` model: Signal's Private Group System as it bears on membership
 * (Chase, Perrin and Zaverucha, "The Signal Private Group System and Anonymous Credentials
 * Supporting Efficient Verifiable Encryption", ePrint 2019/1416).
 *
 * - A group has a 32-byte master key, which every member holds (§1: "group master key"). The
 *   public group identifier and the member-entry key are derived from it (§5, GroupSecretParams).
 * - The server stores the member list as deterministic authenticated encryptions of user IDs
 *   under the entry key (§4, "UidCiphertext"). Deterministic, so the server can find, compare
 *   and delete entries without learning who they are.
 * - The server enforces access control (here: the room's power levels, by the entry of the user
 *   who asks); a malicious one does not: it inserts, deletes and replays entries at will. It cannot
 *   make an entry without the master key, unless someone who holds it makes one for it.
 * - Clients accept every entry that decrypts under the group key.
 * - Removing a member deletes their entry. The master key is not changed (as in Signal), so a
 *   removed member who kept it can still make valid entries.
 *
 * Stand-in: zkgroup's UidCiphertext is an algebraic deterministic encryption with zero-knowledge
 * proofs; AES-SIV (RFC 5297, @noble/ciphers) gives the two properties membership rests on here:
 * deterministic, and authenticated under a key only master-key holders can derive. The
 * anonymous-credential presentations with which a member proves to the server which entry is
 * theirs are modelled by the `requester` entry each request names.
 */
import { aessiv } from "@noble/ciphers/aes.js";
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, hexToBytes, utf8ToBytes } from "@noble/hashes/utils.js";

/** Where a run's randomness comes from: the world's seeded `Rng` fits (labelled draws). */
export interface RandomSource {
  bytes(label: string, n: number): Uint8Array;
}

export const MASTER_KEY_BYTES = 32;
/** AES-SIV with AES-256: a 512-bit key (RFC 5297 §2.2: K1 for S2V, K2 for CTR). */
const ENTRY_KEY_BYTES = 64;
/** Domain-separation labels for HKDF-SHA256 (RFC 5869) over the master key. */
const INFO_GROUP_ID = utf8ToBytes("msc3917 signal-pgs v1 group id");
const INFO_ENTRY_KEY = utf8ToBytes("msc3917 signal-pgs v1 member entry key");

/** What a holder of the master key can derive. */
export interface GroupSecrets {
  masterKey: Uint8Array;
  /** The public group identifier (hex), under which the server files the group. */
  groupId: string;
  entryKey: Uint8Array;
}

export function newMasterKey(random: RandomSource, label: string): Uint8Array {
  return random.bytes(label, MASTER_KEY_BYTES);
}

export function deriveGroupSecrets(masterKey: Uint8Array): GroupSecrets {
  if (!(masterKey instanceof Uint8Array) || masterKey.length !== MASTER_KEY_BYTES) {
    throw new Error(`signal-pgs: a master key is ${MASTER_KEY_BYTES} bytes`);
  }
  const groupId = bytesToHex(hkdf(sha256, masterKey, undefined, INFO_GROUP_ID, 32));
  return { masterKey, groupId, entryKey: hkdf(sha256, masterKey, undefined, INFO_ENTRY_KEY, ENTRY_KEY_BYTES) };
}

/**
 * The member entry of `userId`: AES-SIV of the user ID, with the group ID as associated data so
 * an entry copied from another group does not decrypt here. Deterministic: the same user in the
 * same group always gives the same bytes.
 */
export function encryptMemberEntry(secrets: GroupSecrets, userId: string): Uint8Array {
  return aessiv(secrets.entryKey, utf8ToBytes(secrets.groupId)).encrypt(utf8ToBytes(userId));
}

/** The user ID in an entry, or undefined when it does not decrypt under this group's key. */
export function decryptMemberEntry(secrets: GroupSecrets, entry: Uint8Array): string | undefined {
  return decryptWith(aessiv(secrets.entryKey, utf8ToBytes(secrets.groupId)), entry);
}

/** One AES-SIV instance decrypts a whole list (noble allows reusing it to decrypt; only encryption is one-shot). */
function decryptWith(cipher: ReturnType<typeof aessiv>, entry: Uint8Array): string | undefined {
  if (!(entry instanceof Uint8Array) || entry.length <= aessiv.tagLength) return undefined;
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(cipher.decrypt(entry));
  } catch {
    return undefined;
  }
}

export type EntryHex = string;

/** The access-control part of the group record, in the room's power-level terms. */
export interface AccessControl {
  /** Level needed to add a member (Matrix `invite`). */
  add: number;
  /** Level needed to remove another member (Matrix `kick`); the target must be strictly lower. */
  remove: number;
  /** Level needed to change a member's level (Matrix `m.room.power_levels` state level). */
  changeLevels: number;
  /**
   * Anyone holding the master key may add themselves, at level 0: Signal's group link (which
   * carries the master key; access `addFromInviteLink`), the analogue of a public room.
   */
  joinByLink: boolean;
}

export const DEFAULT_ACCESS: AccessControl = { add: 0, remove: 50, changeLevels: 100, joinByLink: false };

/** What the server stores for a group. It sees ciphertexts and levels, never user IDs. */
export interface GroupRecord {
  groupId: string;
  access: AccessControl;
  /** Entry (hex) to power level, in the order the server lists them. */
  entries: Map<EntryHex, number>;
  /** Entries an honest server refuses to add again (a ban). */
  banned: Set<EntryHex>;
  /** Every entry the server has ever stored: what a malicious server can replay. */
  seen: Set<EntryHex>;
}

export type Refusal =
  | "unknown_group"
  | "not_a_member"
  | "insufficient_level"
  | "banned"
  | "already_member"
  | "not_found";
export type ServerResult = { ok: true } | { ok: false; refusal: Refusal };

const refuse = (refusal: Refusal): ServerResult => ({ ok: false, refusal });

/**
 * The group storage service. An honest server enforces `access` on every request; a malicious
 * one (`enforce: false`, or its `insert`/`delete` methods) does whatever it likes to the list.
 */
export class PgsServer {
  readonly groups = new Map<string, GroupRecord>();

  constructor(readonly enforce = true) {}

  createGroup(groupId: string, creatorEntry: Uint8Array, creatorLevel = 100, access = DEFAULT_ACCESS): ServerResult {
    if (this.groups.has(groupId)) return refuse("already_member");
    const e = bytesToHex(creatorEntry);
    this.groups.set(groupId, {
      groupId,
      access,
      entries: new Map([[e, creatorLevel]]),
      banned: new Set(),
      seen: new Set([e]),
    });
    return { ok: true };
  }

  /** The member list the server serves, in its order. */
  list(groupId: string): Uint8Array[] {
    return [...(this.groups.get(groupId)?.entries.keys() ?? [])].map(hexToBytes);
  }

  levelOf(groupId: string, entry: Uint8Array): number | undefined {
    return this.groups.get(groupId)?.entries.get(bytesToHex(entry));
  }

  /** `requester` (their own entry, as their credential presentation proves) adds `entry`. */
  add(groupId: string, requester: Uint8Array, entry: Uint8Array, level = 0): ServerResult {
    const g = this.groups.get(groupId);
    if (!g) return refuse("unknown_group");
    const e = bytesToHex(entry);
    if (this.enforce) {
      const r = g.entries.get(bytesToHex(requester));
      const byLink = g.access.joinByLink && bytesToHex(requester) === e && level === 0;
      if (r === undefined && !byLink) return refuse("not_a_member");
      if (!byLink && (r! < g.access.add || level > r!)) return refuse("insufficient_level");
      if (g.banned.has(e)) return refuse("banned");
      if (g.entries.has(e)) return refuse("already_member");
    }
    g.entries.set(e, level);
    g.seen.add(e);
    return { ok: true };
  }

  /** `requester` removes `entry` (themselves: a leave); `ban` also refuses the entry later. */
  remove(groupId: string, requester: Uint8Array, entry: Uint8Array, ban = false): ServerResult {
    const g = this.groups.get(groupId);
    if (!g) return refuse("unknown_group");
    const e = bytesToHex(entry);
    const self = bytesToHex(requester) === e;
    if (this.enforce) {
      const r = g.entries.get(bytesToHex(requester));
      const t = g.entries.get(e);
      if (r === undefined) return refuse("not_a_member");
      if (t === undefined && !ban) return refuse("not_found");
      if (!self && (r < g.access.remove || (t !== undefined && t >= r))) return refuse("insufficient_level");
    }
    g.entries.delete(e);
    if (ban) g.banned.add(e);
    return { ok: true };
  }

  /** `requester` sets `entry`'s level (Matrix's rules: not above one's own, nor for a peer or superior). */
  setLevel(groupId: string, requester: Uint8Array, entry: Uint8Array, level: number): ServerResult {
    const g = this.groups.get(groupId);
    if (!g) return refuse("unknown_group");
    const e = bytesToHex(entry);
    const t = g.entries.get(e);
    if (t === undefined) return refuse("not_found");
    if (this.enforce) {
      const r = g.entries.get(bytesToHex(requester));
      if (r === undefined) return refuse("not_a_member");
      const self = bytesToHex(requester) === e;
      if (r < g.access.changeLevels || level > r || (!self && t >= r)) return refuse("insufficient_level");
    }
    g.entries.set(e, level);
    return { ok: true };
  }

  /** The access-control settings (Matrix: power levels and join rule), changed at `changeLevels`. */
  setAccess(groupId: string, requester: Uint8Array, access: AccessControl): ServerResult {
    const g = this.groups.get(groupId);
    if (!g) return refuse("unknown_group");
    if (this.enforce) {
      const r = g.entries.get(bytesToHex(requester));
      if (r === undefined) return refuse("not_a_member");
      if (r < g.access.changeLevels) return refuse("insufficient_level");
    }
    g.access = { ...access };
    return { ok: true };
  }

  /** The adversary's write: store any bytes as an entry, with no check. */
  insert(groupId: string, entry: Uint8Array, level = 0): void {
    const g = this.groups.get(groupId);
    if (!g) return;
    g.entries.set(bytesToHex(entry), level);
    g.seen.add(bytesToHex(entry));
  }

  /** The adversary's delete: drop an entry from the list it serves, with no check. */
  delete(groupId: string, entry: Uint8Array): void {
    this.groups.get(groupId)?.entries.delete(bytesToHex(entry));
  }

  /** The adversary's replay: every entry this group has ever had, current or not. */
  replayable(groupId: string): Uint8Array[] {
    return [...(this.groups.get(groupId)?.seen ?? [])].map(hexToBytes);
  }
}

/** What a client makes of the list the server serves. */
export interface MemberView {
  /** The user IDs whose entries decrypt, in list order, each once. */
  members: string[];
  /** Entries that did not decrypt under the group key: tampering, or a bug. Clients skip them. */
  undecryptable: EntryHex[];
  /** Entries that decrypted to a user already listed (impossible from an honest server). */
  duplicates: EntryHex[];
}

/**
 * Policy: a client accepts every entry that decrypts under its group key, as Signal's clients do:
 * a valid entry is proof only that some master-key holder made it, not that an authorised member
 * added it, nor that it is still current. Entries that do not decrypt are skipped and reported,
 * so a model can raise an alarm on them.
 */
export function viewMembers(secrets: GroupSecrets, list: readonly Uint8Array[]): MemberView {
  const members: string[] = [];
  const undecryptable: EntryHex[] = [];
  const duplicates: EntryHex[] = [];
  const cipher = aessiv(secrets.entryKey, utf8ToBytes(secrets.groupId));
  for (const entry of list) {
    const user = decryptWith(cipher, entry);
    if (user === undefined) undecryptable.push(bytesToHex(entry));
    else if (members.includes(user)) duplicates.push(bytesToHex(entry));
    else members.push(user);
  }
  return { members, undecryptable, duplicates };
}

/** A device a message may go to; the adapter fills it from the world's device lists. */
export interface PgsDevice {
  user: string;
  device: string;
}

/**
 * The devices a PGS client sends room messages to: every device listed for every accepted member,
 * that `trustDevice` admits. PGS itself says nothing about devices: Signal binds them to the
 * account's identity key (signed pre-keys), which is the adapter's `trustDevice`.
 */
export function messageRecipients(
  view: MemberView,
  devicesOf: (user: string) => readonly PgsDevice[],
  trustDevice: (d: PgsDevice) => boolean = () => true,
): PgsDevice[] {
  return view.members.flatMap((u) => devicesOf(u).filter((d) => d.user === u && trustDevice(d)));
}
