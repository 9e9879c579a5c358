/**
 * Feature values as the JSON text Feast's feature server writes them, by the
 * feature's dtype. Feast's server turns each protobuf `Value` into a Python
 * value and `json.dumps` it (sdk/python/feast/feature_server_utils.py,
 * `_value_to_native`), so a `double_val`/`float_val` is a Python float and
 * always has a decimal point (`100.0`), an `int32_val`/`int64_val` is a Python
 * int (`100`), and a `unix_timestamp_val` is an int of epoch seconds. Feast's
 * client infers the Python type back from the JSON number
 * (remote.py → type_map.python_values_to_proto_values), so a float written as
 * `100` would come back as an INT64 and an array `[1, 2.5, 3]` would be
 * refused as inconsistent. JSON.stringify cannot write `100.0`; this module
 * writes the text itself. Pure.
 *
 * Per dtype (arrays element by element, null elements as `null`):
 * - float32, float64: JavaScript's shortest round-trip digits (the same digits
 *   as Python's `repr`, sometimes in another exponent form, e.g. `1e-7` for
 *   Python's `1e-07`: the same float), plus `.0` when they hold no `.` or
 *   exponent; `-0.0` for negative zero; non-finite numbers as `null` (Feast's
 *   server refuses to write them at all);
 * - int32, int64: the integer's decimal digits, also for an int64 kept as a
 *   decimal string beyond 2^53 (Python ints are exact, so Feast writes them as
 *   JSON integers);
 * - unix_timestamp: integer epoch seconds (truncated toward zero, as Python's
 *   `int(datetime.timestamp())`), from a stored RFC 3339 string or epoch
 *   seconds;
 * - string, bool, bytes (base64, as Feast's server writes bytes): plain JSON.
 * A stored value that does not fit its dtype (a view whose dtype changed after
 * the write) is written as plain JSON rather than altered.
 */
import type { Dtype, ScalarDtype } from "./dtypes";
import { parseTimestamp } from "./timestamps";

/** A JavaScript number as the JSON text of a Python float: always a decimal point or an exponent. */
export function floatJson(n: number): string {
  if (!Number.isFinite(n)) return "null";
  if (Object.is(n, -0)) return "-0.0";
  const text = JSON.stringify(n);
  return /[.eE]/.test(text) ? text : `${text}.0`;
}

const INTEGER_TEXT = /^-?\d+$/;

function intJson(value: unknown): string | undefined {
  if (typeof value === "number") return Number.isSafeInteger(value) ? String(value) : undefined;
  if (typeof value === "string" && INTEGER_TEXT.test(value)) return value;
  return undefined;
}

function epochSecondsJson(value: unknown): string | undefined {
  const ms = parseTimestamp(value);
  // Math.trunc(-0.4) is -0, which String() writes as "0".
  return ms === undefined ? undefined : String(Math.trunc(ms / 1000));
}

function scalarJson(dtype: ScalarDtype, value: unknown): string | undefined {
  switch (dtype) {
    case "float32":
    case "float64":
      return typeof value === "number" ? floatJson(value) : undefined;
    case "int32":
    case "int64":
      return intJson(value);
    case "unix_timestamp":
      return epochSecondsJson(value);
    default:
      return undefined;
  }
}

function plainJson(value: unknown): string {
  return JSON.stringify(value) ?? "null";
}

/** The JSON text of one feature value of `dtype` on Feast's routes (null as `null`). */
export function feastValueJson(dtype: Dtype, value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (dtype.startsWith("array<")) {
    if (!Array.isArray(value)) return plainJson(value);
    const inner = dtype.slice(6, -1) as ScalarDtype;
    return `[${value.map((v) => (v === null || v === undefined ? "null" : (scalarJson(inner, v) ?? plainJson(v)))).join(",")}]`;
  }
  return scalarJson(dtype as ScalarDtype, value) ?? plainJson(value);
}
