/**
 * Feast's sdk/python/feast/type_map.py (commit
 * f0bc0700be7029166e6605e407de6d229cd1e93e), ported for the value types a
 * Larder view can have: how Feast's client turns a JSON-decoded value into a
 * protobuf `Value`, inferring the type when it has none
 * (`python_type_to_feast_value_type`) or checking it against the feature's
 * type (`python_values_to_proto_values` → `_convert_scalar_values_to_proto`,
 * `_convert_list_values_to_proto`), raising what Feast raises. Values come
 * from `pyLoads`: bigint is a Python int, number a Python float.
 */
import { floatJson } from "../../src/domain/feast-values";
import { PyError, PyFloat, type PyValue } from "./feast-client";

export type ScalarValueType = "INT32" | "INT64" | "FLOAT" | "DOUBLE" | "STRING" | "BYTES" | "BOOL" | "UNIX_TIMESTAMP";
export type ValueType = "UNKNOWN" | "MAP" | "MAP_LIST" | ScalarValueType | `${ScalarValueType}_LIST`;

/** A protobuf Value: the set field (`double_val`, `int64_list_val`, ...) and its value; `{}` when unset. */
export interface ProtoValue {
  field?: string;
  value?: unknown;
}

/** `np.datetime64("NaT").astype(int)`: what Feast stores for a float timestamp. */
export const NULL_TIMESTAMP_INT_VALUE = -9223372036854775808n;

/** Python's `type(value).__name__`. */
export function pyType(value: PyValue): string {
  if (value === null) return "NoneType";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "bigint") return "int";
  if (typeof value === "number" || value instanceof PyFloat) return "float";
  if (typeof value === "string") return "str";
  if (Array.isArray(value)) return "list";
  return "dict";
}

/** Python's `str()` / repr of a value, for messages and STRING conversion. */
function pyStr(value: PyValue): string {
  if (value === null) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") return floatJson(value);
  if (value instanceof PyFloat) return floatJson(value.value);
  if (Array.isArray(value) || typeof value === "object") return JSON.stringify(value);
  return String(value);
}

const INFERRED: Record<string, ValueType> = { int: "INT64", str: "STRING", float: "DOUBLE", bool: "BOOL" };

/** `python_type_to_feast_value_type(name, value, recurse)`. */
export function pythonTypeToFeastValueType(name: string, value: PyValue, recurse = true): ValueType {
  const t = pyType(value);
  if (t in INFERRED) return INFERRED[t];
  if (Array.isArray(value)) {
    if (value.length > 0 && pyType(value[0]) === "dict") return "MAP_LIST";
    if (!recurse)
      throw new PyError("ValueError", `Value type for field ${name} is <class 'list'> but recursion is not allowed.`);
    let common: ValueType | undefined;
    for (const item of value) {
      const current = pythonTypeToFeastValueType(name, item, false);
      if (common && common !== current) {
        throw new PyError(
          "ValueError",
          `List value type for field ${name} is inconsistent. ValueType.${common} different from ValueType.${current}.`,
        );
      }
      common = current;
    }
    return common === undefined ? "UNKNOWN" : (`${common}_LIST` as ValueType);
  }
  if (t === "dict") return "MAP";
  throw new PyError(
    "ValueError",
    `Value with native type ${t.toLowerCase()} cannot be converted into Feast value type`,
  );
}

/** `_non_empty_value`: not None, and a sized value has elements (a string always counts). */
function nonEmpty(value: PyValue): boolean {
  if (value === null) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === "object" && !(value instanceof PyFloat)) return Object.keys(value).length > 0;
  return true;
}

const num = (v: PyValue) => (v instanceof PyFloat ? v.value : Number(v));

/** Python's `int(x)`. */
function pyInt(x: PyValue): bigint {
  if (typeof x === "bigint") return x;
  if (typeof x === "boolean") return x ? 1n : 0n;
  if (typeof x === "number" || x instanceof PyFloat) return BigInt(Math.trunc(num(x)));
  if (typeof x === "string" && /^\s*[-+]?\d+\s*$/.test(x)) return BigInt(x.trim());
  if (typeof x === "string") throw new PyError("ValueError", `invalid literal for int() with base 10: '${x}'`);
  throw new PyError("TypeError", `int() argument must be a string, a bytes-like object or a real number`);
}

/** `_python_datetime_to_int_timestamp` for one JSON value: a float is NaN-typed there and becomes NaT. */
function timestampInt(x: PyValue): bigint {
  if (typeof x === "number" || x instanceof PyFloat) return NULL_TIMESTAMP_INT_VALUE;
  return pyInt(x);
}

function typeErr(item: PyValue, expected: string): PyError {
  return new PyError(
    "TypeError",
    `Value "${pyStr(item)}" is of type <class '${pyType(item)}'> not of type ${expected}`,
  );
}

