/**
 * Writing offline rows as one Parquet file (hyparquet-writer). Pure: bytes in
 * memory, no R2.
 *
 * The file's columns, in order (DESIGN.md's layout): the join keys (required),
 * `event_timestamp` (INT64 TIMESTAMP(MILLIS, UTC), required),
 * `created_timestamp` (same type, nullable; all null when rows have none),
 * `_larder_seq` (INT64, required) and `_larder_wid` (INT32, required), the
 * row's version (see `domain/write-version.ts`), `_larder_carried` (STRING,
 * nullable: which features the row carried, see `domain/carried.ts`), then
 * the features (nullable), each group in the order given. Keys and
 * timestamps sit side by side so a reader needing only them (plus a few
 * features) fetches one contiguous range per row group.
 *
 * Rows are sorted by the UTC day of their event time, then join keys (in
 * column order; integers numerically, strings by code unit), then event
 * time, then version. Day first because files are per bucket and month: a
 * month's file sorted by key alone would give every row group the month's
 * whole time range, so a read's time window could prune none of them; by day
 * first, a row group spans about a day and a window reads the days it needs
 * (with keys sorted within each day, so dictionary pages stay small). A file
 * of zero rows is valid Parquet with the full schema and no row groups.
 *
 * Row groups hold `rowGroupSize` rows (default 10,000): a Worker reads whole
 * row groups of the columns it needs, so small groups keep a read's memory
 * and bytes down; the cost is a larger footer. Min/max statistics are always
 * written. Compression is Snappy (hyparquet's built-in codec, read
 * everywhere).
 */
import { parquetWriteBuffer, type ColumnSource, type SchemaElement } from "hyparquet-writer";
import { invalid } from "../domain/errors";
import { carriedText } from "../domain/carried";
import {
  CARRIED,
  CREATED_TIMESTAMP,
  EVENT_TIMESTAMP,
  RESERVED_COLUMNS,
  WRITE_ID,
  WRITE_SEQUENCE,
} from "../domain/names";
import { compareSequences, sequenceText } from "../domain/write-version";
import type { OfflineRow } from "../domain/source-schema";
import type { Dtype, ValueType } from "../domain/dtypes";
import { dtypeElements, timestampElement, toEpochMillis, toWritable, ValueError } from "./parquet-values";

export const DEFAULT_ROW_GROUP_SIZE = 10_000;

/** One non-timestamp column of an offline file. */
export interface ParquetColumn {
  name: string;
  dtype: Dtype;
  /** Join keys are required (never null) and come first; default "feature" (nullable). */
  role?: "join_key" | "feature";
}

export interface WriteParquetOptions {
  rowGroupSize?: number;
  /** Extra footer key-value metadata (e.g. the writing job). */
  metadata?: Record<string, string>;
}

const KEY_DTYPES: Record<ValueType, Dtype> = { STRING: "string", INT32: "int32", INT64: "int64", BYTES: "bytes" };

/** The columns of a view's offline file: required join keys (sorted as given), then nullable features. */
export function offlineColumns(
  joinKeys: readonly { name: string; type: ValueType }[],
  features: readonly { name: string; dtype: Dtype }[],
): ParquetColumn[] {
  return [
    ...joinKeys.map((k): ParquetColumn => ({ name: k.name, dtype: KEY_DTYPES[k.type], role: "join_key" })),
    ...features.map((f): ParquetColumn => ({ name: f.name, dtype: f.dtype, role: "feature" })),
  ];
}

function checkColumns(columns: readonly ParquetColumn[]): void {
  const seen = new Set<string>(RESERVED_COLUMNS);
  for (const col of columns) {
    if (seen.has(col.name)) {
      throw invalid(
        `Column '${col.name}' appears twice or uses a reserved name (${RESERVED_COLUMNS.join(", ")} are added by the writer)`,
        { column: col.name },
      );
    }
    seen.add(col.name);
  }
}

function rowError(row: number, column: string, reason: string) {
  return invalid(`Row ${row}, column '${column}': ${reason}`, { row, column, reason });
}

/**
 * Encodes `rows` as a Parquet file. Throws VALIDATION_ERROR naming the row
 * (its index in `rows`) and column for a value that does not fit its dtype, a
 * null in a required column or a missing/invalid `event_timestamp`. Does not
 * modify `rows`.
 */
