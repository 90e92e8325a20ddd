/**
 * Results, not exceptions, cross the boundary of anything that reads untrusted input
 * (STYLE.md, "Habits in this repo"). `E` is usually a short reason code or message.
 */
export type Result<T, E = string> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const fail = <E>(error: E): { ok: false; error: E } => ({ ok: false, error });
