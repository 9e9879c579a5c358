/**
 * Larder dtypes ↔ Parquet: the schema element of each dtype, the conversion
 * of a JS value to what hyparquet-writer writes, and of what hyparquet reads
 * back to plain JSON-able JS. Pure.
 *
 * | dtype            | Parquet                                         | write accepts                         | read gives                  |
 * |------------------|-------------------------------------------------|---------------------------------------|-----------------------------|
 * | int32            | INT32                                           | integer number in int32 range         | number                      |
 * | int64            | INT64                                           | safe integer, bigint, decimal string  | number if safe, else string |
 * | float32/float64  | FLOAT / DOUBLE                                  | finite number                         | number (float32 rounded)    |
 * | string           | BYTE_ARRAY (UTF8, logical STRING)               | string                                | string                      |
 * | bool             | BOOLEAN                                         | boolean                               | boolean                     |
 * | bytes            | BYTE_ARRAY (no annotation)                      | base64 string or Uint8Array           | base64 string               |
 * | unix_timestamp   | INT64 TIMESTAMP(MILLIS, UTC)                    | epoch ms number, Date, RFC 3339 text* | epoch ms number             |
 * | array<scalar>    | 3-level LIST of the scalar, elements nullable   | array (null elements allowed)         | array                       |
 *
 * `unix_timestamp` numbers are epoch MILLISECONDS here, while the API's are
 * epoch seconds (timestamps.ts): push/ingest must convert numbers (e.g. with
 * `parseTimestamp`) before writing. (*) Text is read by `parseTimestamp`, so
 * an ISO string without a zone is UTC, as everywhere in the API.
 * Nested arrays, maps and structs are not Larder dtypes and are not written;
 * on read, other Parquet types pass through hyparquet's own conversion
 * (DECIMAL → number, DATE → epoch ms, INT96 → epoch ms, JSON → parsed value).
 */
import type { SchemaElement } from "hyparquet-writer";
import type { Dtype, ScalarDtype } from "../domain/dtypes";
import { parseTimestamp } from "../domain/timestamps";

/** A failed conversion: the caller adds row and column. */
export class ValueError extends Error {}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function scalarElement(name: string, dtype: ScalarDtype, repetition: SchemaElement["repetition_type"]): SchemaElement {
  switch (dtype) {
    case "int32":
      return { name, type: "INT32", repetition_type: repetition };
    case "int64":
      return { name, type: "INT64", repetition_type: repetition };
    case "float32":
      return { name, type: "FLOAT", repetition_type: repetition };
    case "float64":
      return { name, type: "DOUBLE", repetition_type: repetition };
    case "string":
      return {
        name,
        type: "BYTE_ARRAY",
        converted_type: "UTF8",
        logical_type: { type: "STRING" },
        repetition_type: repetition,
      };
    case "bool":
      return { name, type: "BOOLEAN", repetition_type: repetition };
    case "bytes":
      return { name, type: "BYTE_ARRAY", repetition_type: repetition };
    case "unix_timestamp":
      return timestampElement(name, repetition);
  }
}

/** INT64 TIMESTAMP(MILLIS, UTC): the converted type too, for readers that predate logical types. */
export function timestampElement(name: string, repetition: SchemaElement["repetition_type"]): SchemaElement {
  return {
    name,
    type: "INT64",
    converted_type: "TIMESTAMP_MILLIS",
    logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MILLIS" },
    repetition_type: repetition,
  };
}

/** Schema elements (in schema order) of one column of `dtype`. */
export function dtypeElements(name: string, dtype: Dtype, nullable: boolean): SchemaElement[] {
  const repetition = nullable ? "OPTIONAL" : "REQUIRED";
  if (!dtype.startsWith("array<")) return [scalarElement(name, dtype as ScalarDtype, repetition)];
  const inner = dtype.slice(6, -1) as ScalarDtype;
  return [
    { name, repetition_type: repetition, converted_type: "LIST", logical_type: { type: "LIST" }, num_children: 1 },
    { name: "list", repetition_type: "REPEATED", num_children: 1 },
    scalarElement("element", inner, "OPTIONAL"),
  ];
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < BASE64.length; i++) BASE64_INDEX[BASE64.charCodeAt(i)] = i;

export function encodeBase64(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += BASE64[(n >> 18) & 63] + BASE64[(n >> 12) & 63];
    out += i + 1 < bytes.length ? BASE64[(n >> 6) & 63] : "=";
    out += i + 2 < bytes.length ? BASE64[n & 63] : "=";
  }
  return out;
}

