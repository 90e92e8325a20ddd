/**
 * `verifyMembershipParallel`: the membership verifier with its Ed25519 equations spread over
 * worker threads (DESIGN.md §11: ≥ 1.8× on 2 cores).
 *
 * How, and why the verdicts are the very ones `verifyMembership` gives (`speculateAsync`):
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
 *
 * The workers are kept between calls, as this thread keeps its key objects between calls, and do
 * not keep the process alive while no call is waiting on them. Each public key goes to one worker,
 * the least loaded when the call first meets it, so that each key object is made once.
 */
import { Worker } from "node:worker_threads";
import { type EquationChecker, nodeBackend, speculateAsync } from "./ed25519.ts";
import { type MembershipResult, type RoomView, type VerifyOptions, verifyMembership } from "./verify-membership.ts";

export interface ParallelOptions extends VerifyOptions {
  /** Worker threads to check equations on (default 1: no workers). */
  workers?: number;
}

/**
 * The worker: checks packed (key, signature, message) triples with node:crypto, as `nodeBackend`
 * does, keeping at most 2^18 key objects (as nodeBackend's own memo).
 */
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
    if (!key) {
      if (keys.size >= 1 << 18) keys.clear();
      key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" });
      keys.set(x, key);
    }
    let ok = false;
    try { ok = verify(null, msg, key, sig); } catch { ok = false; }
    out[i] = ok ? 1 : 0;
  }
  parentPort.postMessage({ id, out }, [out.buffer]);
});
`;

/** Equations per message to a worker. */
const BATCH = 256;

/** Workers kept between calls, with the requests each has not answered yet. */
class Pool {
  readonly workers: Worker[];
  private readonly waiting = new Map<number, { resolve: (out: Uint8Array) => void; reject: (e: unknown) => void }>();
  private nextId = 0;
  private calls = 0;
  broken = false;

  constructor(size: number) {
    this.workers = Array.from({ length: size }, () => new Worker(WORKER_SOURCE, { eval: true }));
    for (const w of this.workers) {
      w.unref();
      w.on("message", (m: { id: number; out: Uint8Array }) => {
        this.waiting.get(m.id)?.resolve(m.out);
        this.waiting.delete(m.id);
      });
      const fail = (e: unknown) => {
        this.broken = true;
        for (const p of this.waiting.values()) p.reject(e);
        this.waiting.clear();
      };
      w.on("error", fail);
      w.on("exit", (code) => fail(new Error(`verifyMembershipParallel: a worker exited (code ${code})`)));
    }
  }

  /** Keep the process alive while a call waits on the workers; let it exit when none does. */
  enter(): void {
    if (this.calls++ === 0) for (const w of this.workers) w.ref();
  }
  leave(): void {
    if (--this.calls === 0) for (const w of this.workers) w.unref();
  }

  check(worker: number, buf: ArrayBuffer): Promise<Uint8Array> {
    if (this.broken) return Promise.reject(new Error("verifyMembershipParallel: the worker pool has failed"));
    const id = this.nextId++;
    const answer = new Promise<Uint8Array>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    this.workers[worker]!.postMessage({ id, buf }, [buf]);
    return answer;
  }

  async close(): Promise<void> {
    this.broken = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

const pools = new Map<number, Pool>();

function poolOf(size: number): Pool {
  let pool = pools.get(size);
  if (pool === undefined || pool.broken) {
    pool = new Pool(size);
    pools.set(size, pool);
  }
  return pool;
}

/** Stop the kept workers (they are made again by the next call). For tests and orderly shutdowns. */
export async function closeVerifierWorkers(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((p) => p.close()));
}

/** The equations of one call, sent to the pool's workers in batches, one worker per public key. */
class WorkerChecker implements EquationChecker {
  private submitted = 0;
  /** Per worker: the open batch, and the submission index of each of its equations. */
  private readonly open: { batch: Triple[]; at: number[] }[];
  private readonly sent: { at: number[]; answer: Promise<Uint8Array> }[] = [];
  /**
   * Which worker checks each key, by key text.
   * Policy: a key the call has not met yet goes to the worker with the fewest equations so far, so
   * a room cannot steer every key onto one worker by the keys' bytes or their order; it can at
   * worst give one key most of the equations, which costs time, never a different answer.
   */
  private readonly workerOfKey = new Map<string, number>();
  /** Equations dealt to each worker so far. */
  private readonly load: number[];
  /** Submissions of the wrong lengths, answered "does not hold" here. */
  private readonly refused: number[] = [];

  constructor(private readonly pool: Pool) {
    this.open = pool.workers.map(() => ({ batch: [], at: [] }));
    this.load = pool.workers.map(() => 0);
  }

  submit(sig: Uint8Array, msg: Uint8Array, pub: Uint8Array): void {
    if (sig.length !== 64 || pub.length !== 32) {
      // Never sent: node:crypto refuses these lengths (verifyEd25519 refuses them before asking).
      this.refused.push(this.submitted++);
      return;
    }
    const text = Buffer.from(pub.buffer, pub.byteOffset, pub.byteLength).toString("latin1");
    let worker = this.workerOfKey.get(text);
    if (worker === undefined) {
      worker = 0;
      for (let w = 1; w < this.load.length; w++) if (this.load[w]! < this.load[worker]!) worker = w;
      this.workerOfKey.set(text, worker);
    }
    this.load[worker]!++;
    const open = this.open[worker]!;
    open.batch.push({ sig, msg, pub });
    open.at.push(this.submitted++);
    if (open.batch.length >= BATCH) this.send(worker);
  }

  private send(worker: number): void {
    const open = this.open[worker]!;
    if (open.batch.length === 0) return;
    this.sent.push({ at: open.at, answer: this.pool.check(worker, pack(open.batch)) });
    this.open[worker] = { batch: [], at: [] };
  }

  async settle(): Promise<Uint8Array> {
    for (let w = 0; w < this.open.length; w++) this.send(w);
    const answers = new Uint8Array(this.submitted);
    for (const { at, answer } of this.sent) {
      const out = await answer;
      for (let i = 0; i < at.length; i++) answers[at[i]!] = out[i]!;
    }
    for (const i of this.refused) answers[i] = 0;
    return answers;
  }
}

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
  const pool = poolOf(Math.floor(n));
  pool.enter();
  try {
    return await speculateAsync(nodeBackend, new WorkerChecker(pool), (b) =>
      verifyMembership(room, { ...rest, backend: b }),
    );
  } finally {
    pool.leave();
  }
}

/** 64-byte signatures and 32-byte keys only (WorkerChecker.submit keeps the others back). */
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
