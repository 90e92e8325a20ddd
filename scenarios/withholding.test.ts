/** The withholding actions (`withhold`, `silence`) do what they say, measured in the run's history. */
import { describe, expect, it } from "vitest";
import type { Operation } from "../sim/world/history.ts";
import { validateScenario } from "./format.ts";
import { runScenario } from "./runner.ts";

const cast = ["@alice:evil.example", "@bob:evil.example", "@carol:c.example"];
const setup = [
  { action: "create", user: "@alice:evil.example", room: "r1" },
  { action: "invite", user: "@alice:evil.example", room: "r1", target: "@bob:evil.example" },
  { action: "join", user: "@bob:evil.example", room: "r1" },
  { action: "invite", user: "@alice:evil.example", room: "r1", target: "@carol:c.example" },
  { action: "join", user: "@carol:c.example", room: "r1" },
];
const scenario = (steps: object[]) =>
  validateScenario("test", {
    name: "withholding",
    threat: null,
    description: "withholding orders",
    seed: 9,
    users: cast,
    adversary: { servers: [{ name: "evil.example", capabilities: ["withhold"] }], colluding: [] },
    steps: [...setup, ...steps],
    expect: { baseline: "breach" },
  });
type Send = Extract<Operation, { op: "send" }>;
const sends = (ops: readonly Operation[], sender: string) =>
  ops.filter((o): o is Send => o.op === "send" && o.sender === sender);

describe("withhold", () => {
  it("keeps the next ban from federating for `steps` flushes, then lets it go", async () => {
    const run = await runScenario(
      scenario([
        { action: "withhold", server: "evil.example", room: "r1", kind: "ban", when: "next", steps: 2 },
        { action: "ban", user: "@alice:evil.example", room: "r1", target: "@bob:evil.example" },
        { action: "send", user: "@carol:c.example", room: "r1", text: "1" },
        { action: "send", user: "@carol:c.example", room: "r1", text: "2" },
        { action: "send", user: "@carol:c.example", room: "r1", text: "3" },
      ]),
      "baseline",
    );
    const hidden = run.history.filter((o) => o.op === "adversary" && o.detail.federation === true);
    expect(hidden).toHaveLength(1);
    // Carol's server has not heard of the ban for the first two messages; by the third it has.
    const toBob = sends(run.history, "@carol:c.example").map((s) => s.recipients.some((r) => r.startsWith("@bob:")));
    expect(toBob).toEqual([true, true, false]);
  });

  it("without `steps`, keeps it for good; with none, nothing is held", async () => {
    const held = await runScenario(
      scenario([
        { action: "withhold", server: "evil.example", room: "r1", kind: "ban", when: "next" },
        { action: "ban", user: "@alice:evil.example", room: "r1", target: "@bob:evil.example" },
        { action: "send", user: "@carol:c.example", room: "r1", text: "1" },
        { action: "send", user: "@carol:c.example", room: "r1", text: "2" },
        { action: "send", user: "@carol:c.example", room: "r1", text: "3" },
      ]),
      "baseline",
    );
    expect(sends(held.history, "@carol:c.example").every((s) => s.recipients.some((r) => r.startsWith("@bob:")))).toBe(
      true,
    );
    // Bob, banned, is still shown the room, so he reads what Carol sends him.
    expect(held.outcome).toBe("breach");
    const plain = await runScenario(
      scenario([
        { action: "ban", user: "@alice:evil.example", room: "r1", target: "@bob:evil.example" },
        { action: "send", user: "@carol:c.example", room: "r1", text: "1" },
      ]),
      "baseline",
    );
    expect(sends(plain.history, "@carol:c.example")[0]!.recipients.some((r) => r.startsWith("@bob:"))).toBe(false);
  });
});

describe("silence", () => {
  it("drops the later messages of the users it names, for the server's users, and only theirs", async () => {
    const run = await runScenario(
      scenario([
        { action: "silence", server: "evil.example", room: "r1", users: ["@carol:c.example"] },
        { action: "send", user: "@carol:c.example", room: "r1", text: "unheard" },
        { action: "send", user: "@alice:evil.example", room: "r1", text: "heard" },
      ]),
      "baseline",
    );
    const [carols] = sends(run.history, "@carol:c.example");
    const [alices] = sends(run.history, "@alice:evil.example");
    const readers = (m: string) =>
      run.history.filter((o) => o.op === "decrypt" && o.message === m).map((o) => (o as { device: string }).device);
    expect(readers(carols!.message).some((d) => d.startsWith("@alice:") || d.startsWith("@bob:"))).toBe(false);
    expect(readers(alices!.message).some((d) => d.startsWith("@carol:"))).toBe(true);
    expect(readers(alices!.message).some((d) => d.startsWith("@bob:"))).toBe(true);
  });
});