const LIST_TYPES: Record<string, { field: string; valid: string[]; none: PyValue }> = {
  FLOAT_LIST: { field: "float_list_val", valid: ["float"], none: 0 },
  DOUBLE_LIST: { field: "double_list_val", valid: ["float"], none: 0 },
  INT32_LIST: { field: "int32_list_val", valid: ["int"], none: 0n },
  INT64_LIST: { field: "int64_list_val", valid: ["int"], none: 0n },
  UNIX_TIMESTAMP_LIST: { field: "unix_timestamp_list_val", valid: ["int"], none: NULL_TIMESTAMP_INT_VALUE },
  STRING_LIST: { field: "string_list_val", valid: ["str"], none: "" },
  BOOL_LIST: { field: "bool_list_val", valid: ["bool"], none: false },
  BYTES_LIST: { field: "bytes_list_val", valid: ["bytes"], none: "" },
};

function listValues(type: ValueType, values: PyValue[], sample: PyValue | undefined): ProtoValue[] {
  const spec = LIST_TYPES[type];
  if (!spec) throw new PyError("Exception", `Unsupported list type: ValueType.${type}`);
  // _sanitize_list_value: None elements become the type's default.
  const clean = values.map((v) => (Array.isArray(v) ? v.map((e) => (e === null ? spec.none : e)) : v));
  const cleanSample = Array.isArray(sample) ? sample.map((e) => (e === null ? spec.none : e)) : sample;
  if (Array.isArray(cleanSample)) {
    // _validate_collection_item_types
    for (const item of cleanSample) if (!spec.valid.includes(pyType(item))) throw typeErr(item, spec.valid[0]);
  }
  return clean.map((v) => {
    if (v === null) return {};
    const items = v as PyValue[];
    if (type === "UNIX_TIMESTAMP_LIST") return { field: spec.field, value: items.map(timestampInt) };
    return { field: spec.field, value: items };
  });
}

const SCALARS: Record<string, { field: string; convert: (x: PyValue) => unknown; valid?: string[] }> = {
  INT32: { field: "int32_val", convert: pyInt },
  INT64: { field: "int64_val", convert: pyInt },
  FLOAT: { field: "float_val", convert: (x) => (typeof x === "string" ? Number.parseFloat(x) : num(x)) },
  DOUBLE: { field: "double_val", convert: (x) => x, valid: ["float", "int"] },
  STRING: { field: "string_val", convert: pyStr },
  BYTES: { field: "bytes_val", convert: (x) => x, valid: ["bytes"] },
  BOOL: { field: "bool_val", convert: (x) => x, valid: ["bool", "int"] },
};

function scalarValues(type: ValueType, values: PyValue[], sample: PyValue | undefined): ProtoValue[] {
  if (sample === undefined) return values.map(() => ({}));
  if (type === "UNIX_TIMESTAMP") {
    return values.map((v) =>
      v === null || Array.isArray(v) ? {} : { field: "unix_timestamp_val", value: timestampInt(v) },
    );
  }
  const spec = SCALARS[type];
  if (!spec) throw new PyError("Exception", `Unsupported data type: ValueType.${type}`);
  if (spec.valid) {
    const isZero =
      (typeof sample === "bigint" && sample === 0n) ||
      ((typeof sample === "number" || sample instanceof PyFloat) && num(sample) === 0) ||
      sample === false;
    const allowed = isZero && type !== "BOOL" ? ["int", "float"] : spec.valid;
    if (!allowed.includes(pyType(sample)))
      throw new PyError("AssertionError", `Type \`<class '${pyType(sample)}'>\` not in ${JSON.stringify(allowed)}`);
  }
  return values.map((v) => (v === null || Array.isArray(v) ? {} : { field: spec.field, value: spec.convert(v) }));
}

/** `python_values_to_proto_values(values, feature_type)`. */
export function pythonValuesToProtoValues(values: PyValue[], featureType: ValueType = "UNKNOWN"): ProtoValue[] {
  let type = featureType;
  const sample = values.find(nonEmpty);
  if (sample !== undefined && featureType === "UNKNOWN") {
    type = Array.isArray(sample) && sample.length === 0 ? featureType : pythonTypeToFeastValueType("", sample);
  }
  if (type === "UNKNOWN") {
    if (values.every((v) => v === null)) return values.map(() => ({}));
    throw new PyError("TypeError", "Couldn't infer value type from empty value");
  }
  if (type.endsWith("_LIST")) return listValues(type, values, sample);
  const scalarSample = values.find((v) => nonEmpty(v) && !Array.isArray(v));
  return scalarValues(type, values, scalarSample);
}
