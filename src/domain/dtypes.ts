/**
 * Feature dtypes and entity value types, and the validation of values
 * against them. Pure: used by apply (are dtypes known), push and ingest
 * (is this value of that dtype).
 */
import { parseTimestamp } from "./timestamps";
export const SCALAR_DTYPES = [
  "int32",
  "int64",
  "float32",
  "float64",
  "string",
  "bool",
  "bytes",
  "unix_timestamp",
] as const;
export type ScalarDtype = (typeof SCALAR_DTYPES)[number];
/** A scalar dtype or `array<scalar>`. */
export type Dtype = ScalarDtype | `array<${ScalarDtype}>`;

export const VALUE_TYPES = ["STRING", "INT32", "INT64", "BYTES"] as const;
export type ValueType = (typeof VALUE_TYPES)[number];

/** Feast spellings we accept and fold to ours. */
const DTYPE_ALIASES: Record<string, ScalarDtype> = {
  int: "int32",
  integer: "int32",
  long: "int64",
  float: "float32",
  double: "float64",
  str: "string",
  boolean: "bool",
  unixtimestamp: "unix_timestamp",
  timestamp: "unix_timestamp",
};

function normalizeScalar(raw: string): ScalarDtype | undefined {
  const lower = raw.trim().toLowerCase();
  if ((SCALAR_DTYPES as readonly string[]).includes(lower)) return lower as ScalarDtype;
  return DTYPE_ALIASES[lower];
}

/**
 * Folds a user-written dtype (`int64`, `Int64`, `array<float64>`, `Array(Float64)`,
 * `float64[]`) to its canonical form; `undefined` when unknown.
 */
export function normalizeDtype(raw: string): Dtype | undefined {
  const trimmed = raw.trim();
  const arrayMatch =
    /^array\s*<\s*(.+?)\s*>$/i.exec(trimmed) ??
    /^array\s*\(\s*(.+?)\s*\)$/i.exec(trimmed) ??
    /^(.+?)\[\]$/.exec(trimmed);
  if (arrayMatch) {
    const inner = normalizeScalar(arrayMatch[1]);
    return inner ? (`array<${inner}>` as Dtype) : undefined;
  }
  return normalizeScalar(trimmed);
}

export function normalizeValueType(raw: string): ValueType | undefined {
  const upper = raw.trim().toUpperCase();
  return (VALUE_TYPES as readonly string[]).includes(upper) ? (upper as ValueType) : undefined;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const FLOAT32_MAX = 3.4028234663852886e38;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function scalarProblem(dtype: ScalarDtype, value: unknown): string | undefined {
  switch (dtype) {
    case "int32":
      if (typeof value !== "number" || !Number.isInteger(value)) return "expected an integer";
      if (value < INT32_MIN || value > INT32_MAX) return "integer out of int32 range";
      return undefined;
    case "int64":
      if (typeof value === "number" && Number.isSafeInteger(value)) return undefined;
      if (typeof value === "string" && /^-?\d{1,19}$/.test(value)) {
        const n = BigInt(value);
        return n >= INT64_MIN && n <= INT64_MAX ? undefined : "integer out of int64 range";
      }
      return "expected an integer (a JSON number within ±2^53, or a decimal string)";
    case "float32":
      if (typeof value !== "number" || !Number.isFinite(value)) return "expected a finite number";
      return Math.abs(value) <= FLOAT32_MAX ? undefined : "number out of float32 range";
    case "float64":
      return typeof value === "number" && Number.isFinite(value) ? undefined : "expected a finite number";
    case "string":
      return typeof value === "string" ? undefined : "expected a string";
    case "bool":
      return typeof value === "boolean" ? undefined : "expected true or false";
    case "bytes":
      return typeof value === "string" && value.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(value)
        ? undefined
        : "expected base64-encoded bytes";
    case "unix_timestamp":
      return parseTimestamp(value) === undefined
        ? "expected an RFC 3339 timestamp or epoch seconds, within the years 0001-9999"
        : undefined;
  }
}

/**
 * Why `value` is not a valid `dtype` value, or `undefined` when it is.
 * `null` is valid for every dtype (a missing value).
 */
export function valueProblem(dtype: Dtype, value: unknown): string | undefined {
  if (value === null) return undefined;
  if (dtype.startsWith("array<")) {
    if (!Array.isArray(value)) return "expected an array";
    const inner = dtype.slice(6, -1) as ScalarDtype;
    for (let i = 0; i < value.length; i++) {
      const problem = value[i] === null ? undefined : scalarProblem(inner, value[i]);
      if (problem) return `element ${i}: ${problem}`;
    }
    return undefined;
  }
  return scalarProblem(dtype as ScalarDtype, value);
}