/** Decodes standard base64 (padding optional); throws ValueError on any other character. */
function decodeBase64(text: string): Uint8Array {
  const clean = text.replace(/=+$/, "");
  if (clean.length % 4 === 1) throw new ValueError("expected base64-encoded bytes");
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < clean.length; i++) {
    const code = clean.charCodeAt(i);
    const v = code < 128 ? BASE64_INDEX[code] : -1;
    if (v < 0) throw new ValueError("expected base64-encoded bytes");
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

/**
 * Epoch ms of a timestamp value: a number of MILLISECONDS, a Date, or RFC 3339
 * text read as the API reads it (`parseTimestamp`: no zone means UTC).
 */
export function toEpochMillis(value: unknown): number {
  let ms: number | undefined;
  if (typeof value === "number") ms = value;
  else if (value instanceof Date) ms = value.getTime();
  else if (typeof value === "string") ms = parseTimestamp(value);
  else throw new ValueError("expected a timestamp (epoch milliseconds or RFC 3339 text)");
  if (ms === undefined || !Number.isFinite(ms))
    throw new ValueError("expected a valid timestamp (epoch milliseconds or RFC 3339 text)");
  return Math.trunc(ms);
}

/** One non-null scalar converted to the physical value hyparquet-writer expects. */
function writeScalar(dtype: ScalarDtype, value: unknown): unknown {
  switch (dtype) {
    case "int32":
      if (typeof value !== "number" || !Number.isInteger(value)) throw new ValueError("expected an integer");
      if (value < INT32_MIN || value > INT32_MAX) throw new ValueError("integer out of int32 range");
      return value;
    case "int64": {
      let n: bigint;
      if (typeof value === "number" && Number.isSafeInteger(value)) n = BigInt(value);
      else if (typeof value === "bigint") n = value;
      else if (typeof value === "string" && /^-?\d{1,19}$/.test(value.trim())) n = BigInt(value.trim());
      else throw new ValueError("expected an integer (a number within ±2^53, a bigint or a decimal string)");
      if (n < INT64_MIN || n > INT64_MAX) throw new ValueError("integer out of int64 range");
      return n;
    }
    case "float32":
    case "float64":
      if (typeof value !== "number" || !Number.isFinite(value)) throw new ValueError("expected a finite number");
      return value;
    case "string":
      if (typeof value !== "string") throw new ValueError("expected a string");
      return value;
    case "bool":
      if (typeof value !== "boolean") throw new ValueError("expected true or false");
      return value;
    case "bytes":
      if (value instanceof Uint8Array) return value;
      if (typeof value !== "string") throw new ValueError("expected base64-encoded bytes");
      return decodeBase64(value);
    case "unix_timestamp":
      return BigInt(toEpochMillis(value));
  }
}

/** A value (null allowed) of `dtype`, converted for writing; throws ValueError saying why not. */
export function toWritable(dtype: Dtype, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (!dtype.startsWith("array<")) return writeScalar(dtype as ScalarDtype, value);
  if (!Array.isArray(value)) throw new ValueError("expected an array");
  const inner = dtype.slice(6, -1) as ScalarDtype;
  return value.map((v, i) => {
    try {
      return v === null || v === undefined ? null : writeScalar(inner, v);
    } catch (err) {
      throw new ValueError(`element ${i}: ${(err as Error).message}`);
    }
  });
}

/** What hyparquet decoded, as plain JS: bigint → number when safe (else decimal text), bytes → base64. */
export function fromRead(value: unknown, bytesAsText = false): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === "bigint") {
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  }
  if (value instanceof Uint8Array) return bytesAsText ? new TextDecoder().decode(value) : encodeBase64(value);
  if (value instanceof Date) return value.getTime();
  if (Array.isArray(value)) return value.map((v) => fromRead(v, bytesAsText));
  if (ArrayBuffer.isView(value))
    return Array.from(value as unknown as ArrayLike<unknown>, (v) => fromRead(v, bytesAsText));
  if (typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, fromRead(v, bytesAsText)]),
    );
  }
  return value;
}

/** Parsers that make hyparquet give every timestamp and date as epoch ms (floor, also for stats). */
export const EPOCH_MS_PARSERS = {
  timestampFromMilliseconds: (ms: bigint) => Number(ms),
  timestampFromMicroseconds: (us: bigint) => Number(floorDiv(us, 1_000n)),
  timestampFromNanoseconds: (ns: bigint) => Number(floorDiv(ns, 1_000_000n)),
  dateFromDays: (days: number) => days * 86_400_000,
};

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a < 0n && q * b !== a ? q - 1n : q;
}
