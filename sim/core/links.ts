/**
 * Room links that carry the RRK (MSC3917 §Rooms as Keys): `matrix:` URIs and `matrix.to` links get
 * a `room_root_key` query parameter, so a user who follows a link to an alias learns the room's
 * real RRK from whoever sent the link, not from the homeserver that resolves the alias.
 *
 * - `matrix:r/<alias>?via=…&room_root_key=…` and `matrix:roomid/<id>?…` (Matrix spec, appendices §URIs);
 * - `https://matrix.to/#/<#alias or !id>?via=…&room_root_key=…`.
 */
import { decodeBase64, encodeBase64 } from "./base64.ts";
import { PUBLIC_KEY_LENGTH, checkPublicKey } from "./ed25519.ts";
import { type Result, fail, ok } from "./result.ts";
import { roomIdFromRrk, rrkFromRoomId } from "./room-root-key.ts";

export type LinkScheme = "matrix" | "matrix.to";

export interface RoomLink {
  /** `#alias:server` or `!roomid`. */
  target: string;
  via: string[];
  /** The RRK the link vouches for, if it carries one (always, for an RRK room ID). */
  rrk?: Uint8Array;
}

function encodeQuery(link: RoomLink): string {
  const params = link.via.map((v) => `via=${encodeURIComponent(v)}`);
  if (link.rrk) params.push(`room_root_key=${encodeURIComponent(encodeBase64(link.rrk))}`);
  return params.length ? `?${params.join("&")}` : "";
}

/** Build a link. For an RRK room ID, the RRK is added if not given, and must match if given. */
export function buildRoomLink(link: RoomLink, scheme: LinkScheme): string {
  const checked = checkTarget(link.target, link.rrk);
  if (!checked.ok) throw new TypeError(`buildRoomLink: ${checked.error}`);
  const full: RoomLink = { ...link, rrk: checked.value };
  const sigil = link.target[0];
  const rest = link.target.slice(1);
  if (scheme === "matrix")
    return `matrix:${sigil === "#" ? "r" : "roomid"}/${encodeURIComponent(rest).replace(/%3A/g, ":")}${encodeQuery(full)}`;
  return `https://matrix.to/#/${encodeURIComponent(link.target).replace(/%3A/g, ":")}${encodeQuery(full)}`;
}

function checkTarget(target: string, rrk: Uint8Array | undefined): Result<Uint8Array | undefined> {
  if (!/^[#!]/.test(target)) return fail(`target must start with # or !, got ${JSON.stringify(target)}`);
  if (target.startsWith("#")) return ok(rrk);
  const fromId = rrkFromRoomId(target);
  if (!fromId.ok) return ok(rrk); // a legacy room ID: nothing to check against
  if (rrk && Buffer.compare(rrk, fromId.value) !== 0) return fail("room_root_key does not match the room ID");
  return ok(fromId.value);
}

/**
 * Parse a `matrix:` or `matrix.to` room link. Errors say what is wrong.
 * Policy: `room_root_key` may be standard or URL-safe base64, and the query is decoded with
 * `decodeURIComponent` only (a `+` stays a `+`, unlike form decoding, since base64 uses it). A link
 * that names an RRK room ID and a different `room_root_key` is refused, not resolved either way.
 */
export function parseRoomLink(uri: string): Result<RoomLink> {
  let path: string;
  let query: string;
  const split = (s: string): [string, string] => {
    const q = s.indexOf("?");
    return q === -1 ? [s, ""] : [s.slice(0, q), s.slice(q + 1)];
  };
  if (uri.startsWith("matrix:")) {
    const [p, q] = split(uri.slice("matrix:".length));
    const m = /^(r|roomid)\/([^/]+)$/.exec(p);
    if (!m) return fail("a matrix: room link is matrix:r/<alias> or matrix:roomid/<id>");
    path = (m[1] === "r" ? "#" : "!") + m[2]!;
    query = q;
  } else if (/^https:\/\/matrix\.to\/#\//.test(uri)) {
    [path, query] = split(uri.slice("https://matrix.to/#/".length));
  } else {
    return fail("not a matrix: or https://matrix.to/ link");
  }
  let target: string;
  try {
    target = decodeURIComponent(path);
  } catch {
    return fail("bad percent-encoding in the room");
  }
  const via: string[] = [];
  let rrk: Uint8Array | undefined;
  for (const pair of query ? query.split("&") : []) {
    const eq = pair.indexOf("=");
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(eq === -1 ? pair : pair.slice(0, eq));
      value = decodeURIComponent(eq === -1 ? "" : pair.slice(eq + 1));
    } catch {
      return fail("bad percent-encoding in the query");
    }
    if (key === "via") via.push(value);
    else if (key === "room_root_key") {
      if (rrk) return fail("room_root_key given twice");
      const decoded = /[-_]/.test(value)
        ? decodeBase64(value, { alphabet: "urlsafe", expectedLength: PUBLIC_KEY_LENGTH })
        : decodeBase64(value, { expectedLength: PUBLIC_KEY_LENGTH });
      if (!decoded.ok) return fail(`room_root_key: ${decoded.error}`);
      if (checkPublicKey(decoded.value)) return fail("room_root_key is not a usable Ed25519 key");
      rrk = decoded.value;
    }
  }
  const checked = checkTarget(target, rrk);
  if (!checked.ok) return checked;
  return ok(checked.value ? { target, via, rrk: checked.value } : { target, via });
}

/** The room ID a link leads to when it vouches for an RRK: `!<urlsafe RRK>`. */
export function roomIdOfLink(link: RoomLink): string | undefined {
  return link.rrk ? roomIdFromRrk(link.rrk) : link.target.startsWith("!") ? link.target : undefined;
}
