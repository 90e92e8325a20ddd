/**
 * Canonical JSON (Matrix spec, appendices §Canonical JSON).
 *
 * - Object keys sorted by Unicode code point. JavaScript's default sort compares UTF-16 code units,
 *   which puts astral characters (U+10000 and up) before U+E000..U+FFFF; we compare code points.
 * - No insignificant whitespace; UTF-8; non-ASCII written raw.
 * - The only escapes are `\" \\ \b \f \n \r \t` and lowercase `\u00XX` for the other control
 *   characters below U+0020. (`JSON.stringify` on a well-formed string produces exactly this, and
 *   the interop test checks it against matrix-org's `canonicaljson`.)
 * - Numbers are integers in [-(2^53-1), 2^53-1]. Negative zero is written `0`.
 *
 * Hand-written: `another-json` writes `\U0001` and accepts floats, and `canonicalize` is RFC 8785,
 * not Matrix (DESIGN.md §4).
 */
import { type Result, fail, ok } from "./result.ts";

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** A JSON object (not null, not an array): the shape check every reader of untrusted JSON starts with. */
export function isJsonObject(x: unknown): x is Record<string, unknown> {
  return typeof x === "object" && x !== null && !Array.isArray(x);
}

export class CanonicalJsonError extends Error {
  override name = "CanonicalJsonError";
}

/**
 * Policy: nesting deeper than this is rejected with an error rather than followed. Matrix events
 * are at most 64 KiB and real content is a few levels deep; the bound keeps attacker-built nesting
 * from exhausting the stack of the (bounded) recursive encoder below.
 */
export const MAX_JSON_DEPTH = 128;

const LONE_SURROGATE = /\p{Cs}/u;

/** Compare two well-formed strings by Unicode code point (not UTF-16 code unit). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // Surrogates (D800-DFFF) encode code points above FFFF, so they must sort after E000-FFFF.
      x += x >= 0xe000 ? -0x800 : 0x2000;
      y += y >= 0xe000 ? -0x800 : 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

const HIGH_UNIT = /[\ud800-\uffff]/;

function pathOf(path: readonly (string | number)[]): string {
  let out = "$";
  for (const p of path)
    out += typeof p === "number" ? `[${p}]` : /^[A-Za-z_][A-Za-z0-9_]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`;
  return out;
}

const SURROGATE_UNIT = /[\ud800-\udfff]/;

/** A lone surrogate, tested cheaply first: only strings with a surrogate code unit need the code-point-aware test. */
const hasLoneSurrogate = (s: string): boolean => SURROGATE_UNIT.test(s) && LONE_SURROGATE.test(s);

/**
 * What canonical JSON forbids in `value`, as one message naming the path, or null if nothing is:
 * the first problem in the value's own order (its keys as given). The top-level keys in
 * `omitTopLevel` are left out, as the encoder leaves them out. Writes nothing; the recursion is
 * bounded by `MAX_JSON_DEPTH`.
 */
export function canonicalJsonProblem(value: unknown, omitTopLevel?: ReadonlySet<string>): string | null {
  const path: (string | number)[] = [];
  const walk = (v: unknown): string | null => {
    if (path.length > MAX_JSON_DEPTH)
      return `canonical JSON: nesting deeper than ${MAX_JSON_DEPTH} at ${pathOf(path.slice(0, 8))}…`;
    switch (typeof v) {
      case "string":
        return hasLoneSurrogate(v) ? `canonical JSON: lone surrogate in string at ${pathOf(path)}` : null;
      case "boolean":
        return null;
      case "number":
        if (!Number.isInteger(v)) return `canonical JSON: float ${v} at ${pathOf(path)} is not allowed`;
        return Number.isSafeInteger(v) ? null : `canonical JSON: integer ${v} at ${pathOf(path)} is outside ±(2^53-1)`;
      case "object": {
        if (v === null) return null;
        if (Array.isArray(v)) {
          for (let i = 0; i < v.length; i++) {
            path.push(i);
            const problem = walk(v[i]);
            path.pop();
            if (problem !== null) return problem;
          }
          return null;
        }
        const proto = Object.getPrototypeOf(v);
        if (proto !== Object.prototype && proto !== null)
          return `canonical JSON: ${proto?.constructor?.name ?? "exotic object"} at ${pathOf(path)} is not JSON`;
        for (const k of Object.keys(v)) {
          if (path.length === 0 && omitTopLevel?.has(k)) continue;
          path.push(k);
          const problem = hasLoneSurrogate(k)
            ? `canonical JSON: lone surrogate in string at ${pathOf(path)}`
            : walk((v as Record<string, unknown>)[k]);
          path.pop();
          if (problem !== null) return problem;
        }
        return null;
      }
      default:
        return `canonical JSON: ${typeof v} at ${pathOf(path)} is not JSON`;
    }
  };
  return walk(value);
}

