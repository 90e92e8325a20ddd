/**
 * `verifyMembershipParallel`: the membership verifier with its Ed25519 equations spread over
 * worker threads (DESIGN.md §11: ≥ 1.8× on 2 cores).
 *
 * How, and why the verdicts are the very ones `verifyMembership` gives:
 * 1. The verifier runs once on this thread, synchronously, with a backend that answers every
 *    equation "valid" and ships it (signature, message, key) to a worker. Everything else, the
 *    strict key and signature-encoding checks included, runs as usual.
 * 2. The workers check the equations with node:crypto while that run goes on.
 * 3. If every equation was in fact valid, a run with the real backend would have asked the same
 *    questions and got the same answers, so its verdicts are those of step 1. If any was not,
 *    the verifier runs again with a backend that answers from the workers' results (compared on
 *    the exact message bytes) and checks anything else itself.
 * Only the `node` backend is spread this way; with another backend, or `workers` below 2, this is
 * `verifyMembership`.
 */
import { Worker } from "node:worker_threads";
import { CheckedEquations, type Ed25519Backend, nodeBackend } from "./ed25519.ts";
import { type MembershipResult, type RoomView, type VerifyOptions, verifyMembership } from "./verify-membership.ts";

export interface ParallelOptions extends VerifyOptions {
  /** Worker threads to check equations on (default 1: no workers). */
  workers?: number;
}

/** The worker: checks packed (key, signature, message) triples with node:crypto, as `nodeBackend` does. */
const WORKER_SOURCE = `
const { parentPort } = require("node:worker_threads");
const { createPublicKey, verify } = require("node:crypto");
const keys = new Map();
parentPort.on("message", ({ id, buf }) => {
  const b = Buffer.from(buf);
  const n = b.readUInt32LE(0);
  const out = new Uint8Array(n);
  let o = 4;
  for (let i = 0; i < n; i++) {
    const pub = b.subarray(o, o + 32); o += 32;
    const sig = b.subarray(o, o + 64); o += 64;
    const len = b.readUInt32LE(o); o += 4;
    const msg = b.subarray(o, o + len); o += len;
    const x = pub.toString("base64url");
    let key = keys.get(x);
    if (!key) { key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" }); keys.set(x, key); }
    let ok = false;
    try { ok = verify(null, msg, key, sig); } catch { ok = false; }
    out[i] = ok ? 1 : 0;
  }
  parentPort.postMessage({ id, out }, [out.buffer]);
});
`;

const BATCH = 256;

interface Triple {
  sig: Uint8Array;
  msg: Uint8Array;
  pub: Uint8Array;
}

/** Verify like `verifyMembership`, with the equations checked on `options.workers` threads. */
export async function verifyMembershipParallel(
  room: RoomView,
  options: ParallelOptions = {},
): Promise<MembershipResult> {
  const { workers: n = 1, ...rest } = options;
  const backend = rest.backend ?? nodeBackend;
  if (!(n >= 2) || backend !== nodeBackend) return verifyMembership(room, rest);
  const pool = Array.from({ length: Math.floor(n) }, () => new Worker(WORKER_SOURCE, { eval: true }));
  try {
    const triples: Triple[] = [];
    const pending: Promise<Uint8Array>[] = [];
    let batch: Triple[] = [];
    let next = 0;
    const waiting = new Map<number, { resolve: (out: Uint8Array) => void; reject: (e: unknown) => void }>();
    for (const w of pool) {
      w.on("message", (m: { id: number; out: Uint8Array }) => {
        waiting.get(m.id)?.resolve(m.out);
        waiting.delete(m.id);
      });
      w.on("error", (e) => {
        for (const p of waiting.values()) p.reject(e);
        waiting.clear();
      });
    }
    const send = () => {
      if (batch.length === 0) return;
      const worker = pool[next++ % pool.length]!;
      const buf = pack(batch);
      const id = pending.length;
      pending.push(new Promise<Uint8Array>((resolve, reject) => waiting.set(id, { resolve, reject })));
      worker.postMessage({ id, buf }, [buf]);
      batch = [];
    };
    const optimistic: Ed25519Backend = {
      ...nodeBackend,
      name: "optimistic",
      verifyEquation(sig, msg, pub) {
        if (sig.length !== 64 || pub.length !== 32) return nodeBackend.verifyEquation(sig, msg, pub);
        const t = { sig, msg, pub };
        triples.push(t);
        batch.push(t);
        if (batch.length >= BATCH) send();
        return true;
      },
    };
    const first = verifyMembership(room, { ...rest, backend: optimistic });
    send();
    const results = await Promise.all(pending);
    if (results.every((r) => r.every((x) => x === 1))) return first;
    // Some equation failed: verify again, answering from the workers' results.
    const answers = new CheckedEquations();
    let i = 0;
    for (const r of results) {
      for (const ok of r) {
        const t = triples[i++]!;
        answers.add(t.sig, t.msg, t.pub, ok === 1);
      }
    }
    return verifyMembership(room, { ...rest, backend: answers.answering(nodeBackend) });
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
}

function pack(batch: Triple[]): ArrayBuffer {
  let size = 4;
  for (const t of batch) size += 100 + t.msg.length;
  const out = Buffer.allocUnsafeSlow(size);
  out.writeUInt32LE(batch.length, 0);
  let o = 4;
  for (const t of batch) {
    out.set(t.pub, o);
    out.set(t.sig, o + 32);
    out.writeUInt32LE(t.msg.length, o + 96);
    out.set(t.msg, o + 100);
    o += 100 + t.msg.length;
  }
  return out.buffer as ArrayBuffer;
}
