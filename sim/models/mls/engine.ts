/**
 * The engine of the `mls` model: RFC 9420 groups with ts-mls, one group state per device.
 *
 * - Membership changes only by Commits of members, carrying Add and Remove proposals (RFC 9420
 *   §12.4), which every device checks against the room policy in the GroupContext
 *   (`room-policy.ts`) in ts-mls's `processMessage` callback.
 * - The homeserver is the Delivery Service (RFC 9420 §16, and RFC 9750): it orders and relays
 *   bytes. A malicious one may withhold, reorder, fork, replay, inject external proposals, and
 *   relay GroupInfo for external joins; it has no member's keys.
 * - Room messages are MLS application messages. A breach is a device outside the legitimate set
 *   decrypting one; `receive` says what each device read.
 *
 * The library's facts this engine is built around (shared/notes/real-libraries.md):
 * - a rejected Commit forks the group, because its committer has moved on: a device keeps its
 *   Commit's result as `pending` until the Delivery Service hands the Commit back, in order;
 * - old epochs' keys are kept for 4 epochs, so a removed member's application messages are still
 *   accepted: `retainOldEpochs: false` clears them after each Commit;
 * - external "add" proposals are accepted by default: `externalProposals` decides.
 */
import {
  type ClientState,
  type CiphersuiteImpl,
  type GroupInfo,
  type IncomingMessageCallback,
  type KeyPackage,
  type MLSMessage,
  type PrivateKeyPackage,
  type PrivateMessage,
  type PublicMessage,
  type Proposal,
  type RatchetTree,
  acceptAll,
  createApplicationMessage,
  createCommit,
  createGroup,
  createGroupInfoWithExternalPubAndRatchetTree,
  createProposal,
  decodeMlsMessage,
  defaultLifetime,
  emptyPskIndex,
  encodeMlsMessage,
  generateKeyPackageWithKey,
  joinGroup,
  joinGroupExternal,
  processMessage,
  proposeAddExternal,
  proposeExternal,
  encodeExternalSender,
} from "ts-mls";
import { unprotectPrivateMessage } from "ts-mls/messageProtection.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { equalBytes } from "@noble/ciphers/utils.js";
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js";
import {
  type CheckedProposal,
  type DeviceIdentity,
  ROOM_POLICY_EXTENSION,
  type RoomPolicy,
  checkCommit,
  decodeIdentity,
  decodeRoomPolicy,
  encodeIdentity,
  encodeRoomPolicy,
} from "./room-policy.ts";
import { nodeBackend } from "../../core/ed25519.ts";
import { type RandomSource, SUITE_NAME, seededSuite } from "./suite.ts";

export type { RandomSource } from "./suite.ts";

/** The choices the report shows both ways. */
export interface MlsPolicy {
  /**
   * Policy: external "add" proposals (RFC 9420 §12.1.8, sender `new_member_proposal`) are allowed
   * by MLS and accepted by ts-mls by default. `reject` refuses them: only members add members.
   */
  externalProposals: "accept" | "reject";
  /** `enforce`: the room policy is checked on every Commit; `library-default`: anyone adds anyone. */
  powerLevels: "enforce" | "library-default";
  /** Keep old epochs' receiver keys (ts-mls: 4 epochs), or clear them after each Commit. */
  retainOldEpochs: boolean;
}

export const DEFAULT_POLICY: MlsPolicy = {
  externalProposals: "reject",
  powerLevels: "enforce",
  retainOldEpochs: false,
};

/** RFC 9420's Authentication Service: does this signature key belong to that user's device? */
export type AuthenticationService = (id: DeviceIdentity, signaturePublicKey: Uint8Array) => boolean;

export interface MlsAlarm {
  /** `behind`: a message from a later epoch (withheld Commits, or a fork); `fork`: two Commits for one epoch. */
  cause: "behind" | "fork" | "undecryptable" | "rejected-commit" | "rejected-proposal";
  epoch: bigint;
  detail: string;
}

export type Received =
  | { kind: "application"; epoch: bigint; sender: DeviceIdentity; text: string }
  | { kind: "commit"; outcome: "applied" | "own"; epoch: bigint }
  | { kind: "commit"; outcome: "rejected"; epoch: bigint; reason: string }
  | { kind: "proposal"; outcome: "stored" | "rejected"; reason?: string }
  | { kind: "welcome"; outcome: "joined"; epoch: bigint }
  | { kind: "ignored"; reason: string }
  | { kind: "error"; reason: string };

