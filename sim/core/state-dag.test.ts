import { describe, expect, it } from "vitest";
import { makeUser } from "../../test-support/room-builder.ts";
import { DAG_FIELD, headsOf, readDagNode, signDagNode } from "./state-dag.ts";

const alice = makeUser("@alice:s");
const mallory = makeUser("@mallory:s");
const envelope = { type: "m.room.member", state_key: "@bob:s", sender: alice.userId, content: { membership: "ban" } };

describe("signed state DAG nodes", () => {
  const signed = signDagNode(envelope, ["$p1", "$p2"], 1234, alice);
  const event = { ...envelope, content: signed.content };

  it("carry their block in content.unsigned, and have a content-addressed ID the reader recomputes", () => {
    expect(Object.keys(signed.content.unsigned as object)).toEqual([DAG_FIELD]);
    const n = readDagNode(event);
    expect(n.ok && [n.value.id, n.value.prev_state, n.value.ts]).toEqual([signed.id, ["$p1", "$p2"], 1234]);
    expect(headsOf([n.ok ? n.value : (undefined as never)])).toEqual([signed.id]);
  });

  it.each([
    ["another state key", { ...event, state_key: "@carol:s" }],
    ["another sender", { ...event, sender: mallory.userId }],
    ["another type", { ...event, type: "m.room.power_levels" }],
    ["changed content", { ...event, content: { ...event.content, membership: "leave" } }],
  ])("are refused with %s: the whole envelope is signed", (_why, tampered) => {
    expect(readDagNode(tampered).ok).toBe(false);
  });

  it("are refused with changed prev_state or time", () => {
    const block = (event.content.unsigned as Record<string, Record<string, unknown>>)[DAG_FIELD]!;
    for (const change of [{ prev_state: ["$p1"] }, { ts: 1 }]) {
      const tampered = { ...event, content: { ...event.content, unsigned: { [DAG_FIELD]: { ...block, ...change } } } };
      expect(readDagNode(tampered).ok).toBe(false);
    }
  });

  it("refuse a block signed by another user's RSK, and never throw on junk", () => {
    const byMallory = signDagNode({ ...envelope, sender: mallory.userId }, [], 1, mallory);
    expect(readDagNode({ ...envelope, content: byMallory.content }).ok).toBe(false);
    for (const junk of [null, 5, {}, { ...envelope, content: { unsigned: { [DAG_FIELD]: "x" } } }])
      expect(readDagNode(junk).ok).toBe(false);
  });
});
