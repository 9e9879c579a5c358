/**
 * The typed columns of the fast Parquet reader (parquet-fast-read.ts), and how
 * each Parquet column becomes one. Pure.
 *
 * - `number`: Float64Array. DOUBLE, FLOAT, INT32 (UINT_32 read unsigned), and
 *   every time type as epoch ms: INT64 TIMESTAMP(MILLIS|MICROS|NANOS) (floor
 *   division, as parquet-values.ts's EPOCH_MS_PARSERS) and INT32 DATE
 *   (days × 86,400,000). A null is `nulls[i] === 1` and NaN in `values`
 *   (a stored NaN has `nulls[i]` 0).
 * - `int64`: BigInt64Array, the raw INT64 (no time annotation); `valueAt`
 *   gives a number when it is a safe integer, else its decimal text, as
 *   `fromRead` does.
 * - `string`: `codes` (Int32Array, -1 = null) into `dict`: row i is
 *   `dict[codes[i]]`. A dictionary page adds its values to `dict` once (one
 *   string per distinct value per row group); a PLAIN page one per value.
 *   UTF8/STRING-annotated BYTE_ARRAY is text; unannotated BYTE_ARRAY is text
 *   when the registry dtype is `string`, else base64 (as readParquet).
 * - `values`: unknown[], exactly what readParquet gives (hyparquet +
 *   `fromRead`), for every column the fast path does not cover (booleans,
 *   lists, DECIMAL, INT96, JSON, unsigned INT64, FIXED_LEN_BYTE_ARRAY, other
 *   codecs or encodings).
 * `valueAt(column, i)` is what `readParquet(...).columns[name][i]` is.
 */
import type { SchemaElement } from "hyparquet";

export type TypedColumn =
  | { kind: "number"; values: Float64Array; nulls: Uint8Array | null }
  | { kind: "int64"; values: BigInt64Array; nulls: Uint8Array | null }
  | { kind: "string"; codes: Int32Array; dict: string[] }
  | { kind: "values"; values: unknown[] };

const MIN_SAFE = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** An INT64 as readParquet gives it: a number when safe, else decimal text. */
export const int64Value = (v: bigint): number | string => (v >= MIN_SAFE && v <= MAX_SAFE ? Number(v) : v.toString());

/** What readParquet gives for row `i` of `column` (null for nulls). */
export function valueAt(column: TypedColumn, i: number): unknown {
  switch (column.kind) {
    case "number":
      return column.nulls?.[i] ? null : column.values[i];
    case "int64":
      return column.nulls?.[i] ? null : int64Value(column.values[i]);
    case "string":
      return column.codes[i] < 0 ? null : column.dict[column.codes[i]];
    default:
      return column.values[i];
  }
}

/**
 * Rows `rows[k]` (or every row when `rows` is null) of `column` as plain
 * values (readParquet's), each passed through `as` when given.
 */
export function pickValues<T = unknown>(
  column: TypedColumn,
  rows: ArrayLike<number> | null,
  as?: (v: unknown) => T,
): T[] {
  const out = new Array<unknown>(rows ? rows.length : columnLength(column));
  writeValues(column, rows, as, out, 0);
  return out as T[];
}

/**
 * `pickValues` written into `out` from index `at`. One tight loop per kind:
 * this runs once per kept row and column of every read.
 */
export function writeValues(
  column: TypedColumn,
  rows: ArrayLike<number> | null,
  as: ((v: unknown) => unknown) | undefined,
  out: unknown[],
  at: number,
): void {
  const n = rows ? rows.length : columnLength(column);
  if (column.kind === "number" && !as) {
    const { values, nulls } = column;
    if (!rows && !nulls) for (let k = 0; k < n; k++) out[at + k] = values[k];
    else if (!rows) for (let k = 0; k < n; k++) out[at + k] = nulls![k] ? null : values[k];
    else if (!nulls) for (let k = 0; k < n; k++) out[at + k] = values[rows[k]];
    else
      for (let k = 0; k < n; k++) {
        const i = rows[k];
        out[at + k] = nulls[i] ? null : values[i];
      }
  } else if (column.kind === "string" && !as) {
    const { codes, dict } = column;
    for (let k = 0; k < n; k++) {
      const c = codes[rows ? rows[k] : k];
      out[at + k] = c < 0 ? null : dict[c];
    }
  } else if (as) {
    for (let k = 0; k < n; k++) out[at + k] = as(valueAt(column, rows ? rows[k] : k));
  } else {
    for (let k = 0; k < n; k++) out[at + k] = valueAt(column, rows ? rows[k] : k);
  }
}

