import { describe, expect, it } from "vitest";
import { encodeBase64 } from "./base64.ts";
import {
  crossSigningPublicKey,
  isDeviceTrusted,
  keyIdOf,
  makeCrossSigningKey,
  makeDeviceKeys,
  trustedDevices,
  verifySubkey,
} from "./cross-signing.ts";
import { signingKeyFromSeed } from "./ed25519.ts";
import { signJson } from "./signing.ts";

const key = (n: number) => signingKeyFromSeed(new Uint8Array(32).fill(n));
const alice = "@alice:example.org";
const msk = key(1);
const ssk = key(2);
const rsk = key(3);
const device = key(4);
const mallory = key(66);

const aliceMsk = makeCrossSigningKey(alice, "master", msk);
const aliceSsk = makeCrossSigningKey(alice, "self_signing", ssk, msk);
const aliceRsk = makeCrossSigningKey(alice, "room_signing", rsk, msk);
const aliceDevice = makeDeviceKeys(alice, "DEVICE1", device, ssk);

describe("cross-signing keys", () => {
  it("have the spec's CrossSigningKey shape, signed by the MSK under ed25519:<msk>", () => {
    const pub = encodeBase64(rsk.publicKey);
    expect(aliceRsk).toEqual({
      user_id: alice,
      usage: ["room_signing"],
      keys: { [`ed25519:${pub}`]: pub },
      signatures: { [alice]: { [keyIdOf(msk.publicKey)]: expect.any(String) } },
    });
    expect(crossSigningPublicKey(aliceMsk, { userId: alice, usage: "master" })).toEqual({
      ok: true,
      value: msk.publicKey,
    });
  });

  it("verify an RSK and SSK against the MSK that signed them, and only that MSK", () => {
    expect(verifySubkey(aliceRsk, alice, "room_signing", msk.publicKey)).toEqual({ ok: true, value: rsk.publicKey });
    expect(verifySubkey(aliceSsk, alice, "self_signing", msk.publicKey)).toEqual({ ok: true, value: ssk.publicKey });
    expect(verifySubkey(aliceRsk, alice, "room_signing", mallory.publicKey)).toEqual({
      ok: false,
      error: { signature: "signature_missing" },
    });
  });

  it("refuse a subkey used for another purpose or another user", () => {
    expect(verifySubkey(aliceSsk, alice, "room_signing", msk.publicKey)).toEqual({ ok: false, error: "wrong_usage" });
    expect(verifySubkey(aliceRsk, "@bob:example.org", "room_signing", msk.publicKey)).toEqual({
      ok: false,
      error: "wrong_user",
    });
  });

  it("refuse a subkey whose contents were changed after signing", () => {
    const swapped = {
      ...aliceRsk,
      keys: { [`ed25519:${encodeBase64(mallory.publicKey)}`]: encodeBase64(mallory.publicKey) },
    };
    expect(verifySubkey(swapped, alice, "room_signing", msk.publicKey)).toEqual({
      ok: false,
      error: { signature: "bad_signature" },
    });
  });

  it.each([
    ["not an object", "x", "malformed"],
    ["no keys", { user_id: alice, usage: ["room_signing"] }, "malformed"],
    [
      "two keys",
      {
        ...aliceRsk,
        keys: { ...aliceRsk.keys, [`ed25519:${encodeBase64(mallory.publicKey)}`]: encodeBase64(mallory.publicKey) },
      },
      "malformed",
    ],
    [
      "a key ID that names another key",
      { ...aliceRsk, keys: { "ed25519:other": encodeBase64(rsk.publicKey) } },
      "key_id_mismatch",
    ],
    [
      "a key ID with more between its prefix and the key",
      { ...aliceRsk, keys: { [`ed25519:x${encodeBase64(rsk.publicKey)}`]: encodeBase64(rsk.publicKey) } },
      "key_id_mismatch",
    ],
    [
      "a key ID with another prefix of the same length",
      { ...aliceRsk, keys: { [`ed25519_${encodeBase64(rsk.publicKey)}`]: encodeBase64(rsk.publicKey) } },
      "key_id_mismatch",
    ],
    [
      "a 31-byte key",
      { ...aliceRsk, keys: { [`ed25519:${encodeBase64(new Uint8Array(31))}`]: encodeBase64(new Uint8Array(31)) } },
      "bad_public_key",
    ],
    [
      "a small-order key",
      {
        ...aliceRsk,
        keys: {
          [`ed25519:${encodeBase64(Uint8Array.of(1, ...new Uint8Array(31)))}`]: encodeBase64(
            Uint8Array.of(1, ...new Uint8Array(31)),
          ),
        },
      },
      "bad_public_key",
    ],
    ["a non-string usage", { ...aliceRsk, usage: [5] }, "malformed"],
  ])("refuse a cross-signing key with %s", (_why, csk, reason) => {
    expect(verifySubkey(csk, alice, "room_signing", msk.publicKey)).toEqual({ ok: false, error: reason });
  });
});

