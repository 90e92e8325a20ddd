/**
 * The room vectors in ../shared/vectors/rooms were made independently of this project, with
 * matrix-org's signedjson and PyNaCl. Matching them checks our field names, signature entities and
 * key IDs against the contract.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { VECTORS_DIR, readVectorFile } from "../../test-support/vectors.ts";
import { backends } from "./ed25519.ts";
import { verifyMembership } from "./verify-membership.ts";

const rooms = readdirSync(join(VECTORS_DIR, "rooms"))
  .filter((f) => f.endsWith(".room.json"))
  .map((f) => f.replace(/\.room\.json$/, ""));

describe.each(Object.values(backends).map((b) => [b.name, b] as const))(
  "room vectors (%s backend)",
  (_name, backend) => {
    it("are all here", () => {
      expect(rooms).toEqual(["forged-invite", "invite-join", "restricted-join", "third-party-invite"]);
    });

    it.each(rooms)("%s", (name) => {
      const room = JSON.parse(readVectorFile(`rooms/${name}.room.json`));
      const expected = JSON.parse(readVectorFile(`rooms/${name}.expect.json`)) as {
        members: Record<string, { status: string; msk?: string }>;
      };
      const result = verifyMembership(
        { roomRootKey: room.room_root_key, state: room.state, events: room.events },
        { pinned: room.master_keys, backend },
      );
      const got = Object.fromEntries(
        Object.entries(result.members).map(([u, v]) => [
          u,
          v.status === "verified" ? { status: v.status, msk: v.msk } : { status: v.status },
        ]),
      );
      expect(got).toEqual(expected.members);
    });
  },
);
