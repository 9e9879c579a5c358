/**
 * Writes a historical result as one Parquet file for `pandas.read_parquet`:
 * rows in the entity_df's order; `event_timestamp` as TIMESTAMP(MILLIS, UTC);
 * join keys typed by their entities; other entity_df columns typed from
 * their values (integers → int64, numbers → float64, booleans → bool, other
 * values as text); features typed by their views' dtypes.
 */
import { parquetWriteBuffer } from "hyparquet-writer";
import type { ColumnSource, SchemaElement } from "hyparquet-writer";
import type { Dtype } from "../domain/dtypes";
import type { PitJoinResult } from "../domain/pit-join";
import { EVENT_TIMESTAMP } from "../domain/names";
import { dtypeElements, timestampElement, toWritable } from "./parquet-values";

/** The dtype a label column's values fit. */
export function inferDtype(values: readonly unknown[]): Dtype {
  let sawNumber = false;
  let allIntegers = true;
  let allBooleans = true;
  let sawValue = false;
  for (const v of values) {
    if (v === null || v === undefined) continue;
    sawValue = true;
    if (typeof v === "number") {
      sawNumber = true;
      if (!Number.isSafeInteger(v)) allIntegers = false;
      allBooleans = false;
    } else if (typeof v === "boolean") {
      if (sawNumber) return "string";
    } else return "string";
    if (typeof v !== "boolean") allBooleans = false;
  }
  if (!sawValue) return "string";
  if (allBooleans) return "bool";
  if (sawNumber) return allIntegers ? "int64" : "float64";
  return "string";
}

/** How one export column is written: its dtype, and whether the registry declared it (else inferred). */
export interface ExportColumn {
  name: string;
  /** null for `event_timestamp` (TIMESTAMP(MILLIS, UTC)). */
  dtype: Dtype | null;
  declared: boolean;
}

/** The export's columns: `dtypes` for features and join keys, other columns inferred from `valuesOf(name)`. */
export function exportColumns(
  columns: readonly string[],
  dtypes: Readonly<Record<string, Dtype>>,
  valuesOf: (name: string) => readonly unknown[],
): ExportColumn[] {
  return columns.map((name) => {
    if (name === EVENT_TIMESTAMP) return { name, dtype: null, declared: true };
    const declared = dtypes[name];
    return { name, dtype: declared ?? inferDtype(valuesOf(name)), declared: declared !== undefined };
  });
}

export function exportSchema(columns: readonly ExportColumn[]): SchemaElement[] {
  const schema: SchemaElement[] = [{ name: "root", num_children: columns.length }];
  for (const { name, dtype } of columns) {
    if (dtype === null) schema.push(timestampElement(name, "OPTIONAL"));
    else schema.push(...dtypeElements(name, dtype, true));
  }
  return schema;
}

/** Columns of rows as hyparquet-writer takes them (`data[name]`: the rows' values). */
export function exportColumnData(
  columns: readonly ExportColumn[],
  data: Readonly<Record<string, readonly unknown[]>>,
): ColumnSource[] {
  return columns.map(({ name, dtype, declared }) => {
    const values = data[name];
    if (dtype === null)
      return { name, data: values.map((v) => (typeof v === "number" ? BigInt(Math.floor(v)) : null)) };
    const convert = (v: unknown) =>
      declared || dtype !== "string" || v === null || v === undefined || typeof v === "string" ? v : JSON.stringify(v);
    return { name, data: values.map((v) => toWritable(dtype, convert(v))) };
  });
}

export const EXPORT_CREATED_BY = "larder (hyparquet-writer)";

/** `dtypes` gives the dtype of every feature column and join key; other columns are inferred. */
export function writeExport(
  result: PitJoinResult,
  dtypes: Readonly<Record<string, Dtype>>,
  rowGroupSize = 50_000,
): Uint8Array {
  const columns = exportColumns(result.columns, dtypes, (name) => result.data[name]);
  const schema = exportSchema(columns);
  const columnData = exportColumnData(columns, result.data);
  return new Uint8Array(parquetWriteBuffer({ columnData, schema, rowGroupSize, createdBy: EXPORT_CREATED_BY }));
}