export interface Member extends DeviceIdentity {
  leaf: number;
}

const CAPABILITIES = {
  versions: ["mls10" as const],
  ciphersuites: [SUITE_NAME],
  extensions: [ROOM_POLICY_EXTENSION],
  proposals: [],
  credentials: ["basic" as const],
};

export function encodeMessage(m: MLSMessage): Uint8Array {
  return encodeMlsMessage(m);
}

/** The MLS message in untrusted bytes, or undefined (ts-mls's decoder, kept from throwing). */
export function decodeMessage(bytes: Uint8Array): MLSMessage | undefined {
  try {
    const d = decodeMlsMessage(bytes, 0);
    return d && d[1] === bytes.length ? d[0] : undefined;
  } catch {
    return undefined;
  }
}

/** The epoch and kind a Delivery Service reads from a message's clear header, as real ones do. */
export function peek(
  bytes: Uint8Array,
): { groupId: string; epoch: bigint; contentType: string; wireformat: string } | undefined {
  const m = decodeMessage(bytes);
  if (!m) return undefined;
  if (m.wireformat === "mls_private_message") {
    const p = m.privateMessage;
    return {
      groupId: new TextDecoder().decode(p.groupId),
      epoch: p.epoch,
      contentType: p.contentType,
      wireformat: m.wireformat,
    };
  }
  if (m.wireformat === "mls_public_message") {
    const c = m.publicMessage.content;
    return {
      groupId: new TextDecoder().decode(c.groupId),
      epoch: c.epoch,
      contentType: c.contentType,
      wireformat: m.wireformat,
    };
  }
  return { groupId: "", epoch: -1n, contentType: "", wireformat: m.wireformat };
}

const digest = (b: Uint8Array) => bytesToHex(sha256(b));

function roomPolicyOf(state: ClientState): RoomPolicy | undefined {
  const ext = state.groupContext.extensions.find((e) => e.extensionType === ROOM_POLICY_EXTENSION);
  return ext ? decodeRoomPolicy(ext.extensionData) : undefined;
}

function leafIdentity(state: ClientState, leaf: number | undefined): DeviceIdentity | undefined {
  return leafIdentityIn(state.ratchetTree, leaf);
}

function leafIdentityIn(tree: RatchetTree, leaf: number | undefined): DeviceIdentity | undefined {
  if (leaf === undefined) return undefined;
  const node = tree[2 * leaf];
  if (node?.nodeType !== "leaf" || node.leaf.credential.credentialType !== "basic") return undefined;
  return decodeIdentity(node.leaf.credential.identity);
}

/** The device an external Commit (sender `new_member_commit`) adds: the leaf in its UpdatePath. */
function externalJoiner(pm: PublicMessage): { id: DeviceIdentity | undefined; key: Uint8Array } | undefined {
  const c = pm.content;
  if (c.sender.senderType !== "new_member_commit" || c.contentType !== "commit" || !c.commit.path) return undefined;
  const leaf = c.commit.path.leafNode;
  const id = leaf.credential.credentialType === "basic" ? decodeIdentity(leaf.credential.identity) : undefined;
  return { id, key: leaf.signaturePublicKey };
}

function kpIdentity(kp: KeyPackage): DeviceIdentity | undefined {
  const c = kp.leafNode.credential;
  return c.credentialType === "basic" ? decodeIdentity(c.identity) : undefined;
}

/** One device: its keys, its own group state, and what it has seen. */
export class MlsDevice {
  state: ClientState | undefined;
  /** The result of this device's own Commit, until the Delivery Service hands the Commit back. */
  pending: { digest: string; state: ClientState } | undefined;
  readonly alarms: MlsAlarm[] = [];
  /** The Commit this device applied to leave each epoch (digest), to tell a fork from a replay. */
  private readonly applied = new Map<bigint, string>();
  private readonly keyPackages = new Map<string, { pub: KeyPackage; priv: PrivateKeyPackage }>();

