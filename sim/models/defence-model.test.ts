/**
 * The DefenceModel interface: the registry has one entry per folder, a model's transport carries
 * every honest and adversarial message (so a model on a real library can replace it), and alarms
 * name their cause.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../scenarios/cli.ts";
import { runScenario } from "../../scenarios/runner.ts";
import { REPO } from "../../test-support/vectors.ts";
import type { DefenceModel, Transport } from "../world/defence-model.ts";
import type { Operation } from "../world/history.ts";
import { MegolmTransport } from "../world/megolm.ts";
import { MODELS, MODEL_IDS } from "./index.ts";

const scenario = (f: string) => loadScenario(join(REPO, "scenarios", f));

describe("the model registry", () => {
  it("names each model by its ID", () => {
    for (const id of MODEL_IDS) expect(MODELS[id].id).toBe(id);
  });
});

describe("a model's transport", () => {
  it("carries every message and decryption, honest and adversarial, with the same results as the default", async () => {
    const calls = { send: 0, read: 0, adversaryRead: 0 };
    const counted: DefenceModel = {
      ...MODELS.baseline,
      transport(owner, world): Transport {
        const megolm = new MegolmTransport(world, owner);
        return {
          send: (...args) => (calls.send++, megolm.send(...args)),
          read: (inputs, onMessage) => (
            inputs.honest ? calls.read++ : calls.adversaryRead++, megolm.read(inputs, onMessage)
          ),
        };
      },
    };
    const t1 = scenario("attacks/T1-insert-member.json");
    const viaHook = await runScenario(t1, "baseline", { defence: counted });
    const plain = await runScenario(t1, "baseline");
    expect(calls.send).toBe(plain.history.filter((o) => o.op === "send").length);
    expect(calls.read).toBeGreaterThan(0);
    expect(calls.adversaryRead).toBeGreaterThan(0);
    expect(viaHook.history).toEqual(plain.history);
    expect(viaHook.outcome).toBe("breach");
  });

  it("decides what a device can read: a transport that shares nothing lets nobody else read", async () => {
    const silent: DefenceModel = {
      ...MODELS.baseline,
      transport(owner, world): Transport {
        const megolm = new MegolmTransport(world, owner);
        return {
          send: (roomId, id, payload) => megolm.send(roomId, id, payload, []),
          read: (inputs, onMessage) => megolm.read(inputs, onMessage),
        };
      },
    };
    const run = await runScenario(scenario("attacks/T1-insert-member.json"), "baseline", { defence: silent });
    expect(run.history.filter((o) => o.op === "decrypt")).toEqual([]);
    expect(run.outcome).toBe("prevented");
  });
});

describe("alarms", () => {
  it("name the missing node and what referenced it", async () => {
    const run = await runScenario(scenario("attacks/T13-proposal-example-hidden-ban.json"), "state-dag");
    const alarms = run.history.filter((o): o is Extract<Operation, { op: "alarm" }> => o.op === "alarm");
    expect(alarms.length).toBeGreaterThan(0);
    const nodes = new Set(run.history.flatMap((o) => (o.op === "state" && o.node ? [o.node] : [])));
    const messages = new Set(run.history.flatMap((o) => (o.op === "send" ? [o.message] : [])));
    for (const a of alarms) {
      expect(a.referenced_by?.length, a.missing).toBeGreaterThan(0);
      // Each reference is a node or a message an honest client really made.
      for (const r of a.referenced_by!)
        expect(r.kind === "node" ? nodes.has(r.id) : messages.has(r.id), JSON.stringify(r)).toBe(true);
    }
  });
});
