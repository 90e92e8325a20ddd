/** The registry is the one list of actions: the README's list, the generators and the validator follow it. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "../out-dir.ts";
import { ACTIONS, ACTION_NAMES, actionList } from "./index.ts";

describe("the action registry", () => {
  it("is the README's list of actions, line for line", () => {
    const readme = readFileSync(join(REPO, "README.md"), "utf8");
    const list = readme.match(/<!-- actions:[^\n]*-->\n([\s\S]*?)\n<!-- \/actions -->/);
    expect(list?.[1]).toBe(actionList());
  });

  it("names each action by its key, with a one-line description, and capabilities only on adversarial ones", () => {
    for (const a of ACTION_NAMES) {
      const def = ACTIONS[a];
      expect(def.name).toBe(a);
      expect(def.description).not.toMatch(/\n/);
      expect(def.description.length).toBeGreaterThan(10);
      if (def.honest) expect(def.needs).toEqual([]);
      else expect(def.needs.length).toBeGreaterThan(0);
    }
  });
});
