import * as ed from "@noble/ed25519";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EDGE_SIG, encodeY } from "../../test-support/ed25519-edge-cases.ts";
import { fcParams } from "../../test-support/fast-check.ts";
import {
  CheckedEquations,
  MessageStore,
  type Ed25519Backend,
  type Ed25519Verdict,
  checkPublicKey,
  forgetKeyChecks,
  nodeBackend,
  type EquationChecker,
  speculate,
  speculateAsync,
  verifyEd25519,
  wrapsStrictDecoder,
} from "./ed25519.ts";

const seeds = Array.from({ length: 4 }, (_, i) => new Uint8Array(32).fill(i + 1));
const keys = seeds.map((s) => nodeBackend.publicKeyFromSeed(s));
/** Canonical encodings that are not curve points: only the equation (or the full check) finds out. */
const offCurve: Uint8Array[] = [];
for (let y = 2n; offCurve.length < 2; y++) {
  const key = encodeY(y * 104729n, 0);
  try {
    ed.Point.fromBytes(key, false);
  } catch {
    offCurve.push(key);
  }
}

type Check = {
  signer: number;
  message: Uint8Array;
  kind: "valid" | "bad_sig" | "other_message" | "off_curve";
  skip: number;
};
const check: fc.Arbitrary<Check> = fc.record({
  signer: fc.nat(3),
  message: fc.uint8Array({ maxLength: 40 }),
  kind: fc.constantFrom("valid", "valid", "valid", "bad_sig", "other_message", "off_curve"),
  skip: fc.nat(3),
});

/** A run whose questions depend on earlier answers: a failed check skips the next `skip` checks. */
function work(checks: readonly Check[], backend: Ed25519Backend): Ed25519Verdict[] {
  const out: Ed25519Verdict[] = [];
  for (let i = 0; i < checks.length; i++) {
    const c = checks[i]!;
    let sig = nodeBackend.sign(seeds[c.signer]!, c.message);
    let key = keys[c.signer]!;
    let message = c.message;
    if (c.kind === "bad_sig") (sig = sig.slice())[40]! ^= 1;
    if (c.kind === "other_message") message = Uint8Array.from([...message, 1]);
    if (c.kind === "off_curve") [sig, key] = [EDGE_SIG, offCurve[c.signer % offCurve.length]!];
    const verdict = verifyEd25519(sig, message, key, backend);
    out.push(verdict);
    if (!verdict.ok) i += c.skip;
  }
  return out;
}

function counting(): Ed25519Backend & { asked: number } {
  const b = {
    name: "counting",
    asked: 0,
    publicKeyFromSeed: (s: Uint8Array) => nodeBackend.publicKeyFromSeed(s),
    sign: (s: Uint8Array, m: Uint8Array) => nodeBackend.sign(s, m),
    verifyEquation(s: Uint8Array, m: Uint8Array, k: Uint8Array) {
      b.asked++;
      return nodeBackend.verifyEquation(s, m, k);
    },
  };
  return wrapsStrictDecoder(b, nodeBackend);
}

const allKeys = [...keys, ...offCurve];
const keyVerdicts = () => allKeys.map((k) => checkPublicKey(k));

describe("speculate", () => {
  it("returns what the run returns on the backend itself, and leaves the same key verdicts", () => {
    fc.assert(
      fc.property(fc.array(check, { maxLength: 60 }), fc.boolean(), (checks, keysKnown) => {
        const prime = () => {
          forgetKeyChecks();
          if (keysKnown) keyVerdicts();
        };
        prime();
        const direct = counting();
        const expected = work(checks, direct);
        const memoAfterDirect = keyVerdicts();
        prime();
        const spec = counting();
        expect(speculate(spec, (b) => work(checks, b))).toEqual(expected);
        expect(keyVerdicts()).toEqual(memoAfterDirect);
        forgetKeyChecks();
        expect(keyVerdicts()).toEqual(memoAfterDirect); // and those are the verdicts of the full check
        // Without a failure, every equation is asked exactly once, as directly.
        if (expected.every((v) => v.ok)) expect(spec.asked).toBe(direct.asked);
      }),
      fcParams(150),
    );
  });

  it("after a failure, asks the backend again only about equations the first run did not check", () => {
    const checks: Check[] = Array.from({ length: 40 }, (_, i) => ({
      signer: i % 4,
      message: Uint8Array.of(i),
      kind: i === 37 ? "bad_sig" : "valid",
      skip: 0,
    }));
    forgetKeyChecks();
    const spec = counting();
    const verdicts = speculate(spec, (b) => work(checks, b));
    expect(verdicts.filter((v) => !v.ok)).toHaveLength(1);
    expect(spec.asked).toBe(40); // the second run's 40 were all answered from the first's checks
  });

  it("a throw from the run still leaves true key verdicts", () => {
    forgetKeyChecks();
    const off = offCurve[0]!;
    expect(() =>
      speculate(nodeBackend, (b) => {
        expect(verifyEd25519(EDGE_SIG, Uint8Array.of(1), off, b)).toEqual({ ok: true }); // speculated
        throw new Error("stop");
      }),
    ).toThrow("stop");
    expect(checkPublicKey(off)).toBe("key_not_on_curve");
  });
});

