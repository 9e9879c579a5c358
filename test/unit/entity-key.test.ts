import { describe, expect, it } from "vitest";
import { ERROR_STATUS } from "../../src/http/error-response";
import { LarderError } from "../../src/domain/errors";
import type { ValueType } from "../../src/domain/dtypes";
import {
  encodeKeyValue,
  entityKey,
  KEY_ENCODING_VERSION,
  KV_KEY_MAX_BYTES,
  onlineKey,
  pushWriterTag,
  onlinePrefix,
} from "../../src/domain/entity-key";

/** The key of a row given as an object; join keys sorted as CompiledView.joinKeys are. */
function keyOf(types: Record<string, ValueType>, row: Record<string, unknown>): string {
  return entityKey(Object.keys(types).sort(), types, (k) => row[k]);
}

function thrown(fn: () => unknown): LarderError {
  try {
    fn();
  } catch (err) {
    if (err instanceof LarderError) return err;
    throw new Error(`expected a LarderError, got ${String(err)}`);
  }
  throw new Error("expected a LarderError, nothing was thrown");
}

describe("encodeKeyValue", () => {
  it("tags each value with its type", () => {
    expect(encodeKeyValue("STRING", "cust_1")).toEqual({ ok: true, part: "s:cust_1" });
    expect(encodeKeyValue("BYTES", "aGVsbG8=")).toEqual({ ok: true, part: "b:aGVsbG8%3D" });
    expect(encodeKeyValue("INT32", 7)).toEqual({ ok: true, part: "i:7" });
    expect(encodeKeyValue("INT64", "9223372036854775807")).toEqual({ ok: true, part: "i:9223372036854775807" });
  });

  it('canonicalizes integers: 7, "7", "007" and " 7 " are one value', () => {
    for (const type of ["INT32", "INT64"] as const) {
      const parts = [7, "7", "007", " 7 "].map((v) => encodeKeyValue(type, v));
      for (const p of parts) expect(p).toEqual({ ok: true, part: "i:7" });
    }
    expect(encodeKeyValue("INT64", "-0")).toEqual(encodeKeyValue("INT64", 0));
    expect(encodeKeyValue("INT64", -0)).toEqual({ ok: true, part: "i:0" });
    expect(encodeKeyValue("INT32", "-0042")).toEqual({ ok: true, part: "i:-42" });
  });

  it('keeps a string "7" and an integer 7 apart', () => {
    const s = encodeKeyValue("STRING", "7");
    const i = encodeKeyValue("INT64", 7);
    expect(s.ok && i.ok && s.part !== i.part).toBe(true);
  });

  it("refuses integers out of range", () => {
    expect(encodeKeyValue("INT32", 2 ** 31 - 1)).toEqual({ ok: true, part: "i:2147483647" });
    expect(encodeKeyValue("INT32", -(2 ** 31))).toEqual({ ok: true, part: "i:-2147483648" });
    expect(encodeKeyValue("INT32", 2 ** 31)).toEqual({ ok: false, reason: "integer out of INT32 range" });
    expect(encodeKeyValue("INT32", "-2147483649")).toEqual({ ok: false, reason: "integer out of INT32 range" });
    expect(encodeKeyValue("INT64", "9223372036854775808")).toEqual({ ok: false, reason: "integer out of INT64 range" });
    expect(encodeKeyValue("INT64", "-9223372036854775809")).toEqual({
      ok: false,
      reason: "integer out of INT64 range",
    });
  });

  it.each([1.5, "1.5", "", "abc", "1e3", true, null, [7], 2 ** 53, Number.NaN])("refuses the non-integer %j", (v) => {
    const result = encodeKeyValue("INT64", v);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/expected an integer \(INT64\)/);
  });

  it("refuses a non-string for STRING and non-base64 for BYTES", () => {
    expect(encodeKeyValue("STRING", 7)).toEqual({ ok: false, reason: "expected a string" });
    expect(encodeKeyValue("BYTES", "not base64!")).toEqual({ ok: false, reason: "expected base64 bytes" });
    expect(encodeKeyValue("BYTES", 12)).toEqual({ ok: false, reason: "expected base64 bytes" });
  });
});

