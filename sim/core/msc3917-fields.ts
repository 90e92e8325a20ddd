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

/** The unstable names, made once: this runs for every event read. */
const PREFIXED: readonly string[] = MSC3917_FIELDS.map((f) => `${UNSTABLE_PREFIX}${f}`);

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
 */
export function readMsc3917Fields(content: Record<string, unknown>): Result<Msc3917Fields, "mixed_field_forms"> {
  const values: Partial<Record<Msc3917Field, unknown>> = {};
  let stable = false;
  let unstable = false;
  for (let i = 0; i < MSC3917_FIELDS.length; i++) {
    const field = MSC3917_FIELDS[i]!;
    if (Object.hasOwn(content, field)) {
      stable = true;
      values[field] = content[field];
    }
    const prefixed = PREFIXED[i]!;
    if (Object.hasOwn(content, prefixed)) {
      unstable = true;
      values[field] = content[prefixed];
    }
  }
  if (stable && unstable) return fail("mixed_field_forms");
  return ok({ form: stable ? "stable" : unstable ? "unstable" : null, values });
}