  private constructor(
    readonly id: DeviceIdentity,
    readonly cs: CiphersuiteImpl,
    private readonly signature: { signKey: Uint8Array; publicKey: Uint8Array },
    readonly policy: MlsPolicy,
    private readonly authenticate: AuthenticationService,
  ) {}

  /**
   * A device. `signing` is an existing Ed25519 key (a Matrix device's, so that the adapter's
   * Authentication Service can be cross-signing: the leaf key is the device key the SSK signs);
   * without it the device draws a fresh one.
   */
  static async create(
    random: RandomSource,
    id: DeviceIdentity,
    policy: MlsPolicy = DEFAULT_POLICY,
    authenticate: AuthenticationService = () => true,
    signing?: { seed: Uint8Array; publicKey: Uint8Array },
  ): Promise<MlsDevice> {
    const cs = await seededSuite(random, `${id.user}/${id.device}`);
    if (signing && !equalBytes(nodeBackend.publicKeyFromSeed(signing.seed), signing.publicKey)) {
      throw new Error("mls: the signing key's public half does not match its seed");
    }
    const signature = signing
      ? { signKey: Uint8Array.from(signing.seed), publicKey: signing.publicKey }
      : await cs.signature.keygen();
    return new MlsDevice(id, cs, signature, policy, authenticate);
  }

  get signaturePublicKey(): Uint8Array {
    return this.signature.publicKey;
  }

  epoch(): bigint | undefined {
    return this.state?.groupContext.epoch;
  }

  /** Whether this device has processed a Commit removing it (ts-mls then refuses to send). */
  removed(): boolean {
    return this.state?.groupActiveState.kind === "removedFromGroup";
  }

  roomPolicy(): RoomPolicy | undefined {
    return this.state ? roomPolicyOf(this.state) : undefined;
  }

  /** The devices of this device's group state: who it encrypts to, and who can read what it sends. */
  members(): Member[] {
    const s = this.state;
    if (!s) return [];
    const out: Member[] = [];
    for (let leaf = 0; 2 * leaf < s.ratchetTree.length; leaf++) {
      const id = leafIdentity(s, leaf);
      if (id) out.push({ ...id, leaf });
    }
    return out;
  }

  /** A fresh KeyPackage (single use, RFC 9420 §10), as bytes for the Delivery Service to hold. */
  async newKeyPackage(): Promise<Uint8Array> {
    const credential = { credentialType: "basic" as const, identity: encodeIdentity(this.id) };
    const kp = await generateKeyPackageWithKey(credential, CAPABILITIES, defaultLifetime, [], this.signature, this.cs);
    this.keyPackages.set(digest(kp.publicPackage.initKey), { pub: kp.publicPackage, priv: kp.privatePackage });
    return encodeMessage({ version: "mls10", wireformat: "mls_key_package", keyPackage: kp.publicPackage });
  }

  async createGroup(groupId: string, policy: RoomPolicy): Promise<void> {
    const kp = decodeMessage(await this.newKeyPackage());
    if (kp?.wireformat !== "mls_key_package") throw new Error("mls: own KeyPackage does not decode");
    const own = this.keyPackages.get(digest(kp.keyPackage.initKey))!;
    const ext = [{ extensionType: ROOM_POLICY_EXTENSION, extensionData: encodeRoomPolicy(policy) }];
    this.state = await createGroup(utf8ToBytes(groupId), own.pub, own.priv, ext, this.cs);
  }