/** Checks on this thread, with `nodeBackend`, only once `settle` is called (as a worker would, later). */
function laterChecker(): EquationChecker & { submitted: number } {
  const held: [Uint8Array, Uint8Array, Uint8Array][] = [];
  return {
    get submitted() {
      return held.length;
    },
    submit: (s, m, k) => void held.push([s, m, k]),
    settle: async () => held.map(([s, m, k]) => nodeBackend.verifyEquation(s, m, k)),
  };
}

describe("speculateAsync", () => {
  it("returns what the run returns on the backend itself, and leaves the same key verdicts", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(check, { maxLength: 60 }), fc.boolean(), async (checks, keysKnown) => {
        const prime = () => {
          forgetKeyChecks();
          if (keysKnown) keyVerdicts();
        };
        prime();
        const direct = counting();
        const expected = work(checks, direct);
        const memoAfterDirect = keyVerdicts();
        prime();
        const checker = laterChecker();
        const pending = speculateAsync(nodeBackend, checker, (b) => work(checks, b));
        // While the answers are out, no key has a verdict that no check made.
        if (!keysKnown) for (const k of offCurve) expect(checkPublicKey(k)).toBe("key_not_on_curve");
        expect(await pending).toEqual(expected);
        expect(keyVerdicts()).toEqual(memoAfterDirect);
        if (expected.every((v) => v.ok)) expect(checker.submitted).toBe(direct.asked);
      }),
      fcParams(150),
    );
  });

  it("a throw from the run still leaves true key verdicts", async () => {
    forgetKeyChecks();
    const off = offCurve[0]!;
    await expect(
      speculateAsync(nodeBackend, laterChecker(), (b) => {
        expect(verifyEd25519(EDGE_SIG, Uint8Array.of(1), off, b)).toEqual({ ok: true }); // speculated
        throw new Error("stop");
      }),
    ).rejects.toThrow("stop");
    expect(checkPublicKey(off)).toBe("key_not_on_curve");
  });

  it("refuses a checker that answers a different number of equations", async () => {
    const short: EquationChecker = { submit: () => {}, settle: async () => [] };
    await expect(
      speculateAsync(nodeBackend, short, (b) => verifyEd25519(EDGE_SIG, Uint8Array.of(1), keys[0]!, b)),
    ).rejects.toThrow("answers");
  });
});

describe("CheckedEquations", () => {
  it("answers only for the exact bytes, and asks the backend otherwise", () => {
    const m = Uint8Array.of(1, 2, 3);
    const sig = nodeBackend.sign(seeds[0]!, m);
    const known = new CheckedEquations();
    known.add(sig, m, keys[0]!, false); // a recorded answer wins, even a wrong one: it is what the backend said
    expect(known.get(sig, m, keys[0]!)).toBe(false);
    expect(known.get(sig, Uint8Array.of(1, 2), keys[0]!)).toBeUndefined();
    expect(known.get(sig, m, keys[1]!)).toBeUndefined();
    expect(known.answering(nodeBackend).verifyEquation(sig, Uint8Array.of(1, 2, 3, 4), keys[0]!)).toBe(false);
    expect(known.answering(nodeBackend).verifyEquation(sig, m, keys[0]!)).toBe(false);
    const bounded = new CheckedEquations(2);
    bounded.add(sig, m, keys[0]!, true);
    expect(bounded.get(sig, m, keys[0]!)).toBeUndefined();
  });
});

describe("MessageStore", () => {
  it("keeps each message's exact bytes, whatever the originals and later messages do", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.uint8Array({ maxLength: 3000 }), fc.constant(new Uint8Array(70_000).fill(7))), {
          maxLength: 1500,
        }),
        (messages) => {
          const store = new MessageStore();
          const copies = messages.map((m) => m.slice());
          const kept = messages.map((m) => store.keep(m));
          for (const m of messages) if (m.length <= 65_536) m.fill(0xff); // the originals may be reused
          kept.forEach((k, i) => expect(k).toEqual(copies[i]));
        },
      ),
      fcParams(20),
    );
  });
});

