/**
 * The value writer of the Feast routes (src/domain/feast-values.ts): the
 * exact JSON text per dtype. Python's json module reads a number with a `.`
 * or an exponent as a float and anything else as an int, which is the
 * property checked here for every float written.
 */
import { describe, expect, it } from "vitest";
import type { Dtype } from "../../src/domain/dtypes";
import { feastValueJson, floatJson } from "../../src/domain/feast-values";
import { rng } from "../prng";

/** What Python's `json.loads` makes of a number's text. */
const pythonKind = (text: string) => (/[.eE]/.test(text) ? "float" : "int");

describe("floatJson", () => {
  it.each([
    [100, "100.0"],
    [0, "0.0"],
    [-0, "-0.0"],
    [-5, "-5.0"],
    [19.99, "19.99"],
    [0.1 + 0.2, "0.30000000000000004"],
    [1e16, "10000000000000000.0"],
    [1e21, "1e+21"],
    [1e-7, "1e-7"],
    [Number.MAX_VALUE, "1.7976931348623157e+308"],
    [Number.NaN, "null"],
    [Infinity, "null"],
    [-Infinity, "null"],
  ])("writes %d as %s", (value, text) => {
    expect(floatJson(value)).toBe(text);
  });

  it("always writes a Python float that reads back as the same number", () => {
    const random = rng(13);
    for (let i = 0; i < 5000; i++) {
      const magnitude = 10 ** Math.floor(random() * 40 - 20);
      const value = (random() < 0.3 ? Math.round(random() * 1e6) : random() * magnitude) * (random() < 0.5 ? -1 : 1);
      const text = floatJson(value);
      expect({ value, kind: pythonKind(text), back: JSON.parse(text) }).toEqual({ value, kind: "float", back: value });
    }
  });
});

describe("feastValueJson", () => {
  const cases: [Dtype, unknown, string][] = [
    ["float64", 100, "100.0"],
    ["float64", 2.5, "2.5"],
    ["float32", 2, "2.0"],
    ["float32", 0.10000000149011612, "0.10000000149011612"],
    ["int32", 3, "3"],
    ["int32", -0, "0"],
    ["int64", 5, "5"],
    ["int64", "9007199254740993", "9007199254740993"],
    ["int64", "-9223372036854775808", "-9223372036854775808"],
    ["array<float64>", [1, 2.5, null, 3], "[1.0,2.5,null,3.0]"],
    ["array<float32>", [], "[]"],
    ["array<int64>", [1, "9223372036854775807", null], "[1,9223372036854775807,null]"],
    ["array<int32>", [0, -1], "[0,-1]"],
    ["unix_timestamp", "2024-06-30T15:45:23.750Z", "1719762323"],
    ["unix_timestamp", "2024-06-30T15:45:23Z", "1719762323"],
    ["unix_timestamp", 1719762323, "1719762323"],
    ["unix_timestamp", "1969-12-31T23:59:59.500Z", "0"],
    ["unix_timestamp", "1969-12-31T23:59:58.500Z", "-1"],
    ["array<unix_timestamp>", ["2024-06-30T15:45:23Z", 0, null], "[1719762323,0,null]"],
    ["string", 'é"', '"é\\""'],
    ["bool", true, "true"],
    ["array<bool>", [false, null], "[false,null]"],
    ["bytes", "AAE=", '"AAE="'],
    ["array<string>", ["a", null], '["a",null]'],
    ["float64", null, "null"],
    ["array<float64>", null, "null"],
  ];
  it.each(cases)("%s %j → %s", (dtype, value, text) => {
    expect(feastValueJson(dtype, value)).toBe(text);
  });

  it("writes a stored value that does not fit its dtype as plain JSON rather than altering it", () => {
    expect(feastValueJson("float64", "abc")).toBe('"abc"');
    expect(feastValueJson("int32", 2.5)).toBe("2.5");
    expect(feastValueJson("unix_timestamp", "not a time")).toBe('"not a time"');
    expect(feastValueJson("array<float64>", 7)).toBe("7");
    expect(feastValueJson("array<int32>", [1, "x"])).toBe('[1,"x"]');
  });
});
