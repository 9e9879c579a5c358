/**
 * Writing offline rows as one Parquet file (hyparquet-writer). Pure: bytes in
 * memory, no R2.
 *
 * The file's columns, in order (DESIGN.md's layout): the join keys (required),
 * `event_timestamp` (INT64 TIMESTAMP(MILLIS, UTC), required),
 * `created_timestamp` (same type, nullable; all null when rows have none),
 * then the features (nullable), each group in the order given. Keys and
 * timestamps sit side by side so a reader needing only them (plus a few
 * features) fetches one contiguous range per row group. Rows are stably sorted by
 * `event_timestamp`, so each row group covers a narrow time range and its
 * min/max statistics (always written) let readers skip it. A file of zero rows
 * is valid Parquet with the full schema and no row groups.
 *
 * Row groups hold `rowGroupSize` rows (default 10,000): a Worker reads whole
 * row groups of the columns it needs, so small groups keep a read's memory
 * and bytes down and make time pruning fine-grained; the cost is a larger
 * footer. Compression is Snappy (hyparquet's built-in codec, read everywhere).
 */
import { parquetWriteBuffer, type ColumnSource, type SchemaElement } from "hyparquet-writer";
import { invalid } from "../domain/errors";
import { CREATED_TIMESTAMP, EVENT_TIMESTAMP } from "../domain/names";
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
  const seen = new Set<string>([EVENT_TIMESTAMP, CREATED_TIMESTAMP]);
  for (const col of columns) {
    if (seen.has(col.name)) {
      throw invalid(
        `Column '${col.name}' appears twice or uses a reserved name (${EVENT_TIMESTAMP}, ${CREATED_TIMESTAMP} are added by the writer)`,
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
  for (let i = 0; i < rows.length; i++) {
    try {
      eventTs[i] = toEpochMillis(rows[i][EVENT_TIMESTAMP]);
    } catch (err) {
      throw rowError(i, EVENT_TIMESTAMP, (err as Error).message);
    }
  }
  // Stable: equal timestamps keep their input order (sort is stable since ES2019).
  const order = Array.from(rows, (_, i) => i).sort((a, b) => eventTs[a] - eventTs[b]);

  const columnData: ColumnSource[] = [];
  const schema: SchemaElement[] = [{ name: "root", num_children: columns.length + 2 }];
  const keys = columns.filter((c) => c.role === "join_key");
  const features = columns.filter((c) => c.role !== "join_key");
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
