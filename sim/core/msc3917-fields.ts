/**
 * MSC3917's content fields, in their two forms (MSC3917 §Unstable prefix):
 * - stable: `room_root_key`, `creator_key`, `sender_key`, `parent_event_id`, `user_key`;
 * - unstable: `org.matrix.msc3917.v1.<name>`.
 * `signatures` and `unsigned` are never prefixed.
 */
import { type Result, fail, ok } from "./result.ts";

export type FieldForm = "stable" | "unstable";

export const MSC3917_FIELDS = ["room_root_key", "creator_key", "sender_key", "parent_event_id", "user_key"] as const;
export type Msc3917Field = (typeof MSC3917_FIELDS)[number];

export const UNSTABLE_PREFIX = "org.matrix.msc3917.v1.";

/** The unstable names, written out: string literals are internalized, which keeps lookups cheap. */
const PREFIXED = [
  "org.matrix.msc3917.v1.room_root_key",
  "org.matrix.msc3917.v1.creator_key",
  "org.matrix.msc3917.v1.sender_key",
  "org.matrix.msc3917.v1.parent_event_id",
  "org.matrix.msc3917.v1.user_key",
] as const;

/** The name of `field` in the given form. */
export function fieldName(field: Msc3917Field, form: FieldForm): string {
  return form === "stable" ? field : `${UNSTABLE_PREFIX}${field}`;
}

/** The MSC3917 fields of one content object, under their stable names, and the form they came in. */
export interface Msc3917Fields {
  form: FieldForm | null;
  values: Partial<Record<Msc3917Field, unknown>>;
}

/**
 * Read the MSC3917 fields of `content`, in whichever form it uses.
 * Policy: an object that uses both forms is refused (`mixed_field_forms`). Otherwise a verifier
 * reading one form and a signer writing the other could disagree about what was signed.
 *
 * `values` always has the same five properties (undefined where absent): this runs for every event
 * read, and objects of one shape keep the verifier's property reads monomorphic.
 */
export function readMsc3917Fields(content: Record<string, unknown>): Result<Msc3917Fields, "mixed_field_forms"> {
  const stable = hasAny(content, MSC3917_FIELDS);
  const unstable = hasAny(content, PREFIXED);
  if (stable && unstable) return fail("mixed_field_forms");
  if (!stable && !unstable) return ok({ form: null, values: NO_VALUES });
  const n = stable ? MSC3917_FIELDS : PREFIXED;
  return ok({
    form: stable ? "stable" : "unstable",
    values: {
      room_root_key: own(content, n[0]),
      creator_key: own(content, n[1]),
      sender_key: own(content, n[2]),
      parent_event_id: own(content, n[3]),
      user_key: own(content, n[4]),
    },
  });
}

const NO_VALUES: Msc3917Fields["values"] = Object.freeze({
  room_root_key: undefined,
  creator_key: undefined,
  sender_key: undefined,
  parent_event_id: undefined,
  user_key: undefined,
});

function hasAny(content: Record<string, unknown>, names: readonly string[]): boolean {
  for (let i = 0; i < names.length; i++) if (Object.hasOwn(content, names[i]!)) return true;
  return false;
}

const own = (o: Record<string, unknown>, k: string): unknown => (Object.hasOwn(o, k) ? o[k] : undefined);