/**
 * A string that needs no escape and has no surrogate: written as it is, between quotes. Most
 * strings in events (IDs, base64) are; the others go through `JSON.stringify`.
 */
const PLAIN = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;

/** A string's canonical JSON text, or null for a lone surrogate. */
function encodeString(s: string): string | null {
  if (PLAIN.test(s)) return `"${s}"`;
  return hasLoneSurrogate(s) ? null : JSON.stringify(s);
}

/** Above this many keys, `Array.prototype.sort`; at or below it, an insertion sort in place. */
const SMALL_OBJECT = 24;

/**
 * Sort an object's keys by code point (`high`: some key has a code unit of U+D800 or above, where
 * code-unit order and code-point order differ; otherwise `<` is code-point order). Event objects
 * have a handful of keys, and V8's sort copies the array into a work array first: an insertion
 * sort in place allocates nothing, which matters at one sort per object of every signed message.
 */
function sortKeys(keys: string[], high: boolean): void {
  const n = keys.length;
  if (n > SMALL_OBJECT) {
    if (high) keys.sort(compareCodePoints);
    else keys.sort();
    return;
  }
  for (let i = 1; i < n; i++) {
    const k = keys[i]!;
    let j = i - 1;
    if (high) while (j >= 0 && compareCodePoints(keys[j]!, k) > 0) keys[j + 1] = keys[j--]!;
    else while (j >= 0 && keys[j]! > k) keys[j + 1] = keys[j--]!;
    keys[j + 1] = k;
  }
}

/**
 * The encoder returns each value's text (V8 joins them as ropes). It keeps no path: it gives up
 * (null) at the first thing canonical JSON forbids, and `canonicalJsonProblem` then says what and
 * where. No closures: this runs for every signature checked.
 */
function encodeValue(v: unknown, depth: number, omit: ReadonlySet<string> | undefined): string | null {
  if (depth > MAX_JSON_DEPTH) return null;
  switch (typeof v) {
    case "string":
      return encodeString(v);
    case "boolean":
      return v ? "true" : "false";
    case "number":
      if (!Number.isSafeInteger(v)) return null;
      return String(v); // String(-0) is "0", as canonical JSON wants
    case "object": {
      if (v === null) return "null";
      if (Array.isArray(v)) {
        let out = "[";
        for (let i = 0; i < v.length; i++) {
          const item = encodeValue(v[i], depth + 1, undefined);
          if (item === null) return null;
          out += i > 0 ? `,${item}` : item;
        }
        return `${out}]`;
      }
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) return null;
      const keys = Object.keys(v);
      let high = false;
      for (const k of keys) {
        if (!HIGH_UNIT.test(k)) continue;
        high = true;
        if (hasLoneSurrogate(k)) return null;
      }
      sortKeys(keys, high);
      let out = "{";
      let first = true;
      for (const k of keys) {
        if (omit?.has(k)) continue;
        const item = encodeValue((v as Record<string, unknown>)[k], depth + 1, undefined);
        if (item === null) return null;
        const key = encodeString(k)!; // lone surrogates in keys were refused above
        out += first ? `${key}:${item}` : `,${key}:${item}`;
        first = false;
      }
      return `${out}}`;
    }
    default:
      return null;
  }
}

