/**
 * The `msc3917` command (DESIGN.md §12). The contract other tools rely on:
 * - exit 0: success; 1: a negative answer (invalid signature, failed expectation);
 *   2: a usage or input error, with one line on stderr and no stack trace;
 * - every subcommand takes `--help`.
 */
import { readFileSync } from "node:fs";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { decodeBase64 } from "../sim/core/base64.ts";
import { canonicalJson, parseJson, type JsonValue } from "../sim/core/canonical-json.ts";
import { type BackendName, PUBLIC_KEY_LENGTH, SEED_LENGTH, backends, signingKeyFromSeed } from "../sim/core/ed25519.ts";
import { isEd25519KeyId, signJson, verifySignedJson } from "../sim/core/signing.ts";
import { REASONS } from "../sim/core/membership-reasons.ts";
import {
  type MemberVerdict,
  type MembershipResult,
  type RoomVerdict,
  verifyMembership,
} from "../sim/core/verify-membership.ts";
import { parseRoomFile } from "../sim/core/room-file.ts";
import { verifyMembershipParallel } from "../sim/core/parallel-verify.ts";
import { textTable } from "./text-table.ts";

/** A usage or input error: exit 2 with this one line. */
export class InputError extends Error {}

type Options = NonNullable<ParseArgsConfig["options"]>;

interface Command {
  summary: string;
  usage: string;
  details: string;
  options: Options;
  run(values: Record<string, string | boolean | undefined>, positionals: string[]): Promise<number> | number;
}

const BACKEND_OPTION: Options = { backend: { type: "string", default: "node" } };
const BACKEND_HELP =
  "  --backend node|noble   Ed25519 implementation (default node); both enforce the same strict policy";

function backendOf(values: Record<string, unknown>) {
  const name = values.backend as string;
  if (name !== "node" && name !== "noble")
    throw new InputError(`--backend must be node or noble, not ${JSON.stringify(name)}`);
  return backends[name as BackendName];
}

