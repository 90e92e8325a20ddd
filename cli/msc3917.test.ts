/** The command-line contract of DESIGN.md §12, run as a user runs it. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { encodeBase64 } from "../sim/core/base64.ts";
import { RoomBuilder, makeUser } from "../test-support/room-builder.ts";
import { matrixSpecVectors, REPO } from "../test-support/vectors.ts";

const BIN = join(REPO, "bin", "msc3917.js");
const tmp = mkdtempSync(join(tmpdir(), "msc3917-cli-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const spec = matrixSpecVectors();

function msc3917(args: string[], input?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { input: input ?? "", encoding: "utf8", cwd: REPO });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const SIGN = ["sign", "--seed", spec.signing_key_seed, "--entity", "domain", "--key-id", "ed25519:1"];
const VERIFY = ["verify-json", "--key", spec.verify_key, "--entity", "domain", "--key-id", "ed25519:1"];

describe("msc3917 canonical", () => {
  it("writes the canonical bytes and nothing else", () => {
    expect(msc3917(["canonical"], '{"b":"2","a":"1"}\n')).toEqual({ code: 0, stdout: '{"a":"1","b":"2"}', stderr: "" });
  });

  it("reads a file", () => {
    const r = msc3917(["canonical", join(REPO, "vectors", "matrix-spec.json")]);
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith('{"canonical_json":[')).toBe(true);
  });

  it.each([
    ['{"a":1.5}', /^msc3917 canonical: stdin: canonical JSON: float 1.5 at \$\.a is not allowed\n$/],
    ['{"a":1', /^msc3917 canonical: stdin: invalid JSON: .*\n$/],
    ['{"a":1,"a":2}', /duplicate key/],
  ])("refuses %s with exit 2 and one line", (input, message) => {
    const r = msc3917(["canonical"], input);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(message);
  });

  it("names a missing file", () => {
    expect(msc3917(["canonical", "/nonexistent.json"])).toMatchObject({
      code: 2,
      stderr: "msc3917 canonical: cannot read /nonexistent.json: ENOENT\n",
    });
  });
});

describe("msc3917 sign and verify-json", () => {
  it("reproduces the spec's signature", () => {
    const r = msc3917(SIGN, "{}");
    expect(r).toEqual({ code: 0, stdout: JSON.stringify(spec.signing[0]!.signed), stderr: "" });
  });

  it("verifies what it signed, and refuses a change with exit 1 and the reason", () => {
    const signed = msc3917(SIGN, '{"one":1,"two":"Two"}').stdout;
    expect(msc3917(VERIFY, signed)).toMatchObject({ code: 0 });
    const tampered = signed.replace('"one":1', '"one":2');
    expect(msc3917(VERIFY, tampered)).toEqual({
      code: 1,
      stdout: "",
      stderr: "invalid: bad_signature (signature by domain ed25519:1)\n",
    });
    expect(msc3917([...VERIFY, "--backend", "noble"], tampered).code).toBe(1);
    expect(msc3917([...VERIFY.slice(0, 4), "other", ...VERIFY.slice(5)], signed)).toMatchObject({
      code: 1,
      stderr: expect.stringContaining("signature_missing"),
    });
  });

  it.each([
    [["sign", "--entity", "domain", "--key-id", "ed25519:1"], /--seed is required/],
    [
      ["sign", "--seed", "AAAA", "--entity", "d", "--key-id", "ed25519:1"],
      /--seed: base64: decoded 3 bytes, expected 32/,
    ],
    [[...SIGN.slice(0, 5), "--key-id", "rsa:1"], /--key-id must look like ed25519:ID/],
    [[...SIGN, "--backend", "openssl"], /--backend must be node or noble/],
    [[...SIGN, "--bogus"], /Unknown option '--bogus'/],
    [["verify-json", "--key", "!!", "--entity", "d", "--key-id", "ed25519:1"], /--key: base64/],
  ])("exits 2 with one line on bad usage %#", (args, message) => {
    const r = msc3917(args, "{}");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("refuses a JSON value that is not an object", () => {
    expect(msc3917(SIGN, "[1]")).toMatchObject({ code: 2, stderr: "msc3917 sign: input must be a JSON object\n" });
  });
});

describe("msc3917 verify", () => {
  const forged = join(REPO, "scenarios", "rooms", "forged-member.room.json");

  it("shows the forged members rejected, as a table, and exits 1", () => {
    const r = msc3917(["verify", forged]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^@mallory:example\.org +rejected +sender_rsk_not_signed at \$5: /m);
    expect(r.stdout).toMatch(/^@alice:example\.org +verified +chain of 2 events/m);
    expect(r.stdout).toMatch(/2 verified, 2 rejected, 0 unknown/);
  });

  const inviteJoin = join(REPO, "vectors", "rooms", "invite-join.room.json");

  it("writes the DESIGN.md §12 JSON with --format json (parent and chain_length), and exits 0 on a valid room", () => {
    const r = msc3917(["verify", "--format", "json", inviteJoin]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.room_id).toBe("!zZp5x6T747he4jF657Bq6F2IddvzXDLmHreEuv3pbRQ");
    expect(out.room).toMatchObject({ status: "verified" });
    const bob = out.members["@bob:example.org"];
    expect(bob).toMatchObject({
      status: "verified",
      msk: "89rZ40rToa38mZ74ACigb5jkMPlpyCLsoA25G9WFdyI",
      parent: expect.any(String),
      chain_length: 3,
    });
    expect(bob.chain).toBeUndefined();
    expect(r.stdout).toBe(`${JSON.stringify(out, null, 2)}\n`);
  });

  it("--workers 2 gives the same output", () => {
    expect(msc3917(["verify", "--format", "json", "--workers", "2", inviteJoin])).toEqual(
      msc3917(["verify", "--format", "json", inviteJoin]),
    );
    expect(msc3917(["verify", "--workers", "0", inviteJoin])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("--workers must be"),
    });
  });

  it("--chains adds the whole chain", () => {
    const out = JSON.parse(msc3917(["verify", "--format", "json", "--chains", inviteJoin]).stdout);
    const bob = out.members["@bob:example.org"];
    expect(bob.chain).toEqual([bob.cause, bob.parent, expect.any(String)]);
  });

  it.each([["-"], []])("reads the room from standard input (%j)", (...args) => {
    const r = msc3917(["verify", "--format", "json", ...args], readFileSync(inviteJoin, "utf8"));
    expect(r.code).toBe(0);
    expect(Object.keys(JSON.parse(r.stdout).members)).toEqual(["@alice:example.org", "@bob:example.org"]);
  });

  it("exits 1 with a room-level reason when there is no create event, or it does not match the RRK", () => {
    const room = JSON.parse(readFileSync(inviteJoin, "utf8"));
    const noCreate = {
      ...room,
      state: room.state.filter((e: { type: string }) => e.type !== "m.room.create"),
      events: [],
    };
    const empty = msc3917(["verify"], JSON.stringify({ room_root_key: room.room_root_key, state: [] }));
    expect(empty.code).toBe(1);
    expect(empty.stdout).toMatch(
      /^room-level: unknown: parent_missing at m\.room\.create: .*\(the state has no m\.room\.create event\)$/m,
    );
    expect(msc3917(["verify"], JSON.stringify(noCreate))).toMatchObject({
      code: 1,
      stdout: expect.stringContaining("room-level: unknown"),
    });
    const otherRrk = "2Mwmgj+qFWtSBFC5EJwHkpMM0ls4SvlkcsTqkvbJi8M";
    const wrong = JSON.parse(
      msc3917(["verify", "--format", "json"], JSON.stringify({ ...room, room_root_key: otherRrk })).stdout,
    );
    expect(wrong.room).toMatchObject({ status: "rejected", reason: "create_wrong_rrk" });
  });

  it("user IDs that are prototype keys are data: each gets a verdict, and a pin for one holds", () => {
    const alice = makeUser("@alice:example.org");
    const ids = ["__proto__", "constructor", "toString"];
    const b = new RoomBuilder().create(alice);
    for (const id of ids) b.inviteAndJoin(alice, makeUser(id));
    const room = b.room();
    const text = JSON.stringify({ room_root_key: room.roomRootKey, state: room.state, events: room.events });
    const out = JSON.parse(msc3917(["verify", "--format", "json"], text).stdout);
    for (const id of ids) expect(Object.hasOwn(out.members, id) && out.members[id].status, id).toBe("verified");
    // master_keys pins alice's MSK for each: the pin must be kept (not set a prototype) and refuse them.
    const wrong = encodeBase64(alice.msk.publicKey);
    const pins = `{${ids.map((id) => `${JSON.stringify(id)}:"${wrong}"`).join(",")}}`;
    const r = msc3917(["verify", "--format", "json"], `${text.slice(0, -1)},"master_keys":${pins}}`);
    expect(r.code).toBe(1);
    const pinned = JSON.parse(r.stdout);
    for (const id of ids)
      expect(pinned.members[id], id).toMatchObject({ status: "rejected", reason: "join_wrong_msk" });
    expect(pinned.members["@alice:example.org"].status).toBe("verified");
  });

  it.each([
    ["not JSON", "{", /^msc3917 verify: .*bad\.json: invalid JSON/],
    ["not an object", "[]", /bad\.json: a room file is a JSON object/],
    ["no room_root_key", '{"state":[]}', /bad\.json: field "room_root_key" must be a string/],
    [
      "a bad room_root_key",
      '{"room_root_key":"AAAA","state":[]}',
      /bad\.json: field "room_root_key": .*decoded 3 bytes/,
    ],
    [
      "state not an array",
      '{"room_root_key":"zZp5x6T747he4jF657Bq6F2IddvzXDLmHreEuv3pbRQ","state":{}}',
      /bad\.json: field "state" must be an array/,
    ],
    [
      "a bad pin",
      '{"room_root_key":"zZp5x6T747he4jF657Bq6F2IddvzXDLmHreEuv3pbRQ","state":[],"master_keys":{"@a:s":"x"}}',
      /bad\.json: field "master_keys"\["@a:s"\] must be a 32-byte key/,
    ],
  ])("exits 2 naming the file and field for %s", (_why, text, message) => {
    const file = join(tmp, "bad.json");
    writeFileSync(file, text);
    const r = msc3917(["verify", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });
});

describe("msc3917 help", () => {
  it.each(["canonical", "sign", "verify-json", "verify"])("%s --help prints usage and exits 0", (cmd) => {
    const r = msc3917([cmd, "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^usage: msc3917 ${cmd}`));
  });

  it("lists the commands; an unknown one exits 2", () => {
    expect(msc3917(["--help"])).toMatchObject({ code: 0, stdout: expect.stringContaining("verify-json") });
    expect(msc3917(["frobnicate"])).toMatchObject({ code: 2, stderr: expect.stringContaining("unknown command") });
  });
});