function encode(value: unknown, omitTopLevel?: ReadonlySet<string>): string {
  const text = encodeValue(value, 0, omitTopLevel);
  if (text !== null) return text;
  throw new CanonicalJsonError(canonicalJsonProblem(value, omitTopLevel) ?? "canonical JSON: not encodable");
}

/**
 * The canonical JSON text of `value`, leaving out the top-level keys in `omitTopLevel`. Throws
 * `CanonicalJsonError`, naming the path, on anything Matrix forbids.
 */
export function canonicalJson(value: unknown, omitTopLevel?: ReadonlySet<string>): string {
  return encode(value, omitTopLevel);
}

/** The canonical JSON of `value` as UTF-8 bytes: what gets signed. */
export function canonicalJsonBytes(value: unknown, omitTopLevel?: ReadonlySet<string>): Uint8Array {
  const buf = Buffer.from(encode(value, omitTopLevel), "utf8");
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
}

type Frame = { kind: "object"; keys: Set<string>; expectKey: boolean; key: string } | { kind: "array"; index: number };

const NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"/y;

/**
 * Parse JSON text from an untrusted source into a value that canonical JSON accepts.
 *
 * `JSON.parse` alone cannot tell `1.0` from `1`, silently keeps the last of duplicate keys, and
 * rounds big integers. A small iterative scan in front of it rejects, with the path:
 * - numbers written with a fraction or exponent (Matrix JSON has integers only);
 * - nesting deeper than `MAX_JSON_DEPTH`;
 * - Policy: duplicate keys in an object. Parsers disagree about which duplicate wins, and signed
 *   JSON whose meaning depends on the parser is a known source of signature-bypass bugs.
 * Then `canonicalJson` checks the integer range and lone surrogates.
 */
export function parseJson(text: string): Result<JsonValue> {
  const stack: Frame[] = [];
  const path = (): string => pathOf(stack.map((f) => (f.kind === "object" ? f.key : f.index)));
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      STRING.lastIndex = i;
      const m = STRING.exec(text);
      if (!m) return fail(`invalid JSON: bad string at offset ${i}`);
      const top = stack[stack.length - 1];
      if (top?.kind === "object" && top.expectKey) {
        // A key without escapes is its text between the quotes; only escaped ones need decoding.
        const key = m[0].includes("\\") ? (JSON.parse(m[0]) as string) : m[0].slice(1, -1);
        if (top.keys.has(key)) return fail(`invalid JSON: duplicate key ${JSON.stringify(key)} at ${path()}`);
        top.keys.add(key);
        top.key = key;
        top.expectKey = false;
      }
      i += m[0].length;
    } else if (c === "-" || (c >= "0" && c <= "9")) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      if (!m) return fail(`invalid JSON: bad number at offset ${i}`);
      if (m[1] !== undefined || m[2] !== undefined)
        return fail(`canonical JSON: float ${m[0]} at ${path()} is not allowed`);
      i += m[0].length;
    } else if (c === "{" || c === "[") {
      if (stack.length >= MAX_JSON_DEPTH) return fail(`canonical JSON: nesting deeper than ${MAX_JSON_DEPTH}`);
      stack.push(
        c === "{" ? { kind: "object", keys: new Set(), expectKey: true, key: "" } : { kind: "array", index: 0 },
      );
      i++;
    } else if (c === "}" || c === "]") {
      stack.pop();
      i++;
    } else if (c === ",") {
      const top = stack[stack.length - 1];
      if (top?.kind === "object") top.expectKey = true;
      else if (top?.kind === "array") top.index++;
      i++;
    } else {
      i++; // whitespace, ':', literals; JSON.parse below checks the grammar
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return fail(`invalid JSON: ${(e as Error).message}`);
  }
  // Check what canonical JSON forbids without writing the canonical text (a room file can be
  // hundreds of megabytes).
  const problem = canonicalJsonProblem(value);
  return problem === null ? ok(value as JsonValue) : fail(problem);
}