describe("entityKey", () => {
  it("encodes one join key", () => {
    expect(keyOf({ customer_id: "STRING" }, { customer_id: "cust_12345" })).toBe("customer_id=s:cust_12345");
    expect(keyOf({ driver_id: "INT64" }, { driver_id: "1001" })).toBe("driver_id=i:1001");
  });

  it('gives the same key for 7, "7" and "007"', () => {
    const types = { driver_id: "INT64" as const };
    const keys = new Set([7, "7", "007"].map((v) => keyOf(types, { driver_id: v })));
    expect([...keys]).toEqual(["driver_id=i:7"]);
  });

  it("orders composite keys by the given (sorted) join-key order, not by the row's", () => {
    const types = { store_id: "INT64" as const, product_id: "STRING" as const };
    const a = keyOf(types, { store_id: 3, product_id: "p1" });
    const b = keyOf(types, { product_id: "p1", store_id: "3" });
    expect(a).toBe("product_id=s:p1&store_id=i:3");
    expect(b).toBe(a);
  });

  it("escapes & and = inside values so different entities never collide", () => {
    const types = { a: "STRING" as const, b: "STRING" as const };
    // Naively joined, both would read a=s:x&b=s:y&b=s:z.
    const first = keyOf(types, { a: "x&b=s:y", b: "z" });
    const second = keyOf(types, { a: "x", b: "y&b=s:z" });
    expect(first).not.toBe(second);
    expect(first).toBe("a=s:x%26b%3Ds%3Ay&b=s:z");
    // Exactly one `&` separates the two parts, and each part has exactly one `=`.
    for (const key of [first, second]) {
      const parts = key.split("&");
      expect(parts).toHaveLength(2);
      for (const part of parts) expect(part.split("=")).toHaveLength(2);
    }
  });

  it("escapes the % of an already-escaped looking value", () => {
    const types = { a: "STRING" as const };
    expect(keyOf(types, { a: "x%26y" })).not.toBe(keyOf(types, { a: "x&y" }));
  });

  it("distinguishes many tricky string values", () => {
    const types = { a: "STRING" as const, b: "STRING" as const };
    const rows = [
      { a: "", b: "" },
      { a: "&", b: "" },
      { a: "", b: "&" },
      { a: "=", b: "=" },
      { a: "a=s:", b: "" },
      { a: "x y", b: "x+y" },
      { a: "é", b: "e" },
      { a: "%C3%A9", b: "e" },
    ];
    const keys = rows.map((r) => keyOf(types, r));
    expect(new Set(keys).size).toBe(rows.length);
  });

  it("throws VALIDATION_ERROR naming a missing (undefined or null) join key", () => {
    const types = { store_id: "INT64" as const, product_id: "STRING" as const };
    for (const row of [{ product_id: "p1" }, { product_id: "p1", store_id: null }]) {
      const err = thrown(() => keyOf(types, row));
      expect(err.code).toBe("VALIDATION_ERROR");
      expect(ERROR_STATUS[err.code]).toBe(400);
      expect(err.message).toMatch(/store_id/);
      expect(err.details).toEqual({ join_key: "store_id" });
    }
  });

  it("throws VALIDATION_ERROR with the join key and value for a value of the wrong type or out of range", () => {
    const err = thrown(() => keyOf({ driver_id: "INT32" }, { driver_id: "2147483648" }));
    expect(err.code).toBe("VALIDATION_ERROR");
    expect(err.message).toMatch(/driver_id.*out of INT32 range/);
    expect(err.details).toEqual({ join_key: "driver_id", value: "2147483648" });
    const typeErr = thrown(() => keyOf({ customer_id: "STRING" }, { customer_id: 12345 }));
    expect(typeErr.code).toBe("VALIDATION_ERROR");
    expect(typeErr.details).toEqual({ join_key: "customer_id", value: 12345 });
  });

  it("defaults a join key without a known type to STRING", () => {
    expect(entityKey(["k"], {}, () => "v")).toBe("k=s:v");
  });
});

