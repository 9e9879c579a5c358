import { describe, expect, it } from "vitest";
import { normalizeDtype, normalizeValueType, SCALAR_DTYPES, valueProblem, type Dtype } from "../../src/domain/dtypes";

describe("normalizeDtype", () => {
  it("keeps every canonical scalar dtype as is", () => {
    for (const dtype of SCALAR_DTYPES) expect(normalizeDtype(dtype)).toBe(dtype);
  });

  it.each([
    ["Int32", "int32"],
    ["Int64", "int64"],
    ["Float32", "float32"],
    ["Float64", "float64"],
    ["String", "string"],
    ["Bool", "bool"],
    ["Bytes", "bytes"],
    ["UnixTimestamp", "unix_timestamp"],
    ["INT64", "int64"],
    ["  float64  ", "float64"],
  ])("folds Feast's and other casings: %j -> %s", (raw, expected) => {
    expect(normalizeDtype(raw)).toBe(expected);
  });

  it.each([
    ["int", "int32"],
    ["integer", "int32"],
    ["long", "int64"],
    ["float", "float32"],
    ["double", "float64"],
    ["str", "string"],
    ["boolean", "bool"],
    ["timestamp", "unix_timestamp"],
  ])("accepts the alias %j as %s", (raw, expected) => {
    expect(normalizeDtype(raw)).toBe(expected);
  });

  it.each([
    ["array<float64>", "array<float64>"],
    ["Array(Float64)", "array<float64>"],
    ["Array(UnixTimestamp)", "array<unix_timestamp>"],
    ["ARRAY< string >", "array<string>"],
    ["int64[]", "array<int64>"],
    ["Int32[]", "array<int32>"],
    ["array<double>", "array<float64>"],
  ])("folds the array spelling %j to %s", (raw, expected) => {
    expect(normalizeDtype(raw)).toBe(expected);
  });

  it.each([
    "decimal",
    "",
    "   ",
    "array<decimal>",
    "array<>",
    "array<array<int32>>",
    "int32[][]",
    "map<string,int32>",
    "int 32",
  ])("answers undefined for the unknown dtype %j", (raw) => {
    expect(normalizeDtype(raw)).toBeUndefined();
  });
});

describe("normalizeValueType", () => {
  it.each([
    ["STRING", "STRING"],
    ["string", "STRING"],
    ["Int32", "INT32"],
    [" int64 ", "INT64"],
    ["bytes", "BYTES"],
  ])("folds %j to %s", (raw, expected) => {
    expect(normalizeValueType(raw)).toBe(expected);
  });

  it.each(["FLOAT", "DOUBLE", "BOOL", "UNIX_TIMESTAMP", "", "str", "INT"])(
    "refuses %j (not an entity value type)",
    (raw) => {
      expect(normalizeValueType(raw)).toBeUndefined();
    },
  );
});