  /**
   * A Commit with these proposals (and any stored proposals the library bundles). The result waits
   * in `pending` until the Delivery Service hands the Commit back (`receive`), or `abandon`.
   */
  async commit(change: {
    add?: Uint8Array[];
    remove?: DeviceIdentity[];
    policy?: RoomPolicy;
  }): Promise<{ commit: Uint8Array; welcome?: Uint8Array }> {
    const state = this.requireState();
    const proposals: Proposal[] = [];
    for (const bytes of change.add ?? []) {
      const m = decodeMessage(bytes);
      if (m?.wireformat !== "mls_key_package") throw new Error("mls: not a KeyPackage");
      const id = kpIdentity(m.keyPackage);
      if (!id || !this.authenticate(id, m.keyPackage.leafNode.signaturePublicKey)) {
        throw new Error("mls: the authentication service refuses this KeyPackage");
      }
      proposals.push({ proposalType: "add", add: { keyPackage: m.keyPackage } });
    }
    for (const who of change.remove ?? []) {
      const leaf = this.members().find((m) => m.user === who.user && m.device === who.device)?.leaf;
      if (leaf === undefined) throw new Error(`mls: ${who.user}/${who.device} is not in the group`);
      proposals.push({ proposalType: "remove", remove: { removed: leaf } });
    }
    if (change.policy) {
      const ext = [{ extensionType: ROOM_POLICY_EXTENSION, extensionData: encodeRoomPolicy(change.policy) }];
      proposals.push({ proposalType: "group_context_extensions", groupContextExtensions: { extensions: ext } });
    }
    const r = await createCommit(
      { state, cipherSuite: this.cs },
      { extraProposals: proposals, ratchetTreeExtension: true },
    );
    const commit = encodeMessage(r.commit);
    this.pending = { digest: digest(commit), state: r.newState };
    const welcome = r.welcome
      ? encodeMessage({ version: "mls10", wireformat: "mls_welcome", welcome: r.welcome })
      : undefined;
    return welcome ? { commit, welcome } : { commit };
  }

  /** The Delivery Service refused this device's Commit: its state stays where it was. */
  abandon(): void {
    this.pending = undefined;
  }

  /** A GroupInfo with the external public key (RFC 9420 §12.4.3), for external joins. */
  async groupInfo(): Promise<Uint8Array> {
    const gi = await createGroupInfoWithExternalPubAndRatchetTree(this.requireState(), [], this.cs);
    return encodeMessage({ version: "mls10", wireformat: "mls_group_info", groupInfo: gi });
  }

  /** Join by an external Commit on a published GroupInfo; the Commit waits like any other. */
  async joinExternal(groupInfo: Uint8Array): Promise<Uint8Array> {
    const gi = decodeMessage(groupInfo);
    if (gi?.wireformat !== "mls_group_info") throw new Error("mls: not a GroupInfo");
    const kp = decodeMessage(await this.newKeyPackage());
    if (kp?.wireformat !== "mls_key_package") throw new Error("mls: own KeyPackage does not decode");
    const own = this.keyPackages.get(digest(kp.keyPackage.initKey))!;
    const r = await joinGroupExternal(gi.groupInfo, own.pub, own.priv, false, this.cs);
    const commit = encodeMessage({
      version: "mls10",
      wireformat: "mls_public_message",
      publicMessage: r.publicMessage,
    });
    this.pending = { digest: digest(commit), state: r.newState };
    return commit;
  }

  /**
   * An external proposal to add this device (sender `new_member_proposal`), to a group it knows
   * only by ID and epoch: the GroupInfo that ts-mls asks for is built from those two, since a
   * `new_member_proposal` signs neither the tree hash nor the transcript (RFC 9420 §6.1).
   */
  async proposeSelf(target: { groupId: string; epoch: bigint }): Promise<Uint8Array> {
    const kp = decodeMessage(await this.newKeyPackage());
    if (kp?.wireformat !== "mls_key_package") throw new Error("mls: own KeyPackage does not decode");
    const own = this.keyPackages.get(digest(kp.keyPackage.initKey))!;
    const groupContext = {
      version: "mls10" as const,
      cipherSuite: SUITE_NAME,
      groupId: utf8ToBytes(target.groupId),
      epoch: target.epoch,
      treeHash: new Uint8Array(),
      confirmedTranscriptHash: new Uint8Array(),
      extensions: [],
    };
    const groupInfo = { groupContext } as unknown as GroupInfo; // only groupContext is read
    return encodeMessage(await proposeAddExternal(groupInfo, own.pub, own.priv, this.cs));
  }

  /**
   * A leave: RFC 9420 does not let a Commit remove its own committer (§12.2), so the leaver
   * proposes its own removal and any member's next Commit carries it.
   */
  async proposeLeave(): Promise<Uint8Array> {
    const state = this.requireState();
    const own = this.members().find((m) => m.user === this.id.user && m.device === this.id.device);
    if (!own) throw new Error("mls: own leaf not found");
    const r = await createProposal(state, false, { proposalType: "remove", remove: { removed: own.leaf } }, this.cs);
    this.state = r.newState;
    return encodeMessage(r.message);
  }

