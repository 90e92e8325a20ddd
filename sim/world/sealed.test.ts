import { createPrivateKey, createPublicKey, diffieHellman } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decodeBase64 } from "../core/base64.ts";
import { ratchet } from "./megolm.ts";
import { Rng } from "./rng.ts";
import { aesDecrypt, aesEncrypt, curveKeyFromSeed, openToDevice, sealToDevice } from "./sealed.ts";

describe("real encryption", () => {
  const rng = new Rng(3);
  const key = rng.bytes("k", 32);

  it("AES-256-GCM opens with the key and nothing else, and refuses tampering", () => {
    const sealed = aesEncrypt(key, "secret", rng, "m");
    expect(aesDecrypt(key, sealed)).toBe("secret");
    expect(aesDecrypt(rng.bytes("other", 32), sealed)).toBeNull();
    expect(
      aesDecrypt(key, { ...sealed, ciphertext: sealed.ciphertext.replace(/^./, (c) => (c === "A" ? "B" : "A")) }),
    ).toBeNull();
  });

  it("a to-device message opens only with the recipient's curve25519 key", () => {
    const bob = curveKeyFromSeed(rng.bytes("bob", 32));
    const eve = curveKeyFromSeed(rng.bytes("eve", 32));
    const sealed = sealToDevice(bob.publicKey, "room key", rng, "to bob")!;
    expect(openToDevice(bob, sealed)).toBe("room key");
    expect(openToDevice(eve, sealed)).toBeNull();
    expect(sealToDevice("not a key", "x", rng, "bad")).toBeNull();
  });

  it("the ratchet only goes forward: a key shared at index 2 derives index 3, not index 1", () => {
    const k0 = rng.bytes("session", 32);
    const k2 = ratchet(k0, 2);
    expect(ratchet(k2, 1)).toEqual(ratchet(k0, 3));
    expect(ratchet(k2, 0)).not.toEqual(ratchet(k0, 1));
  });

  it("a curve25519 key from a seed is RFC 7748's, and the same as through PKCS#8", () => {
    // RFC 7748 §6.1: Alice's and Bob's private keys, Alice's public key, and their shared secret.
    const hex = (h: string) => Uint8Array.from(Buffer.from(h, "hex"));
    const alice = curveKeyFromSeed(hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
    const bob = curveKeyFromSeed(hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb"));
    const alicePublic = decodeBase64(alice.publicKey, { expectedLength: 32 });
    expect(alicePublic.ok && Buffer.from(alicePublic.value).toString("hex")).toBe(
      "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
    );
    const shared = diffieHellman({ privateKey: alice.privateKey, publicKey: createPublicKey(bob.privateKey) });
    expect(shared.toString("hex")).toBe("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
    const prefix = Buffer.from("302e020100300506032b656e04220420", "hex");
    for (let i = 0; i < 20; i++) {
      const seed = rng.bytes(`seed ${i}`, 32);
      const viaDer = createPrivateKey({ key: Buffer.concat([prefix, seed]), format: "der", type: "pkcs8" });
      const mine = curveKeyFromSeed(seed);
      const pub = decodeBase64(mine.publicKey, { expectedLength: 32 });
      expect(pub.ok && Buffer.from(pub.value).toString("base64url")).toBe(
        createPublicKey(viaDer).export({ format: "jwk" }).x,
      );
      expect(mine.privateKey.export({ format: "der", type: "pkcs8" })).toEqual(
        viaDer.export({ format: "der", type: "pkcs8" }),
      );
    }
  });
});
