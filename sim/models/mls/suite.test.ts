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

  it("hashes, MACs, derives and verifies exactly as the library's own (WebCrypto) provider does", async () => {
    const base = await getCiphersuiteImpl(getCiphersuiteFromName(SUITE_NAME));
    const rng = new Rng("mls suite sync");
    const suite = await seededSuite(rng, "@bob:b.example");
    for (let i = 0; i < 8; i++) {
      const key = rng.bytes(`key ${i}`, 32);
      const data = rng.bytes(`data ${i}`, 23 * i);
      expect(await suite.hash.digest(data)).toEqual(await base.hash.digest(data));
      const mac = await suite.hash.mac(key, data);
      expect(mac).toEqual(await base.hash.mac(key, data));
      expect(await suite.hash.verifyMac(key, mac, data)).toBe(true);
      const bad = Uint8Array.from(mac);
      bad[i] = bad[i]! ^ 1;
      expect(await suite.hash.verifyMac(key, bad, data)).toBe(false);
      expect(await suite.hash.verifyMac(key, mac.subarray(1), data)).toBe(false);
      const prk = await suite.kdf.extract(key, data);
      expect(prk).toEqual(await base.kdf.extract(key, data));
      expect(await suite.kdf.expand(prk, data, 16 + 20 * i)).toEqual(await base.kdf.expand(prk, data, 16 + 20 * i));
      const { signKey, publicKey } = await suite.signature.keygen();
      const signature = await suite.signature.sign(signKey, data);
      expect(await suite.signature.verify(publicKey, data, signature)).toBe(true);
      const flipped = Uint8Array.from(signature);
      flipped[i] = flipped[i]! ^ 0x10;
      for (const [pub, msg, sig] of [
        [publicKey, data, flipped],
        [publicKey, Uint8Array.from([...data, 1]), signature],
      ] as const)
        expect(await suite.signature.verify(pub, msg, sig)).toBe(await base.signature.verify(pub, msg, sig));
    }
    expect(suite.kdf.size).toBe(base.kdf.size);
  });

  it("derives, seals, opens and encrypts exactly as the library's own HPKE does (X25519 and HKDF on node and noble)", async () => {
    const base = await getCiphersuiteImpl(getCiphersuiteFromName(SUITE_NAME));
    const rng = new Rng("mls suite hpke");
    const suite = await seededSuite(rng, "@carol:c.example");
    for (let i = 0; i < 4; i++) {
      const ikm = rng.bytes(`ikm ${i}`, 32);
      const mine = await suite.hpke.deriveKeyPair(ikm);
      const theirs = await base.hpke.deriveKeyPair(ikm);
      expect(await suite.hpke.exportPublicKey(mine.publicKey)).toEqual(
        await base.hpke.exportPublicKey(theirs.publicKey),
      );
      expect(await suite.hpke.exportPrivateKey(mine.privateKey)).toEqual(
        await base.hpke.exportPrivateKey(theirs.privateKey),
      );
      const info = rng.bytes(`info ${i}`, 5 + i);
      const plaintext = rng.bytes(`plaintext ${i}`, 40 * i);
      // Sealed by one, opened by the other, both ways.
      const sealed = await suite.hpke.seal(mine.publicKey, plaintext, info);
      expect(await base.hpke.open(theirs.privateKey, sealed.enc, sealed.ct, info)).toEqual(plaintext);
      const back = await base.hpke.seal(theirs.publicKey, plaintext, info);
      expect(await suite.hpke.open(mine.privateKey, back.enc, back.ct, info)).toEqual(plaintext);
      const tampered = Uint8Array.from(back.ct);
      tampered[0] = tampered[0]! ^ 1;
      await expect(suite.hpke.open(mine.privateKey, back.enc, tampered, info)).rejects.toThrow();
      const exported = await suite.hpke.exportSecret(mine.publicKey, info, 32, info);
      expect(await base.hpke.importSecret(theirs.privateKey, info, exported.enc, 32, info)).toEqual(exported.secret);
      const key = rng.bytes(`aead key ${i}`, 16);
      const nonce = rng.bytes(`nonce ${i}`, 12);
      const ct = await suite.hpke.encryptAead(key, nonce, info, plaintext);
      expect(ct).toEqual(await base.hpke.encryptAead(key, nonce, info, plaintext));
      expect(await suite.hpke.decryptAead(key, nonce, info, ct)).toEqual(plaintext);
      await expect(suite.hpke.decryptAead(key, nonce, info, tampered.subarray(0, 8))).rejects.toThrow();
    }
  });
});