export function writeParquet(
  columns: readonly ParquetColumn[],
  rows: readonly OfflineRow[],
  options: WriteParquetOptions = {},
): Uint8Array {
  checkColumns(columns);
  const rowGroupSize = options.rowGroupSize ?? DEFAULT_ROW_GROUP_SIZE;
  if (!Number.isInteger(rowGroupSize) || rowGroupSize < 1)
    throw invalid("rowGroupSize must be a positive integer", { rowGroupSize });

  const eventTs = new Float64Array(rows.length);
  const seqs = new Array<string>(rows.length);
  const wids = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    try {
      eventTs[i] = toEpochMillis(rows[i][EVENT_TIMESTAMP]);
    } catch (err) {
      throw rowError(i, EVENT_TIMESTAMP, (err as Error).message);
    }
    // Rows without a version (appendRows stamps them first) are written as sequence "0", id 0.
    const wid = rows[i][WRITE_ID] ?? 0;
    if (!Number.isInteger(wid) || (wid as number) < 0 || (wid as number) > 0x7fffffff)
      throw rowError(i, WRITE_ID, "a write id must be an integer in [0, 2^31)");
    wids[i] = wid as number;
    seqs[i] = sequenceText(rows[i][WRITE_SEQUENCE]);
  }
  const keys = columns.filter((c) => c.role === "join_key");
  const features = columns.filter((c) => c.role !== "join_key");
  const order = sortedOrder(rows, keys, eventTs, seqs, wids);

  const columnData: ColumnSource[] = [];
  const schema: SchemaElement[] = [{ name: "root", num_children: columns.length + 5 }];
  const addColumn = (col: ParquetColumn) => {
    const nullable = col.role !== "join_key";
    schema.push(...dtypeElements(col.name, col.dtype, nullable));
    const data = new Array<unknown>(rows.length);
    for (let k = 0; k < order.length; k++) {
      const i = order[k];
      let value: unknown;
      try {
        value = toWritable(col.dtype, rows[i][col.name]);
      } catch (err) {
        if (err instanceof ValueError) throw rowError(i, col.name, err.message);
        throw err;
      }
      if (value === null && !nullable) throw rowError(i, col.name, "a value is required");
      data[k] = value;
    }
    columnData.push({ name: col.name, data });
  };

  keys.forEach(addColumn);
  schema.push(timestampElement(EVENT_TIMESTAMP, "REQUIRED"), timestampElement(CREATED_TIMESTAMP, "OPTIONAL"));
  columnData.push({ name: EVENT_TIMESTAMP, data: order.map((i) => BigInt(eventTs[i])) });
  const created = order.map((i) => {
    const value = rows[i][CREATED_TIMESTAMP];
    if (value === null || value === undefined) return null;
    try {
      return BigInt(toEpochMillis(value));
    } catch (err) {
      throw rowError(i, CREATED_TIMESTAMP, (err as Error).message);
    }
  });
  columnData.push({ name: CREATED_TIMESTAMP, data: created });
  schema.push(
    { name: WRITE_SEQUENCE, type: "INT64", repetition_type: "REQUIRED" },
    { name: WRITE_ID, type: "INT32", repetition_type: "REQUIRED" },
    {
      name: CARRIED,
      type: "BYTE_ARRAY",
      converted_type: "UTF8",
      logical_type: { type: "STRING" },
      repetition_type: "OPTIONAL",
    },
  );
  columnData.push({ name: WRITE_SEQUENCE, data: order.map((i) => BigInt(seqs[i])) });
  columnData.push({ name: WRITE_ID, data: order.map((i) => wids[i]) });
  const featureNames = features.map((f) => f.name);
  columnData.push({ name: CARRIED, data: order.map((i) => carriedText(rows[i], featureNames)) });
  features.forEach(addColumn);

  const buffer = parquetWriteBuffer({
    columnData,
    schema,
    rowGroupSize,
    createdBy: "larder (hyparquet-writer)",
    kvMetadata: options.metadata ? Object.entries(options.metadata).map(([key, value]) => ({ key, value })) : undefined,
  });
  return new Uint8Array(buffer);
}

/** Compares two join-key values of one column: integers numerically (exactly beyond 2^53), text by code unit. */
function compareKeyValues(dtype: Dtype, a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (dtype !== "int32" && dtype !== "int64") {
    const x = String(a);
    const y = String(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  try {
    const x = BigInt(a as string | number | bigint);
    const y = BigInt(b as string | number | bigint);
    return x < y ? -1 : x > y ? 1 : 0;
  } catch {
    const x = String(a);
    const y = String(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
}

const DAY_MS = 86_400_000;

/** Row order of a file: by UTC day, join keys, event time, then version (see the module comment). */
function sortedOrder(
  rows: readonly OfflineRow[],
  keys: readonly ParquetColumn[],
  eventTs: Float64Array,
  seqs: readonly string[],
  wids: Int32Array,
): number[] {
  const created = (i: number) => {
    const c = rows[i][CREATED_TIMESTAMP];
    return typeof c === "number" ? c : -Infinity;
  };
  const byKey = (a: number, b: number) => {
    for (const key of keys) {
      const d = compareKeyValues(key.dtype, rows[a][key.name], rows[b][key.name]);
      if (d !== 0) return d;
    }
    return 0;
  };
  const day = (i: number) => Math.floor(eventTs[i] / DAY_MS);
  return Array.from(rows, (_, i) => i).sort(
    (a, b) =>
      day(a) - day(b) ||
      byKey(a, b) ||
      eventTs[a] - eventTs[b] ||
      created(a) - created(b) ||
      compareSequences(seqs[a], seqs[b]) ||
      wids[a] - wids[b] ||
      a - b,
  );
}
