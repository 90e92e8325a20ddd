/**
 * Canonical JSON (Matrix spec, appendices §Canonical JSON).
 *
 * - Object keys sorted by Unicode code point. JavaScript's default sort compares UTF-16 code units,
 *   which puts astral characters (U+10000 and up) before U+E000..U+FFFF; we compare code points.
 * - No insignificant whitespace; UTF-8; non-ASCII written raw.
 * - The only escapes are `\" \\ \b \f \n \r \t` and lowercase `\u00XX` for the other control
 *   characters below U+0020: what `JSON.stringify` writes for a well-formed string. The encoder
 *   writes UTF-8 bytes itself (a property test compares it with `JSON.stringify`, and the interop
 *   test with matrix-org's `canonicaljson`).
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

/** A code unit at or above D800 (a surrogate, or E000-FFFF): a loop, faster than a regular expression on short keys. */
function hasHighUnit(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0xd800) return true;
  return false;
}

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

/** Above this many keys, `Array.prototype.sort`; at or below it, an insertion sort in place. */
const SMALL_OBJECT = 24;

/**
 * Sort an object's keys by code point (`high`: some key has a code unit of U+D800 or above, where
 * code-unit order and code-point order differ; otherwise `<` is code-point order). Event objects
 * have a handful of keys, and V8's sort copies the array into a work array first: an insertion
 * sort in place allocates nothing, which matters at one sort per object of every signed message.
 */
function sortKeys(keys: string[], n: number, high: boolean): void {
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

/** The UTF-8 of the escape each ASCII character needs (`\"`, `\\`, the five short ones, `\u00XX`), or undefined. */
const ESCAPES: readonly (Uint8Array | undefined)[] = Array.from({ length: 0x80 }, (_, c) => {
  if (c >= 0x20 && c !== 0x22 && c !== 0x5c) return undefined;
  return Buffer.from(JSON.stringify(String.fromCharCode(c)).slice(1, -1), "latin1");
});

/** 1 for the ASCII characters written as they are; a code unit past the table reads undefined. */
const PLAIN = Uint8Array.from({ length: 0x80 }, (_, c) => (ESCAPES[c] === undefined ? 1 : 0));

/**
 * Writes canonical JSON as UTF-8 straight into a byte buffer that grows by doubling: no strings
 * are built on the way (no ropes to flatten, no text to encode again), so that a signed message
 * costs one allocation, its own bytes. This runs for every signature checked and made.
 * Each method returns false, and writes nothing more, at the first thing canonical JSON forbids.
 */
class Writer {
  bytes: Uint8Array;
  at = 0;
  /** Per depth, the keys of the object being written there (`value`). */
  private readonly keyLists: string[][] = [];

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
  }

  /** Make room for `n` more bytes. */
  reserve(n: number): void {
    const need = this.at + n;
    if (need <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < need) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.at));
    this.bytes = grown;
  }

  byte(c: number): void {
    this.reserve(1);
    this.bytes[this.at++] = c;
  }

  /** A string of ASCII characters that need no escape (number texts, literals). */
  ascii(s: string): void {
    this.reserve(s.length);
    const out = this.bytes;
    let p = this.at;
    for (let i = 0; i < s.length; i++) out[p++] = s.charCodeAt(i);
    this.at = p;
  }

  /**
   * A string, quoted, with the spec's escapes only, as UTF-8; false for a lone surrogate. (What
   * `JSON.stringify` writes for a well-formed string, encoded: the tests check the two agree.)
   */
  string(s: string): boolean {
    const n = s.length;
    this.reserve(6 * n + 2); // at most 6 bytes per code unit (`\u00XX`); a pair's 4 bytes are 2 per unit
    const out = this.bytes;
    let p = this.at;
    out[p++] = 0x22;
    for (let i = 0; i < n; i++) {
      let c = s.charCodeAt(i);
      if (PLAIN[c] === 1) out[p++] = c;
      else if (c < 0x80) {
        const escape = ESCAPES[c]!;
        for (let j = 0; j < escape.length; j++) out[p++] = escape[j]!;
      } else if (c < 0x800) {
        out[p++] = 0xc0 | (c >> 6);
        out[p++] = 0x80 | (c & 0x3f);
      } else if (c < 0xd800 || c > 0xdfff) {
        out[p++] = 0xe0 | (c >> 12);
        out[p++] = 0x80 | ((c >> 6) & 0x3f);
        out[p++] = 0x80 | (c & 0x3f);
      } else {
        // A high surrogate followed by a low one is one code point above U+FFFF; anything else is lone.
        const d = c <= 0xdbff && i + 1 < n ? s.charCodeAt(i + 1) : 0;
        if (d < 0xdc00 || d > 0xdfff) return false;
        i++;
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        out[p++] = 0xf0 | (c >> 18);
        out[p++] = 0x80 | ((c >> 12) & 0x3f);
        out[p++] = 0x80 | ((c >> 6) & 0x3f);
        out[p++] = 0x80 | (c & 0x3f);
      }
    }
    out[p++] = 0x22;
    this.at = p;
    return true;
  }

  /**
   * Any value. It keeps no path: `canonicalJsonProblem` says what and where after a false. The
   * recursion is bounded by `MAX_JSON_DEPTH`.
   */
  value(v: unknown, depth: number, omit: ReadonlySet<string> | undefined): boolean {
    if (depth > MAX_JSON_DEPTH) return false;
    switch (typeof v) {
      case "string":
        return this.string(v);
      case "boolean":
        this.ascii(v ? "true" : "false");
        return true;
      case "number":
        if (!Number.isSafeInteger(v)) return false;
        this.ascii(String(v)); // String(-0) is "0", as canonical JSON wants
        return true;
      case "object": {
        if (v === null) {
          this.ascii("null");
          return true;
        }
        if (Array.isArray(v)) {
          this.byte(0x5b);
          for (let i = 0; i < v.length; i++) {
            if (i > 0) this.byte(0x2c);
            if (!this.value(v[i], depth + 1, undefined)) return false;
          }
          this.byte(0x5d);
          return true;
        }
        const proto = Object.getPrototypeOf(v);
        if (proto !== Object.prototype && proto !== null) return false;
        // The keys go into this depth's list, reused by every object at this depth (its children use
        // the next one's), so that an object costs no array of its own; a large one gets a copy.
        let list = this.keyLists[depth];
        if (list === undefined) this.keyLists[depth] = list = [];
        let n = 0;
        let high = false;
        for (const k in v) {
          if (!Object.hasOwn(v, k)) continue;
          list[n++] = k;
          if (!hasHighUnit(k)) continue;
          high = true;
          if (hasLoneSurrogate(k)) return false; // before sorting: code-point order is for well-formed keys
        }
        let keys = list;
        if (n > SMALL_OBJECT) {
          keys = list.slice(0, n); // sorted by V8's sort, which needs the exact length
          if (list.length > KEPT_KEYS) list.length = 0;
        }
        sortKeys(keys, n, high);
        this.byte(0x7b);
        let first = true;
        for (let i = 0; i < n; i++) {
          const k = keys[i]!;
          if (omit?.has(k)) continue;
          if (!first) this.byte(0x2c);
          first = false;
          this.string(k); // well formed: lone surrogates in keys were refused above
          this.byte(0x3a);
          if (!this.value((v as Record<string, unknown>)[k], depth + 1, undefined)) return false;
        }
        this.byte(0x7d);
        return true;
      }
      default:
        return false;
    }
  }
}

