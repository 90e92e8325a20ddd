import { getCiphersuiteFromName, getCiphersuiteImpl } from "ts-mls";
import { describe, expect, it } from "vitest";
import { Rng } from "../../world/rng.ts";
import { SUITE_NAME, seededSuite } from "./suite.ts";

describe("the seeded MLS suite", () => {
  it("signs exactly as the library's own Ed25519 does, and what it signs verifies there", async () => {
    const base = await getCiphersuiteImpl(getCiphersuiteFromName(SUITE_NAME));
    const rng = new Rng("mls suite");
    const suite = await seededSuite(rng, "@alice:a.example");
    for (let i = 0; i < 8; i++) {
      const { signKey, publicKey } = await suite.signature.keygen();
      const message = rng.bytes(`message ${i}`, 17 * i);
      const signature = await suite.signature.sign(signKey, message);
      expect(signature).toEqual(await base.signature.sign(signKey, message));
      expect(await base.signature.verify(publicKey, message, signature)).toBe(true);
      const other = Uint8Array.from([...message, i]);
      expect(await base.signature.verify(publicKey, other, signature)).toBe(false);
    }
  });
});