describe("device trust", () => {
  it("trusts a device signed by an SSK that the MSK signed", () => {
    expect(isDeviceTrusted(aliceDevice, aliceSsk, alice, msk.publicKey)).toEqual({ ok: true, value: true });
  });

  it("refuses a device the server inserted without an SSK signature", () => {
    const inserted = makeDeviceKeys(alice, "EVIL", mallory, undefined);
    expect(isDeviceTrusted(inserted, aliceSsk, alice, msk.publicKey)).toEqual({
      ok: false,
      error: { signature: "signature_missing" },
    });
  });

  it("refuses a device signed by an SSK that another MSK signed (MSK substitution)", () => {
    const fakeSsk = makeCrossSigningKey(alice, "self_signing", mallory, mallory);
    const inserted = makeDeviceKeys(alice, "EVIL", mallory, mallory);
    expect(isDeviceTrusted(inserted, fakeSsk, alice, msk.publicKey)).toEqual({
      ok: false,
      error: { signature: "signature_missing" },
    });
    expect(isDeviceTrusted(inserted, fakeSsk, alice, mallory.publicKey).ok).toBe(true); // …which is why the MSK must be the right one
  });

  it("refuses a device whose keys were swapped after the SSK signed it", () => {
    const swapped = { ...aliceDevice, keys: { "ed25519:DEVICE1": encodeBase64(mallory.publicKey) } };
    expect(isDeviceTrusted(swapped, aliceSsk, alice, msk.publicKey)).toEqual({
      ok: false,
      error: { signature: "bad_signature" },
    });
  });

  it("refuses a device that does not sign itself", () => {
    const { signatures: _s, ...unsigned } = aliceDevice;
    const sskOnly = signJson(unsigned, alice, keyIdOf(ssk.publicKey), ssk);
    expect(isDeviceTrusted(sskOnly, aliceSsk, alice, msk.publicKey)).toEqual({
      ok: false,
      error: { signature: "signature_missing" },
    });
  });

  it("refuses another user's device", () => {
    const bobs = makeDeviceKeys("@bob:example.org", "DEVICE1", device, ssk);
    expect(isDeviceTrusted(bobs, aliceSsk, alice, msk.publicKey)).toEqual({ ok: false, error: "wrong_user" });
  });
});

describe("trustedDevices", () => {
  it("keeps only the devices the verified MSK's SSK signed", () => {
    const inserted = makeDeviceKeys(alice, "EVIL", mallory, undefined);
    const { trusted, rejected } = trustedDevices(alice, msk.publicKey, aliceSsk, [aliceDevice, inserted, "junk"]);
    expect(trusted).toEqual([aliceDevice]);
    expect(rejected).toEqual([
      { device_id: "EVIL", reason: { signature: "signature_missing" } },
      { device_id: "(unknown)", reason: "malformed" },
    ]);
  });
});

