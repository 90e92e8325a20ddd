/**
 * The signed state DAG of MSC3917 §Alternatives (DESIGN.md §7): every state event a client sends
 * carries, signed with the sender's RSK, its whole envelope (type, state key, sender, content),
 * the IDs of the heads of the sender's known state DAG (`prev_state`), and a claimed timestamp.
 * A node's ID is the hash of what was signed, so a client computes it and a server cannot answer
 * a look-up with another event.
 *
 * The block travels in `content.unsigned`, which MSC3917's content signatures leave out, so that
 * membership events keep their membership-tree signature and gain the DAG's on top:
 * `content.unsigned["org.matrix.msc3917.dag"] = { prev_state, ts, sender_key, signature }`.
 */
import { createHash } from "node:crypto";
import { decodeBase64, encodeBase64, encodeBase64Url } from "./base64.ts";
import { canonicalJsonBytes, isJsonObject, type JsonObject } from "./canonical-json.ts";
import { type CrossSigningKey, crossSigningPublicKey } from "./cross-signing.ts";
import { type Ed25519Backend, SIGNATURE_LENGTH, defaultBackend, signEd25519, verifyEd25519 } from "./ed25519.ts";
import type { RoomSigner } from "./events.ts";
import { type Result, fail, ok } from "./result.ts";

export const DAG_FIELD = "org.matrix.msc3917.dag";

export interface DagBlock {
  prev_state: string[];
  ts: number;
  sender_key: CrossSigningKey;
  signature: string;
}

/** A verified node: the event's envelope, its DAG block, its content-addressed ID and its RSK. */
export interface DagNode {
  id: string;
  type: string;
  state_key: string;
  sender: string;
  content: JsonObject;
  prev_state: string[];
  ts: number;
  rsk: Uint8Array;
  sender_key: CrossSigningKey;
}

export interface Envelope {
  type: string;
  state_key: string;
  sender: string;
  content: JsonObject;
}

function withoutUnsigned(content: JsonObject): JsonObject {
  const { unsigned: _u, ...rest } = content;
  return rest;
}

/** What the RSK signs, and what the node ID hashes. */
function signedPart(e: Envelope, prevState: readonly string[], ts: number, senderKey: CrossSigningKey): Uint8Array {
  return canonicalJsonBytes({
    type: e.type,
    state_key: e.state_key,
    sender: e.sender,
    content: withoutUnsigned(e.content),
    prev_state: [...prevState],
    ts,
    sender_key: senderKey,
  });
}

function idOf(bytes: Uint8Array): string {
  return `$${encodeBase64Url(new Uint8Array(createHash("sha256").update(bytes).digest()))}`;
}

/** Add a signed DAG block to an event's content. Returns the new content and the node's ID. */
export function signDagNode(
  e: Envelope,
  prevState: readonly string[],
  ts: number,
  signer: RoomSigner,
  backend: Ed25519Backend = defaultBackend(),
): { content: JsonObject; id: string } {
  const bytes = signedPart(e, prevState, ts, signer.rskCrossSigningKey);
  const block: DagBlock = {
    prev_state: [...prevState],
    ts,
    sender_key: signer.rskCrossSigningKey,
    signature: encodeBase64(signEd25519(signer.rsk, bytes, backend)),
  };
  const unsigned = (e.content.unsigned ?? {}) as JsonObject;
  return {
    content: { ...e.content, unsigned: { ...unsigned, [DAG_FIELD]: block as unknown as JsonObject } },
    id: idOf(bytes),
  };
}

/**
 * Read and check the DAG block of a state event from untrusted input. Checks the shape, that the
 * RSK in `sender_key` is the sender's and a usable key, and its signature over the envelope. Which
 * MSK that RSK belongs to, and whether the sender may do what the event does, is for resolution.
 * Never throws.
 */
export function readDagNode(event: unknown, backend: Ed25519Backend = defaultBackend()): Result<DagNode, string> {
  if (
    !isJsonObject(event) ||
    typeof event.type !== "string" ||
    typeof event.state_key !== "string" ||
    typeof event.sender !== "string" ||
    !isJsonObject(event.content)
  )
    return fail("not a state event");
  const content = event.content as JsonObject;
  const block = isJsonObject(content.unsigned) ? content.unsigned[DAG_FIELD] : undefined;
  if (!isJsonObject(block)) return fail("no DAG block");
  const { prev_state, ts, sender_key, signature } = block;
  if (
    !Array.isArray(prev_state) ||
    !prev_state.every((p) => typeof p === "string") ||
    !Number.isSafeInteger(ts) ||
    typeof signature !== "string"
  )
    return fail("malformed DAG block");
  const rsk = crossSigningPublicKey(sender_key, { userId: event.sender, usage: "room_signing" });
  if (!rsk.ok) return fail("sender_key is not the sender's RSK");
  const sig = decodeBase64(signature, { expectedLength: SIGNATURE_LENGTH });
  if (!sig.ok) return fail("malformed signature");
  let bytes: Uint8Array;
  try {
    bytes = signedPart(
      { type: event.type, state_key: event.state_key, sender: event.sender, content },
      prev_state as string[],
      ts as number,
      sender_key as CrossSigningKey,
    );
  } catch {
    return fail("not canonical JSON");
  }
  if (!verifyEd25519(sig.value, bytes, rsk.value, backend).ok) return fail("bad signature");
  return ok({
    id: idOf(bytes),
    type: event.type,
    state_key: event.state_key,
    sender: event.sender,
    content,
    prev_state: prev_state as string[],
    ts: ts as number,
    rsk: rsk.value,
    sender_key: sender_key as CrossSigningKey,
  });
}

/** The heads of a set of nodes: those no other node names in `prev_state`. Sorted, for determinism. */
export function headsOf(nodes: Iterable<DagNode>): string[] {
  const all = [...nodes];
  const referenced = new Set(all.flatMap((n) => n.prev_state));
  return all
    .filter((n) => !referenced.has(n.id))
    .map((n) => n.id)
    .sort();
}