/** A writer kept between calls, so that its buffer is allocated once; a larger one is not kept. */
let idle: Writer | null = null;
const KEPT_WRITER_BYTES = 1 << 20;
/** A depth's key list longer than this is not kept for the next object. */
const KEPT_KEYS = 1 << 10;

/**
 * Messages of up to 4 KB encoded for `canonicalJsonView` are copied into a shared 64 KB buffer,
 * one after the other: a verification's thousands of messages are then a few buffers, not one
 * each (at 10^5 members, about 60 MB less peak memory through the CLI).
 */
let shared = new Uint8Array(0);
let sharedAt = 0;
const SHARED_BYTES = 1 << 16;
const MAX_SHARED_MESSAGE = 1 << 12;

function viewOf(bytes: Uint8Array, n: number): Uint8Array {
  if (n > MAX_SHARED_MESSAGE) return bytes.slice(0, n);
  if (sharedAt + n > shared.length) {
    shared = new Uint8Array(SHARED_BYTES);
    sharedAt = 0;
  }
  shared.set(bytes.subarray(0, n), sharedAt);
  return shared.subarray(sharedAt, (sharedAt += n));
}

function encode(value: unknown, omitTopLevel?: ReadonlySet<string>, view = false): Uint8Array {
  // A getter reached while encoding could encode again: that call gets a writer of its own.
  const writer = idle ?? new Writer(1 << 12);
  idle = null;
  try {
    writer.at = 0;
    if (writer.value(value, 0, omitTopLevel))
      return view ? viewOf(writer.bytes, writer.at) : writer.bytes.slice(0, writer.at);
  } finally {
    if (writer.bytes.length <= KEPT_WRITER_BYTES) idle = writer;
  }
  throw new CanonicalJsonError(canonicalJsonProblem(value, omitTopLevel) ?? "canonical JSON: not encodable");
}

/**
 * The canonical JSON text of `value`, leaving out the top-level keys in `omitTopLevel`. Throws
 * `CanonicalJsonError`, naming the path, on anything Matrix forbids.
 */
export function canonicalJson(value: unknown, omitTopLevel?: ReadonlySet<string>): string {
  const bytes = encode(value, omitTopLevel);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
}

/** The canonical JSON of `value` as UTF-8 bytes: what gets signed. */
export function canonicalJsonBytes(value: unknown, omitTopLevel?: ReadonlySet<string>): Uint8Array {
  return encode(value, omitTopLevel);
}

/**
 * `canonicalJsonBytes`, as a view of a buffer shared with other messages: for bytes that are only
 * read (a message whose signature is checked), never written to, since a write would change the
 * messages beside it.
 */
export function canonicalJsonView(value: unknown, omitTopLevel?: ReadonlySet<string>): Uint8Array {
  return encode(value, omitTopLevel, true);
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