  /**
   * A proposal as an "external sender" (RFC 9420 §12.1.8.1), signed with this device's key, which
   * the GroupInfo it builds claims is listed in the group's `external_senders`. Receivers look the
   * sender up in their own GroupContext: what a DS tries when it forges a member's leave.
   */
  async proposeAsExternalSender(target: { groupId: string; epoch: bigint }, proposal: Proposal): Promise<Uint8Array> {
    const sender = {
      signaturePublicKey: this.signature.publicKey,
      credential: { credentialType: "basic" as const, identity: encodeIdentity(this.id) },
    };
    const groupContext = {
      version: "mls10" as const,
      cipherSuite: SUITE_NAME,
      groupId: utf8ToBytes(target.groupId),
      epoch: target.epoch,
      treeHash: new Uint8Array(),
      confirmedTranscriptHash: new Uint8Array(),
      extensions: [{ extensionType: "external_senders" as const, extensionData: encodeExternalSender(sender) }],
    };
    const groupInfo = { groupContext } as unknown as GroupInfo; // only groupContext is read
    const m = await proposeExternal(groupInfo, proposal, this.signature.publicKey, this.signature.signKey, this.cs);
    return encodeMessage(m);
  }

  /** An MLS application message in the current epoch. */
  async send(text: string): Promise<Uint8Array> {
    const r = await createApplicationMessage(this.requireState(), utf8ToBytes(text), this.cs);
    this.state = r.newState;
    return encodeMessage({ version: "mls10", wireformat: "mls_private_message", privateMessage: r.privateMessage });
  }

  /** Whatever the Delivery Service hands this device. Never throws on untrusted bytes. */
  async receive(bytes: Uint8Array): Promise<Received> {
    try {
      return await this.receiveUnchecked(bytes);
    } catch (e) {
      return { kind: "error", reason: e instanceof Error ? e.message : String(e) };
    }
  }

  private async receiveUnchecked(bytes: Uint8Array): Promise<Received> {
    const d = digest(bytes);
    if (this.pending?.digest === d) {
      const from = this.pending.state;
      const epoch = this.state?.groupContext.epoch ?? -1n;
      this.applied.set(epoch, d);
      this.state = this.afterCommit(from);
      this.pending = undefined;
      return { kind: "commit", outcome: "own", epoch: this.state.groupContext.epoch };
    }
    const m = decodeMessage(bytes);
    if (!m) return { kind: "error", reason: "not an MLS message" };
    if (m.wireformat === "mls_welcome") return this.receiveWelcome(m.welcome);
    if (m.wireformat !== "mls_private_message" && m.wireformat !== "mls_public_message") {
      return { kind: "ignored", reason: m.wireformat };
    }
    const state = this.state;
    if (!state) return { kind: "ignored", reason: "not in a group" };
    const head = peek(bytes)!;
    const mine = state.groupContext.epoch;
    if (head.contentType === "commit" && head.epoch < mine) {
      const seen = this.applied.get(head.epoch);
      if (seen !== undefined && seen !== d) {
        this.alarms.push({
          cause: "fork",
          epoch: head.epoch,
          detail: "a second Commit for an epoch this device already left",
        });
      }
      // The library refuses it too (wrong epoch); the engine says why without asking it.
      return {
        kind: "commit",
        outcome: "rejected",
        epoch: mine,
        reason: seen === d ? "replay of an applied Commit" : "Commit for a past epoch",
      };
    }
    if (head.epoch > mine) {
      this.alarms.push({
        cause: "behind",
        epoch: head.epoch,
        detail: `a ${head.contentType} from epoch ${head.epoch}; this device is at ${mine}`,
      });
      return { kind: "error", reason: `message from a later epoch (${head.epoch} > ${mine})` };
    }
    if (head.contentType === "commit" && this.pending) this.pending = undefined; // another Commit won this epoch

    if (m.wireformat === "mls_private_message" && head.contentType === "application")
      return this.receiveApplication(m.privateMessage, state);

    let verdict: { ok: true } | { ok: false; reason: string } = { ok: true };
    const joiner = m.wireformat === "mls_public_message" ? externalJoiner(m.publicMessage) : undefined;
    const callback: IncomingMessageCallback = (incoming) => {
      verdict = this.judge(state, incoming, joiner);
      return verdict.ok ? "accept" : "reject";
    };
    let r: Awaited<ReturnType<typeof processMessage>>;
    try {
      r = await processMessage(m, state, emptyPskIndex, callback, this.cs);
    } catch (e) {
      return { kind: "error", reason: e instanceof Error ? e.message : String(e) };
    }
    if (r.kind === "applicationMessage") return { kind: "error", reason: "an application message in a public message" };
    const v = verdict as { ok: true } | { ok: false; reason: string };
    if (head.contentType === "commit") {
      if (r.actionTaken === "reject" || !v.ok) {
        const reason = v.ok ? "rejected" : v.reason;
        this.alarms.push({ cause: "rejected-commit", epoch: mine, detail: reason });
        return { kind: "commit", outcome: "rejected", epoch: mine, reason };
      }
      this.applied.set(mine, d);
      this.state = this.afterCommit(r.newState);
      return { kind: "commit", outcome: "applied", epoch: this.state.groupContext.epoch };
    }
    if (r.actionTaken === "reject" || !v.ok) {
      const reason = v.ok ? "rejected" : v.reason;
      this.alarms.push({ cause: "rejected-proposal", epoch: mine, detail: reason });
      return { kind: "proposal", outcome: "rejected", reason };
    }
    this.state = r.newState;
    return { kind: "proposal", outcome: "stored" };
  }

