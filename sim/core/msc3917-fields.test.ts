import { describe, expect, it } from "vitest";
import { MSC3917_FIELDS, UNSTABLE_PREFIX, fieldName, readMsc3917Fields } from "./msc3917-fields.ts";

describe("readMsc3917Fields", () => {
  const stable = Object.fromEntries(MSC3917_FIELDS.map((f, i) => [f, `v${i}`]));
  const unstable = Object.fromEntries(MSC3917_FIELDS.map((f, i) => [`${UNSTABLE_PREFIX}${f}`, `v${i}`]));

  it("reads every field in either form, under its stable name", () => {
    for (const [content, form] of [
      [stable, "stable"],
      [unstable, "unstable"],
    ] as const) {
      const r = readMsc3917Fields({ membership: "join", ...content });
      expect(r).toEqual({ ok: true, value: { form, values: expect.any(Object) } });
      if (r.ok) for (const [i, f] of MSC3917_FIELDS.entries()) expect(r.value.values[f]).toBe(`v${i}`);
    }
  });

  it("reads each field alone, and only that field", () => {
    for (const form of ["stable", "unstable"] as const)
      for (const f of MSC3917_FIELDS) {
        const r = readMsc3917Fields({ [fieldName(f, form)]: 7 });
        expect(r.ok && r.value.form).toBe(form);
        if (r.ok) for (const g of MSC3917_FIELDS) expect(r.value.values[g]).toBe(g === f ? 7 : undefined);
      }
  });

  it("refuses mixed forms and reports no form for plain content", () => {
    expect(readMsc3917Fields({ room_root_key: "a", [`${UNSTABLE_PREFIX}user_key`]: "b" })).toEqual({
      ok: false,
      error: "mixed_field_forms",
    });
    const plain = readMsc3917Fields({ membership: "join" });
    expect(plain.ok && plain.value.form).toBe(null);
  });

  it("ignores inherited properties", () => {
    const content = Object.create({ room_root_key: "inherited" }) as Record<string, unknown>;
    const r = readMsc3917Fields(content);
    expect(r.ok && r.value.form).toBe(null);
    expect(r.ok && r.value.values.room_root_key).toBe(undefined);
  });
});