describe("valueProblem", () => {
  const ALL: Dtype[] = [...SCALAR_DTYPES, ...SCALAR_DTYPES.map((d) => `array<${d}>` as Dtype)];

  it("accepts null for every dtype (a missing value)", () => {
    for (const dtype of ALL) expect(valueProblem(dtype, null)).toBeUndefined();
  });

  it("refuses undefined for every dtype (null is the only missing value)", () => {
    for (const dtype of ALL) expect(valueProblem(dtype, undefined)).toEqual(expect.any(String));
  });

  describe("int32", () => {
    it.each([0, 1, -1, 42, 2 ** 31 - 1, -(2 ** 31)])("accepts %d", (v) => {
      expect(valueProblem("int32", v)).toBeUndefined();
    });
    it.each([2 ** 31, -(2 ** 31) - 1, Number.MAX_SAFE_INTEGER])("refuses %d as out of range", (v) => {
      expect(valueProblem("int32", v)).toMatch(/out of int32 range/);
    });
    it.each([1.5, "5", true, NaN, Infinity, [1], {}])("refuses %j as not an integer", (v) => {
      expect(valueProblem("int32", v)).toMatch(/expected an integer/);
    });
  });

  describe("int64", () => {
    it.each([0, -7, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER])("accepts the safe JSON number %d", (v) => {
      expect(valueProblem("int64", v)).toBeUndefined();
    });
    it.each(["9223372036854775807", "-9223372036854775808", "0", "-1", "123"])("accepts the decimal string %j", (v) => {
      expect(valueProblem("int64", v)).toBeUndefined();
    });
    it.each([2 ** 53, -(2 ** 53) - 2, 1.5, "1.5", "12a", "", " 1", "1e3", "0x10", "12345678901234567890", true, {}])(
      "refuses %j",
      (v) => {
        expect(valueProblem("int64", v)).toMatch(/expected an integer/);
      },
    );
  });

  describe("float32 and float64", () => {
    for (const dtype of ["float32", "float64"] as const) {
      it.each([0, -1.25, 3, 1e10])(`${dtype} accepts %d`, (v) => {
        expect(valueProblem(dtype, v)).toBeUndefined();
      });
      it.each([NaN, Infinity, -Infinity, "1.5", true, [1.5]])(`${dtype} refuses %j`, (v) => {
        expect(valueProblem(dtype, v)).toMatch(/finite number/);
      });
    }
  });

  describe("string", () => {
    it.each(["", "premium", "日本語"])("accepts %j", (v) => {
      expect(valueProblem("string", v)).toBeUndefined();
    });
    it.each([1, true, ["a"], { a: 1 }])("refuses %j", (v) => {
      expect(valueProblem("string", v)).toBe("expected a string");
    });
  });

  describe("bool", () => {
    it.each([true, false])("accepts %j", (v) => {
      expect(valueProblem("bool", v)).toBeUndefined();
    });
    it.each([0, 1, "true", "false"])("refuses %j", (v) => {
      expect(valueProblem("bool", v)).toBe("expected true or false");
    });
  });

  describe("bytes", () => {
    it.each(["", "aGVsbG8=", "aGVsbG8gd29ybGQ=", "AAECAw==", "a+b/"])("accepts the base64 %j", (v) => {
      expect(valueProblem("bytes", v)).toBeUndefined();
    });
    it.each(["not base64!", "aGVs bG8=", "a=b", "aGVsbG8===", 12, [1, 2]])("refuses %j", (v) => {
      expect(valueProblem("bytes", v)).toMatch(/base64/);
    });
  });

  describe("unix_timestamp", () => {
    it.each(["2024-06-30T15:45:23Z", "2024-06-30T15:45:23.123+02:00", 1719762323, 0, 1719762323.5])(
      "accepts %j",
      (v) => {
        expect(valueProblem("unix_timestamp", v)).toBeUndefined();
      },
    );
    it.each(["not a date", "2024-13-45T00:00:00Z", "", NaN, Infinity, true, {}])("refuses %j", (v) => {
      expect(valueProblem("unix_timestamp", v)).toMatch(/timestamp/);
    });
  });

  describe("arrays", () => {
    it("accepts arrays whose elements all fit, empty arrays and null elements", () => {
      expect(valueProblem("array<int32>", [1, 2, 3])).toBeUndefined();
      expect(valueProblem("array<int32>", [])).toBeUndefined();
      expect(valueProblem("array<string>", ["a", null, "b"])).toBeUndefined();
      expect(valueProblem("array<int64>", [1, "9223372036854775807"])).toBeUndefined();
      expect(valueProblem("array<bytes>", ["aGVsbG8="])).toBeUndefined();
      expect(valueProblem("array<unix_timestamp>", ["2024-01-01T00:00:00Z", 1704067200])).toBeUndefined();
    });

    it("refuses a scalar where an array is expected", () => {
      expect(valueProblem("array<int32>", 1)).toBe("expected an array");
      expect(valueProblem("array<string>", "a,b")).toBe("expected an array");
      expect(valueProblem("array<float64>", { 0: 1.5 })).toBe("expected an array");
    });

    it("names the first bad element and its problem", () => {
      expect(valueProblem("array<int32>", [1, 2, "3"])).toBe("element 2: expected an integer");
      expect(valueProblem("array<int32>", [1, 2 ** 31])).toBe("element 1: integer out of int32 range");
      expect(valueProblem("array<float64>", [1.5, NaN, "x"])).toBe("element 1: expected a finite number");
      expect(valueProblem("array<bool>", [true, "no"])).toBe("element 1: expected true or false");
    });

    it("refuses nested arrays", () => {
      expect(valueProblem("array<int32>", [[1]])).toMatch(/^element 0:/);
    });

    it("refuses an array where a scalar is expected", () => {
      expect(valueProblem("int32", [1])).toMatch(/expected an integer/);
      expect(valueProblem("string", ["a"])).toBe("expected a string");
    });
  });
});