  private async receiveWelcome(welcome: import("ts-mls").Welcome): Promise<Received> {
    if (this.state) return { kind: "ignored", reason: "already in a group" };
    for (const { pub, priv } of this.keyPackages.values()) {
      try {
        const s = await joinGroup(welcome, pub, priv, emptyPskIndex, this.cs);
        // Policy: a Welcome is trusted as far as the library checks it (signed GroupInfo, tree
        // hash); the room policy in it is checked for being there, not re-derived from history.
        if (!roomPolicyOf(s)) return { kind: "error", reason: "welcome into a group with no room policy" };
        this.state = this.afterCommit(s);
        return { kind: "welcome", outcome: "joined", epoch: s.groupContext.epoch };
      } catch {
        /* not for this KeyPackage */
      }
    }
    return { kind: "error", reason: "welcome for none of this device's KeyPackages" };
  }

  /** The policy check on an incoming Commit or proposal, against the state before it. */
  private judge(
    state: ClientState,
    incoming: Parameters<IncomingMessageCallback>[0],
    joiner: { id: DeviceIdentity | undefined; key: Uint8Array } | undefined,
  ): { ok: true } | { ok: false; reason: string } {
    const subjectOf = (p: Proposal): DeviceIdentity | undefined =>
      p.proposalType === "add"
        ? kpIdentity(p.add.keyPackage)
        : p.proposalType === "remove"
          ? leafIdentity(state, p.remove.removed)
          : undefined;
    const authentic = (p: Proposal): boolean => {
      if (p.proposalType !== "add") return true;
      const id = kpIdentity(p.add.keyPackage);
      return id !== undefined && this.authenticate(id, p.add.keyPackage.leafNode.signaturePublicKey);
    };
    if (incoming.kind === "proposal") {
      const p = incoming.proposal;
      if (!authentic(p.proposal)) return { ok: false, reason: "the authentication service refuses the KeyPackage" };
      if (p.senderLeafIndex === undefined && this.policy.externalProposals === "reject") {
        return { ok: false, reason: "external proposal refused by policy" };
      }
      return { ok: true };
    }
    if (joiner && !(joiner.id && this.authenticate(joiner.id, joiner.key))) {
      return { ok: false, reason: "the authentication service refuses the external joiner" };
    }
    for (const p of incoming.proposals) {
      if (!authentic(p.proposal))
        return { ok: false, reason: "the authentication service refuses an added KeyPackage" };
      if (
        p.senderLeafIndex === undefined &&
        p.proposal.proposalType === "add" &&
        this.policy.externalProposals === "reject"
      ) {
        return { ok: false, reason: "an external add proposal, refused by policy" };
      }
    }
    if (this.policy.powerLevels === "library-default")
      return acceptAll(incoming) === "accept" ? { ok: true } : { ok: false, reason: "library" };
    const before = roomPolicyOf(state);
    if (!before) return { ok: false, reason: "no room policy in this epoch" };
    const externalCommit = incoming.proposals.some((p) => p.proposal.proposalType === "external_init");
    let committer = leafIdentity(state, incoming.senderLeafIndex);
    if (externalCommit) committer = joiner?.id; // the joiner: its leaf is not in the old tree
    const checked: CheckedProposal[] = incoming.proposals.map((p) => ({
      proposal: p.proposal,
      proposer: p.senderLeafIndex === undefined ? undefined : leafIdentity(state, p.senderLeafIndex),
      subject: subjectOf(p.proposal),
    }));
    return checkCommit(before, committer, checked, (p) => {
      if (p.proposalType !== "group_context_extensions") return "absent";
      const ext = p.groupContextExtensions.extensions.find((e) => e.extensionType === ROOM_POLICY_EXTENSION);
      return ext ? decodeRoomPolicy(ext.extensionData) : "absent";
    });
  }