/** Number of rows of a column. */
export function columnLength(column: TypedColumn): number {
  return column.kind === "string" ? column.codes.length : column.values.length;
}

/** The column restricted to rows `keep` (ascending row numbers). */
export function compact(col: TypedColumn, keep: Int32Array): TypedColumn {
  const n = keep.length;
  const pickNulls = (nulls: Uint8Array | null) => {
    if (!nulls) return null;
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = nulls[keep[i]];
    return out;
  };
  if (col.kind === "number") {
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) values[i] = col.values[keep[i]];
    return { kind: "number", values, nulls: pickNulls(col.nulls) };
  }
  if (col.kind === "int64") {
    // int32 halves: reading a BigInt64Array element allocates a BigInt
    const values = new BigInt64Array(n);
    const from = new Int32Array(col.values.buffer, col.values.byteOffset, col.values.length * 2);
    const to = new Int32Array(values.buffer);
    for (let i = 0; i < n; i++) {
      to[2 * i] = from[2 * keep[i]];
      to[2 * i + 1] = from[2 * keep[i] + 1];
    }
    return { kind: "int64", values, nulls: pickNulls(col.nulls) };
  }
  if (col.kind === "string") {
    const codes = new Int32Array(n);
    for (let i = 0; i < n; i++) codes[i] = col.codes[keep[i]];
    return { kind: "string", codes, dict: col.dict };
  }
  const values = new Array(n);
  for (let i = 0; i < n; i++) values[i] = col.values[keep[i]];
  return { kind: "values", values };
}

/** How one column's physical values become its TypedColumn. */
export type Plan =
  | { to: "ms"; divisor: number } // INT64 time: epoch ms = floor(v / divisor)
  | { to: "date" } // INT32 days
  | { to: "number"; unsigned: boolean } // INT32 / FLOAT / DOUBLE
  | { to: "int64" }
  | { to: "string"; text: boolean };

/** The plan of a flat column, or null when hyparquet's own conversion must decide (the fallback). */
export function planFor(el: SchemaElement, dtype: string | undefined): Plan | null {
  const ct = el.converted_type;
  const lt = el.logical_type;
  if (ct === "DECIMAL") return null;
  switch (el.type) {
    case "INT64": {
      // the order of hyparquet's convert(): converted type first, then logical type
      if (ct === "TIMESTAMP_MILLIS") return { to: "ms", divisor: 1 };
      if (ct === "TIMESTAMP_MICROS") return { to: "ms", divisor: 1000 };
      if (ct === "UINT_64" || (lt?.type === "INTEGER" && lt.bitWidth === 64 && !lt.isSigned)) return null;
      if (lt?.type === "TIMESTAMP")
        return { to: "ms", divisor: lt.unit === "MICROS" ? 1000 : lt.unit === "NANOS" ? 1e6 : 1 };
      return { to: "int64" };
    }
    case "INT32":
      if (ct === "DATE") return { to: "date" }; // as hyparquet: a DATE logical type alone stays days
      return {
        to: "number",
        unsigned: ct === "UINT_32" || (lt?.type === "INTEGER" && lt.bitWidth === 32 && !lt.isSigned),
      };
    case "FLOAT":
    case "DOUBLE":
      return { to: "number", unsigned: false };
    case "BYTE_ARRAY":
      if (ct === "UTF8" || lt?.type === "STRING") return { to: "string", text: true };
      if (ct || lt) return null; // JSON, BSON, ENUM, GEOMETRY...: hyparquet's conversion
      return { to: "string", text: dtype === "string" || dtype === "array<string>" };
    default:
      return null; // BOOLEAN, INT96, FIXED_LEN_BYTE_ARRAY
  }
}

/** A page or column the fast path does not decode: the column is read by hyparquet instead. */
export class Unsupported extends Error {}