describe("onlineKey", () => {
  const prefix = `v${KEY_ENCODING_VERSION}/ai_etl/customer/`;

  it("prefixes project and view", () => {
    expect(onlineKey("ai_etl", "customer", "customer_id=s:cust_1")).toBe(`${prefix}customer_id=s:cust_1`);
    expect(onlinePrefix("ai_etl", "customer")).toBe(prefix);
    expect(onlineKey("ai_etl", "customer", "x").startsWith(onlinePrefix("ai_etl", "customer"))).toBe(true);
  });

  it("keeps projects and views in separate key spaces", () => {
    expect(onlineKey("a", "b_c", "k")).not.toBe(onlineKey("a_b", "c", "k"));
    // A view's prefix ends with "/", so listing view "b" never includes view "bc".
    expect(onlineKey("a", "bc", "k").startsWith(onlinePrefix("a", "b"))).toBe(false);
  });

  it("allows a key of 504 bytes (512 with the longest writer tag) and refuses 505 with VALIDATION_ERROR", () => {
    const room = KV_KEY_MAX_BYTES - 8 - prefix.length;
    const exact = "x".repeat(room);
    expect(new TextEncoder().encode(onlineKey("ai_etl", "customer", exact)).byteLength).toBe(504);
    const longestTag = pushWriterTag("zz"); // any tag fits: at most 8 bytes
    const tagged = onlineKey("ai_etl", "customer", exact, `#${"z".repeat(7)}`);
    expect(new TextEncoder().encode(tagged).byteLength).toBe(512);
    expect(longestTag.length).toBeLessThanOrEqual(8);
    const err = thrown(() => onlineKey("ai_etl", "customer", `${exact}x`));
    expect(err.code).toBe("VALIDATION_ERROR");
    expect(ERROR_STATUS[err.code]).toBe(400);
    expect(err.details).toEqual({ feature_view: "customer", max_bytes: 504 });
    expect(err.message).toMatch(/504 bytes/);
  });

  it("gives each push source its own writer tag, materialization none", () => {
    const key = onlineKey("ai_etl", "customer", "customer_id=s:c1");
    expect(key).toBe("v1/ai_etl/customer/customer_id=s:c1");
    const tag = pushWriterTag("customer_realtime_updates");
    expect(tag).toMatch(/^#[0-9a-z]{1,7}$/);
    expect(onlineKey("ai_etl", "customer", "customer_id=s:c1", tag)).toBe(`${key}${tag}`);
    expect(pushWriterTag("other_push")).not.toBe(tag);
  });

  it("counts multi-byte UTF-8 in bytes, not characters", () => {
    const room = KV_KEY_MAX_BYTES - 8 - prefix.length;
    // Fewer characters than the limit, more bytes: each é is 2 bytes, each 😀 is 4 (2 UTF-16 units).
    const twoByte = "é".repeat(Math.floor(room / 2) + 1);
    expect(prefix.length + twoByte.length).toBeLessThan(KV_KEY_MAX_BYTES);
    expect(thrown(() => onlineKey("ai_etl", "customer", twoByte)).code).toBe("VALIDATION_ERROR");
    const fourByte = "😀".repeat(Math.floor(room / 4) + 1);
    expect(prefix.length + fourByte.length).toBeLessThan(KV_KEY_MAX_BYTES);
    expect(thrown(() => onlineKey("ai_etl", "customer", fourByte)).code).toBe("VALIDATION_ERROR");
    // And the same number of bytes that fit is accepted.
    expect(() => onlineKey("ai_etl", "customer", "é".repeat(Math.floor(room / 2)))).not.toThrow();
    expect(() => onlineKey("ai_etl", "customer", "😀".repeat(Math.floor(room / 4)))).not.toThrow();
  });

  it("refuses a long entity value end to end (entityKey + onlineKey), counting its escaped bytes", () => {
    const types = { customer_id: "STRING" as const };
    const short = keyOf(types, { customer_id: "c".repeat(100) });
    expect(() => onlineKey("ai_etl", "customer", short)).not.toThrow();
    // 150 characters of 'é' are 300 UTF-8 bytes, escaped to 900 bytes of key.
    const long = keyOf(types, { customer_id: "é".repeat(150) });
    expect(thrown(() => onlineKey("ai_etl", "customer", long)).code).toBe("VALIDATION_ERROR");
    const ascii = keyOf(types, { customer_id: "c".repeat(600) });
    expect(thrown(() => onlineKey("ai_etl", "customer", ascii)).code).toBe("VALIDATION_ERROR");
  });
});
