/**
 * `npm run bench`: Ed25519 verification throughput of both backends, measured in one run, with
 * their ratio. Speed goals live here, never in timed tests (these machines are shared and noisy).
 *
 * Each backend verifies the same 512 distinct (key, message, signature) triples through
 * `verifyEd25519`, i.e. with the strict policy in front; "node raw" is bare `crypto.verify` on the
 * same KeyObjects, to show what the policy costs.
 */
import { verify as nodeVerify, createPublicKey } from "node:crypto";
import { type Ed25519Backend, nobleBackend, nodeBackend, verifyEd25519 } from "../sim/core/ed25519.ts";

const N = 512;
const seconds = Number(process.env.BENCH_SECONDS ?? 1);
const triples = Array.from({ length: N }, (_, i) => {
  const seed = new Uint8Array(32);
  seed[0] = i & 0xff;
  seed[1] = i >> 8;
  const message = new TextEncoder().encode(`{"membership":"join","n":${i}}`);
  const publicKey = nodeBackend.publicKeyFromSeed(seed);
  const keyObject = createPublicKey({
    key: { kty: "OKP", crv: "Ed25519", x: Buffer.from(publicKey).toString("base64url") },
    format: "jwk",
  });
  return { publicKey, keyObject, message, signature: nodeBackend.sign(seed, message) };
});

type Triple = (typeof triples)[number];

/**
 * Verifications per second of each contender. The contenders take turns in short slices, so
 * drift in the machine's speed (it is shared) falls on all of them alike.
 */
function measure(contenders: Record<string, (t: Triple) => boolean>): Record<string, number> {
  const names = Object.keys(contenders);
  const totals = Object.fromEntries(names.map((n) => [n, { count: 0, ns: 0n }]));
  for (const n of names)
    for (const t of triples) if (!contenders[n]!(t)) throw new Error(`${n}: benchmark triple did not verify`);
  const slice = 50_000_000n; // 50 ms
  const rounds = Math.max(1, Math.round((seconds * 1e9) / Number(slice)));
  for (let round = 0; round < rounds; round++) {
    for (const n of names) {
      const verifyOne = contenders[n]!;
      const total = totals[n]!;
      const start = process.hrtime.bigint();
      let elapsed = 0n;
      while (elapsed < slice) {
        for (let i = 0; i < 16; i++) {
          if (!verifyOne(triples[total.count % N]!)) throw new Error(`${n}: benchmark triple did not verify`);
          total.count++;
        }
        elapsed = process.hrtime.bigint() - start;
      }
      total.ns += elapsed;
    }
  }
  return Object.fromEntries(names.map((n) => [n, (totals[n]!.count * 1e9) / Number(totals[n]!.ns)]));
}

const viaPolicy = (backend: Ed25519Backend) => (t: Triple) =>
  verifyEd25519(t.signature, t.message, t.publicKey, backend).ok;
const raw = (t: Triple) => nodeVerify(null, t.message, t.keyObject, t.signature);

const rates = measure({ node: viaPolicy(nodeBackend), noble: viaPolicy(nobleBackend), raw });
const [nodeRate, nobleRate, rawRate] = [rates.node!, rates.noble!, rates.raw!];

const fmt = (x: number) => Math.round(x).toLocaleString("en-US").padStart(9);
console.log(
  `Ed25519 verification, ${N} distinct keys, ~${seconds}s each in interleaved 50 ms slices, one core (node ${process.version})`,
);
console.log(`  node  (strict policy + node:crypto)   ${fmt(nodeRate)} verifies/s`);
console.log(`  noble (strict policy + @noble/ed25519) ${fmt(nobleRate)} verifies/s`);
console.log(`  node raw (crypto.verify, no policy)   ${fmt(rawRate)} verifies/s`);
console.log(`  ratio node/noble: ${(nodeRate / nobleRate).toFixed(1)}x`);
console.log(
  `  policy overhead on node: ${((rawRate / nodeRate - 1) * 100).toFixed(1)}% (raw/strict = ${(rawRate / nodeRate).toFixed(3)})`,
);