describe("shapes that only hostile input has (mutation testing)", () => {
  it("reads a cross-signing key without expectations, and refuses every other shape", () => {
    expect(crossSigningPublicKey(aliceRsk)).toEqual({ ok: true, value: rsk.publicKey });
    expect(crossSigningPublicKey(aliceRsk, { usage: "master" })).toEqual({ ok: false, error: "wrong_usage" });
    expect(crossSigningPublicKey(aliceRsk, { userId: "@bob:example.org" })).toEqual({ ok: false, error: "wrong_user" });
    expect(crossSigningPublicKey({ ...aliceRsk, user_id: 5 })).toEqual({ ok: false, error: "malformed" });
    expect(crossSigningPublicKey({ ...aliceRsk, usage: "room_signing" })).toEqual({ ok: false, error: "malformed" });
    expect(crossSigningPublicKey({ ...aliceRsk, keys: [] })).toEqual({ ok: false, error: "malformed" });
    expect(crossSigningPublicKey({ ...aliceRsk, keys: {} })).toEqual({ ok: false, error: "malformed" });
    expect(crossSigningPublicKey({ ...aliceRsk, keys: { [`ed25519:${encodeBase64(rsk.publicKey)}`]: 5 } })).toEqual({
      ok: false,
      error: "malformed",
    });
    expect(
      crossSigningPublicKey({ ...aliceRsk, usage: ["master", "room_signing"] }, { usage: "room_signing" }).ok,
    ).toBe(true);
    expect(crossSigningPublicKey(null)).toEqual({ ok: false, error: "malformed" });
  });

  it("a master key made without a signer carries no signatures; a device may carry a curve25519 key", () => {
    expect(aliceMsk.signatures).toBeUndefined();
    expect(keyIdOf(msk.publicKey)).toBe(`ed25519:${encodeBase64(msk.publicKey)}`);
    const withCurve = makeDeviceKeys(alice, "D2", device, ssk, undefined, "curvekey");
    expect(withCurve.keys).toEqual({ "ed25519:D2": encodeBase64(device.publicKey), "curve25519:D2": "curvekey" });
    expect(withCurve.algorithms).toEqual(["m.olm.v1.curve25519-aes-sha2", "m.megolm.v1.aes-sha2"]);
    expect(Object.keys(withCurve.signatures![alice]!).sort()).toEqual(["ed25519:D2", keyIdOf(ssk.publicKey)].sort());
    expect(isDeviceTrusted(withCurve, aliceSsk, alice, msk.publicKey)).toEqual({ ok: true, value: true });
    expect(Object.keys(makeDeviceKeys(alice, "D3", device, undefined).signatures![alice]!)).toEqual(["ed25519:D3"]);
  });

  it.each([
    ["not an object", "x", "malformed"],
    ["a device_id that is not a string", { ...aliceDevice, device_id: 1 }, "malformed"],
    ["no keys object", { ...aliceDevice, keys: "k" }, "malformed"],
    [
      "no ed25519 key for its device ID",
      { ...aliceDevice, keys: { "ed25519:OTHER": encodeBase64(device.publicKey) } },
      "malformed",
    ],
    ["a key that is not 32 bytes", { ...aliceDevice, keys: { "ed25519:DEVICE1": "AAAA" } }, "bad_public_key"],
  ])("refuses a device with %s", (_why, dev, reason) => {
    expect(isDeviceTrusted(dev, aliceSsk, alice, msk.publicKey)).toEqual({ ok: false, error: reason });
  });

  it("refuses every device when the SSK is not the MSK's", () => {
    expect(isDeviceTrusted(aliceDevice, aliceRsk, alice, msk.publicKey)).toEqual({ ok: false, error: "wrong_usage" });
    const { trusted, rejected } = trustedDevices(alice, mallory.publicKey, aliceSsk, [aliceDevice]);
    expect(trusted).toEqual([]);
    expect(rejected).toEqual([{ device_id: "DEVICE1", reason: { signature: "signature_missing" } }]);
  });
});

describe("survivors of the mutation run on cross-signing.ts (MUTATION.md)", () => {
  it("a usage list with one non-string entry is malformed, even if it also names the usage", () => {
    expect(crossSigningPublicKey({ ...aliceRsk, usage: ["room_signing", 5] }, { usage: "room_signing" })).toEqual({
      ok: false,
      error: "malformed",
    });
  });

  it("a null device, or a numeric device_id whose key entry exists, is malformed and never throws", () => {
    expect(isDeviceTrusted(null, aliceSsk, alice, msk.publicKey)).toEqual({ ok: false, error: "malformed" });
    const numeric = { ...aliceDevice, device_id: 1, keys: { "ed25519:1": encodeBase64(device.publicKey) } };
    expect(isDeviceTrusted(numeric, aliceSsk, alice, msk.publicKey)).toEqual({ ok: false, error: "malformed" });
    const { rejected } = trustedDevices(alice, msk.publicKey, aliceSsk, [null, { device_id: 5 }]);
    expect(rejected).toEqual([
      { device_id: "(unknown)", reason: "malformed" },
      { device_id: "(unknown)", reason: "malformed" },
    ]);
  });
});
