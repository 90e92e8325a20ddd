/** fast-check arbitraries shared by the property tests. */
import fc from "fast-check";
import type { JsonValue } from "../sim/core/canonical-json.ts";

/** Strings that stress canonical JSON: controls, quotes, U+2028, astral and U+E000-U+FFFF characters. */
export const trickyString = fc.string({
  unit: fc.oneof(
    fc.constantFrom("\u0000", "\u001f", "\u007f", "\u2028", '"', "\\", "😀", "\uffff", "\ue000", "日"),
    fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
  ),
});

/** Any value Matrix canonical JSON accepts: safe integers and well-formed strings. */
export const matrixJson: fc.Arbitrary<JsonValue> = fc.letrec<{ value: JsonValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.maxSafeInteger(),
    trickyString,
    fc.array(tie("value"), { maxLength: 5 }),
    fc.dictionary(trickyString, tie("value"), { maxKeys: 5 }),
  ),
})).value;