/** Read the text of FILE, or of stdin when no FILE (or `-`) is given. */
export function readInput(positionals: string[]): { name: string; text: string } {
  if (positionals.length > 1) throw new InputError(`expected at most one FILE, got ${positionals.length}`);
  const file = positionals[0] === "-" ? undefined : positionals[0];
  if (file === undefined && process.stdin.isTTY) throw new InputError("no input: give FILE or pipe JSON on stdin");
  let bytes: Buffer;
  try {
    bytes = readFileSync(file ?? 0);
  } catch (e) {
    throw new InputError(
      `cannot read ${file ?? "stdin"}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  const name = file ?? "stdin";
  try {
    return { name, text: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
  } catch {
    throw new InputError(`${name}: not valid UTF-8`);
  }
}

function readJson(positionals: string[]): JsonValue {
  const { name, text } = readInput(positionals);
  const parsed = parseJson(text);
  if (!parsed.ok) throw new InputError(`${name}: ${parsed.error}`);
  return parsed.value;
}

function readJsonObject(positionals: string[]): Record<string, JsonValue> {
  const value = readJson(positionals);
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new InputError("input must be a JSON object");
  return value;
}

function requireString(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== "string" || v === "") throw new InputError(`--${name} is required`);
  return v;
}

function keyIdOption(values: Record<string, unknown>): string {
  const keyId = requireString(values, "key-id");
  if (!isEd25519KeyId(keyId)) throw new InputError(`--key-id must look like ed25519:ID, not ${JSON.stringify(keyId)}`);
  return keyId;
}

function base64Option(values: Record<string, unknown>, name: string, length: number): Uint8Array {
  const decoded = decodeBase64(requireString(values, name), { expectedLength: length });
  if (!decoded.ok) throw new InputError(`--${name}: ${decoded.error}`);
  return decoded.value;
}

/** The verdicts as a table for a person: user, status, and the reason or the chain length. */
function verdictTable(result: MembershipResult): string {
  const detail = (v: MemberVerdict | RoomVerdict): string => {
    if (v.status === "verified")
      return "chain_length" in v ? `chain of ${v.chain_length} events to the create event` : `create event ${v.event}`;
    return `${v.reason} at ${v.event}: ${REASONS[v.reason].meaning}${v.detail ? ` (${v.detail})` : ""}`;
  };
  const rows: string[][] = [];
  const counts = { verified: 0, rejected: 0, unknown: 0 };
  for (const [user, v] of Object.entries(result.members)) {
    rows.push([user, v.status, detail(v)]);
    counts[v.status]++;
  }
  const room = result.room.status === "verified" ? [] : [`room-level: ${result.room.status}: ${detail(result.room)}`];
  const tally = `${counts.verified} verified, ${counts.rejected} rejected, ${counts.unknown} unknown`;
  return [`room ${result.room_id}`, ...room, ...textTable([["user", "status", "detail"], ...rows]), tally, ""].join(
    "\n",
  );
}

/**
 * Write the verdicts as JSON (DESIGN.md §12), member by member, so that the output is never one
 * string the size of the room (with `--chains` it grows with the square of the room's depth).
 * The bytes are those of `JSON.stringify(result, null, 2)`.
 */
function writeVerdictsJson(result: MembershipResult, write: (chunk: string) => void): void {
  const indent = (text: string, by: string) => text.replaceAll("\n", `\n${by}`);
  write(
    `{\n  "room_id": ${JSON.stringify(result.room_id)},\n  "room": ${indent(JSON.stringify(result.room, null, 2), "  ")},\n  "members": {`,
  );
  let chunk = "";
  let first = true;
  for (const [user, v] of Object.entries(result.members)) {
    chunk += `${first ? "" : ","}\n    ${JSON.stringify(user)}: ${indent(JSON.stringify(v, null, 2), "    ")}`;
    first = false;
    if (chunk.length > 1 << 16) {
      write(chunk);
      chunk = "";
    }
  }
  write(`${chunk}${first ? "}" : "\n  }"}\n}\n`);
}

const commands: Record<string, Command> = {
  canonical: {
    summary: "write the Matrix canonical JSON of a JSON document",
    usage: "msc3917 canonical [FILE]",
    details:
      "Reads JSON from FILE or stdin and writes its canonical form (Matrix spec, appendices): the bytes\n" +
      "and nothing else, no trailing newline. Floats, integers beyond ±(2^53-1), lone surrogates and\n" +
      "duplicate keys are input errors (exit 2).",
    options: {},
    run(_values, positionals) {
      process.stdout.write(canonicalJson(readJson(positionals)));
      return 0;
    },
  },
  sign: {
    summary: "sign a JSON object with an Ed25519 key derived from a seed",
    usage: "msc3917 sign --seed B64 --entity NAME --key-id ed25519:ID [FILE]",
    details:
      "Signs the JSON object from FILE or stdin as the Matrix spec's Signing JSON says (signatures and\n" +
      "unsigned are left out of what is signed; existing signatures are kept) and writes the signed\n" +
      "object in canonical form.\n" +
      "  --seed B64              the 32-byte Ed25519 seed, base64\n" +
      "  --entity NAME           the signing entity (a server name or user ID)\n" +
      "  --key-id ed25519:ID     the key ID under which the signature is stored\n" +
      BACKEND_HELP,
    options: { seed: { type: "string" }, entity: { type: "string" }, "key-id": { type: "string" }, ...BACKEND_OPTION },
    run(values, positionals) {
      const seed = base64Option(values, "seed", SEED_LENGTH);
      const entity = requireString(values, "entity");
      const keyId = keyIdOption(values);
      const backend = backendOf(values);
      const obj = readJsonObject(positionals);
      process.stdout.write(canonicalJson(signJson(obj, entity, keyId, signingKeyFromSeed(seed, backend), backend)));
      return 0;
    },
  },
  "verify-json": {
    summary: "check one signature on a signed JSON object",
    usage: "msc3917 verify-json --key B64 --entity NAME --key-id ed25519:ID [FILE]",
    details:
      "Exits 0 if signatures[NAME][ed25519:ID] is present and valid under the public key, and 1\n" +
      "otherwise, with the reason on stderr. Verification is strict (libsodium-compatible): small-order\n" +
      "or non-canonical keys and R values, and S >= L, are refused.\n" +
      "  --key B64               the 32-byte Ed25519 public key, base64\n" +
      "  --entity NAME           the signing entity\n" +
      "  --key-id ed25519:ID     the key ID of the signature to check\n" +
      BACKEND_HELP,
    options: { key: { type: "string" }, entity: { type: "string" }, "key-id": { type: "string" }, ...BACKEND_OPTION },
    run(values, positionals) {
      const key = base64Option(values, "key", PUBLIC_KEY_LENGTH);
      const entity = requireString(values, "entity");
      const keyId = keyIdOption(values);
      const backend = backendOf(values);
      const obj = readJsonObject(positionals);
      const result = verifySignedJson(obj, entity, keyId, key, backend);
      if (result.ok) {
        process.stdout.write(`valid: signature by ${entity} ${keyId}\n`);
        return 0;
      }
      process.stderr.write(`invalid: ${result.error} (signature by ${entity} ${keyId})\n`);
      return 1;
    },
  },
  verify: {
    summary: "run the membership-tree verifier on a room file",
    usage: "msc3917 verify [ROOM.json | -] [--format text|json] [--chains]",
    details:
      "Verifies every user whose membership in the room file's state is `join`, by MSC3917's\n" +
      "flowchart, and writes one verdict each: verified (with the chain to the create event),\n" +
      "rejected (with a reason code and the event where it failed) or unknown (an event the chain\n" +
      "needs is missing). Exits 0 if the room's create event matches the RRK and every member\n" +
      "verified, 1 otherwise (a room-level reason when the create event is missing or wrong), 2 on\n" +
      "a bad file. A room file is {room_root_key, state, events?, master_keys?} (DESIGN.md §12);\n" +
      "with no ROOM.json, or `-`, it is read from standard input.\n" +
      "  --format text|json      text (default): a table for a person; json: the verdicts for machines\n" +
      "  --chains                json: give each verified member's whole chain, not only parent and length\n" +
      "  --workers N             check signatures on N worker threads (default 1; same verdicts)\n" +
      BACKEND_HELP,
    options: {
      format: { type: "string", default: "text" },
      chains: { type: "boolean", default: false },
      workers: { type: "string", default: "1" },
      ...BACKEND_OPTION,
    },
    async run(values, positionals) {
      const format = values.format;
      if (format !== "text" && format !== "json")
        throw new InputError(`--format must be text or json, not ${JSON.stringify(format)}`);
      if (positionals.length > 1) throw new InputError("give one ROOM.json, or none (or -) to read standard input");
      const backend = backendOf(values);
      const workers = Number(values.workers);
      if (!Number.isInteger(workers) || workers < 1 || workers > 64)
        throw new InputError(`--workers must be an integer from 1 to 64, not ${JSON.stringify(values.workers)}`);
      const input = readInput(positionals);
      const room = parseRoomFile(input.name, input.text);
      if (!room.ok) throw new InputError(room.error);
      // Drop the text before verifying: a 10^5-member room file is hundreds of megabytes.
      input.text = "";
      const options = { pinned: room.value.pinned, backend, chains: values.chains === true };
      const result =
        workers > 1
          ? await verifyMembershipParallel(room.value, { ...options, workers })
          : verifyMembership(room.value, options);
      if (format === "json") writeVerdictsJson(result, (chunk) => process.stdout.write(chunk));
      else process.stdout.write(verdictTable(result));
      return result.room.status === "verified" && Object.values(result.members).every((v) => v.status === "verified")
        ? 0
        : 1;
    },
  },
};

function mainHelp(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  return [
    "msc3917: a laboratory for MSC3917 (Cryptographically Constrained Room Membership)",
    "",
    "usage: msc3917 COMMAND [OPTIONS] [ARGS]",
    "",
    "commands:",
    ...Object.entries(commands).map(([n, c]) => `  ${n.padEnd(width)}  ${c.summary}`),
    "",
    "Run `msc3917 COMMAND --help` for a command's options.",
    "Exit codes: 0 success, 1 a negative answer, 2 a usage or input error.",
    "",
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(mainHelp());
    return name === undefined ? 2 : 0;
  }
  const command = commands[name];
  if (!command) {
    process.stderr.write(`msc3917: unknown command ${JSON.stringify(name)}; try msc3917 --help\n`);
    return 2;
  }
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      process.stdout.write(`usage: ${command.usage}\n\n${command.summary}.\n${command.details}\n`);
      return 0;
    }
    return await command.run(values as Record<string, string | boolean | undefined>, positionals);
  } catch (e) {
    const err = e as Error & { code?: string };
    if (e instanceof InputError || err.code?.startsWith("ERR_PARSE_ARGS")) {
      process.stderr.write(`msc3917 ${name}: ${err.message.split("\n")[0]}\n`);
      return 2;
    }
    if (process.env.MSC3917_DEBUG) console.error(e);
    process.stderr.write(
      `msc3917 ${name}: internal error: ${err.message?.split("\n")[0]} (set MSC3917_DEBUG=1 for a stack trace)\n`,
    );
    return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