  /**
   * An application message: ts-mls's own `unprotectPrivateMessage` (decrypt, check the sender's
   * signature against its leaf), with the receiver data of the current epoch or of a retained past
   * one, exactly as `processPrivateMessage` chooses them, so the sender's leaf is known.
   */
  private async receiveApplication(pm: PrivateMessage, state: ClientState): Promise<Received> {
    const mine = state.groupContext.epoch;
    const past = pm.epoch < mine ? state.historicalReceiverData.get(pm.epoch) : undefined;
    if (pm.epoch < mine && !past)
      return { kind: "error", reason: `message from epoch ${pm.epoch}, whose keys this device dropped` };
    const data = past
      ? { sds: past.senderDataSecret, tree: past.secretTree, ratchet: past.ratchetTree, ctx: past.groupContext }
      : {
          sds: state.keySchedule.senderDataSecret,
          tree: state.secretTree,
          ratchet: state.ratchetTree,
          ctx: state.groupContext,
        };
    let r: Awaited<ReturnType<typeof unprotectPrivateMessage>>;
    try {
      r = await unprotectPrivateMessage(
        data.sds,
        pm,
        data.tree,
        data.ratchet,
        data.ctx,
        state.clientConfig.keyRetentionConfig,
        this.cs,
      );
    } catch (e) {
      const reason = e instanceof Error ? e.message : String(e);
      if (!past)
        this.alarms.push({
          cause: "undecryptable",
          epoch: mine,
          detail: `an application message of this epoch does not decrypt: ${reason}`,
        });
      return { kind: "error", reason };
    }
    const c = r.content.content;
    if (c.contentType !== "application" || c.sender.senderType !== "member")
      return { kind: "error", reason: "not a member's application message" };
    this.state = past
      ? {
          ...state,
          historicalReceiverData: new Map(state.historicalReceiverData).set(pm.epoch, { ...past, secretTree: r.tree }),
        }
      : { ...state, secretTree: r.tree };
    const sender = (past
      ? leafIdentityIn(past.ratchetTree, c.sender.leafIndex)
      : leafIdentity(state, c.sender.leafIndex)) ?? { user: "?", device: "?" };
    return { kind: "application", epoch: pm.epoch, sender, text: new TextDecoder().decode(c.applicationData) };
  }

  /** Policy: unless `retainOldEpochs`, a device drops the previous epochs' receiver keys after each Commit. */
  private afterCommit(s: ClientState): ClientState {
    return this.policy.retainOldEpochs ? s : { ...s, historicalReceiverData: new Map() };
  }

  private requireState(): ClientState {
    if (!this.state) throw new Error(`mls: ${this.id.user}/${this.id.device} is in no group`);
    return this.state;
  }
}

/**
 * What a malicious Delivery Service can make on its own: an external "add" proposal (RFC 9420
 * §12.1.8) for a device of its making (`newcomer`, whose keys it holds), with the group ID and
 * epoch it reads from the headers it relays. It needs no member's key: the proposal is signed by
 * the newcomer's own key.
 */
export function forgeExternalAdd(target: { groupId: string; epoch: bigint }, newcomer: MlsDevice): Promise<Uint8Array> {
  return newcomer.proposeSelf(target);
}