describe("the speculative backends: what the mutation run found untested", () => {
  const valid = (n: number) =>
    Array.from({ length: n }, (_, i) => {
      const message = Uint8Array.of(i, i >> 8);
      return { sig: nodeBackend.sign(seeds[i % 4]!, message), message, key: keys[i % 4]! };
    });
  const runOf = (eqs: ReturnType<typeof valid>, runs: { n: number }) => (b: Ed25519Backend) => {
    runs.n++;
    return eqs.map((e) => verifyEd25519(e.sig, e.message, e.key, b).ok);
  };

  it("speculate: a clean run runs once, asks each equation once, in batches of 16, and names and delegates its backend", () => {
    const eqs = valid(40);
    const backend = counting();
    const runs = { n: 0 };
    const askedWhen: number[] = [];
    const result = speculate(backend, (b) => {
      expect(b.name).toBe("counting (speculative)");
      expect(b.publicKeyFromSeed(seeds[0]!)).toEqual(keys[0]);
      expect(b.sign(seeds[0]!, Uint8Array.of(9))).toEqual(nodeBackend.sign(seeds[0]!, Uint8Array.of(9)));
      const out = runOf(
        eqs,
        runs,
      )({
        ...b,
        verifyEquation: (s, m, k) => {
          const answer = b.verifyEquation(s, m, k);
          askedWhen.push(backend.asked);
          return answer;
        },
      });
      return out;
    });
    expect(result.every(Boolean)).toBe(true);
    expect(runs.n).toBe(1);
    expect(backend.asked).toBe(40);
    // After the 16th question the first batch is checked, after the 32nd the second; the rest at the end.
    expect([askedWhen[14], askedWhen[15], askedWhen[30], askedWhen[31], askedWhen[39]]).toEqual([0, 16, 16, 32, 32]);
  });

  it("speculate: after a failure, the second run is answered from the first's checks and names and delegates its backend", () => {
    const eqs = valid(20);
    eqs[3] = { ...eqs[3]!, message: Uint8Array.of(99) }; // fails
    const backend = counting();
    const names: string[] = [];
    const runs = { n: 0 };
    const result = speculate(backend, (b) => {
      names.push(b.name);
      if (runs.n === 1) {
        expect(b.publicKeyFromSeed(seeds[1]!)).toEqual(keys[1]);
        expect(b.sign(seeds[1]!, Uint8Array.of(9))).toEqual(nodeBackend.sign(seeds[1]!, Uint8Array.of(9)));
      }
      return runOf(eqs, runs)(b);
    });
    expect(result.filter((x) => !x)).toHaveLength(1);
    expect(runs.n).toBe(2);
    expect(names).toEqual(["counting (speculative)", "counting (answered)"]);
    // The first run checked one batch of 16; the second asked only the 4 it did not check.
    expect(backend.asked).toBe(20);
  });

  it("speculateAsync: a clean run runs once and asks nothing more; a failed one is answered from the checker", async () => {
    for (const bad of [false, true]) {
      const eqs = valid(10);
      if (bad) eqs[2] = { ...eqs[2]!, message: Uint8Array.of(99) };
      const backend = counting();
      const runs = { n: 0 };
      const names: string[] = [];
      const result = await speculateAsync(backend, laterChecker(), (b) => {
        names.push(b.name);
        if (runs.n === 0) {
          expect(b.publicKeyFromSeed(seeds[2]!)).toEqual(keys[2]);
          expect(b.sign(seeds[2]!, Uint8Array.of(9))).toEqual(nodeBackend.sign(seeds[2]!, Uint8Array.of(9)));
        }
        return runOf(eqs, runs)(b);
      });
      expect(result.filter((x) => !x)).toHaveLength(bad ? 1 : 0);
      expect(runs.n).toBe(bad ? 2 : 1);
      expect(names[0]).toBe("counting (checked elsewhere)");
      expect(backend.asked).toBe(0); // every equation was checked by the checker
    }
  });

  it("speculateAsync: a backend that does not decode keys strictly never makes a key known good", async () => {
    forgetKeyChecks();
    const off = offCurve[1]!;
    const lax: Ed25519Backend = { ...nodeBackend, name: "lax", verifyEquation: () => true };
    const yes: EquationChecker & { n: number } = {
      n: 0,
      submit() {
        this.n++;
      },
      async settle() {
        return Array.from({ length: this.n }, () => true);
      },
    };
    const verdict = await speculateAsync(lax, yes, (b) => verifyEd25519(EDGE_SIG, Uint8Array.of(1), off, b));
    expect(verdict).toEqual({ ok: false, reason: "key_not_on_curve" }); // the full check ran first
    expect(checkPublicKey(off)).toBe("key_not_on_curve");
  });

  it("CheckedEquations: several messages under one signature and key, and a bound that counts bytes", () => {
    const sig = nodeBackend.sign(seeds[0]!, Uint8Array.of(1));
    const known = new CheckedEquations();
    known.add(sig, Uint8Array.of(1), keys[0]!, true);
    known.add(sig, Uint8Array.of(2), keys[0]!, false);
    expect([known.get(sig, Uint8Array.of(1), keys[0]!), known.get(sig, Uint8Array.of(2), keys[0]!)]).toEqual([
      true,
      false,
    ]);
    const exact = new CheckedEquations(3);
    exact.add(sig, Uint8Array.of(1, 2, 3), keys[0]!, true);
    expect(exact.get(sig, Uint8Array.of(1, 2, 3), keys[0]!)).toBe(true); // 3 bytes fit a bound of 3
    exact.add(sig, Uint8Array.of(4), keys[0]!, true);
    expect(exact.get(sig, Uint8Array.of(4), keys[0]!)).toBeUndefined(); // a fourth does not
  });

  it("MessageStore: a message of exactly 64 KB is still copied", () => {
    const store = new MessageStore();
    const m = new Uint8Array(65_536).fill(3);
    const kept = store.keep(m);
    m.fill(4);
    expect(kept.every((b) => b === 3)).toBe(true);
  });
});
