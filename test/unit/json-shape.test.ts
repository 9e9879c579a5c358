/** The shape every JSON body must have: bounded nesting, no __proto__ keys. */
import { describe, expect, it } from "vitest";
import { assertSafeJson, MAX_JSON_DEPTH } from "../../src/domain/json-shape";
import { LarderError } from "../../src/domain/errors";

function refusal(value: unknown): LarderError {
  try {
    assertSafeJson(value);
  } catch (err) {
    if (err instanceof LarderError) return err;
    throw err;
  }
  throw new Error("accepted");
}

const nested = (levels: number) => {
  let v: unknown = 1;
  for (let i = 0; i < levels; i++) v = [v];
  return v;
};

describe("assertSafeJson", () => {
  it("accepts ordinary bodies and exactly the depth limit", () => {
    expect(() => assertSafeJson({ a: [1, { b: "x" }], c: null })).not.toThrow();
    expect(() => assertSafeJson(nested(MAX_JSON_DEPTH))).not.toThrow();
    expect(() => assertSafeJson({ constructor: 1, prototype: 2, toString: 3 })).not.toThrow();
  });

  it("refuses one level more, naming the path", () => {
    const err = refusal({ entity_df: { label: [nested(MAX_JSON_DEPTH - 2)] } });
    expect(err.code).toBe("VALIDATION_ERROR");
    expect(err.message).toMatch(/^JSON at entity_df\.label\[0\]/);
    expect(err.details.max_depth).toBe(64);
  });

  it("walks 100,000 levels without overflowing the stack", () => {
    expect(refusal(nested(100_000)).code).toBe("VALIDATION_ERROR");
  });

  it("refuses a __proto__ key at any depth, naming where", () => {
    const top = JSON.parse('{"__proto__": 1}');
    expect(refusal(top).message).toMatch(/'__proto__' at the top level/);
    const deep = JSON.parse('{"rows": [{"a": 1}, {"__proto__": {"x": 1}}]}');
    expect(refusal(deep).details).toEqual({ path: "rows[1]", key: "__proto__" });
  });
});
