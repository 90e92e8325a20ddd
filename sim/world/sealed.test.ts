import { describe, expect, it } from "vitest";
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
});
