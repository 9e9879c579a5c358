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
function inferDtype(values: readonly unknown[]): Dtype {
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

/** `dtypes` gives the dtype of every feature column and join key; other columns are inferred. */
export function writeExport(
  result: PitJoinResult,
  dtypes: Readonly<Record<string, Dtype>>,
  rowGroupSize = 50_000,
): Uint8Array {
  const schema: SchemaElement[] = [{ name: "root", num_children: result.columns.length }];
  const columnData: ColumnSource[] = [];
  for (const name of result.columns) {
    const values = result.data[name];
    if (name === EVENT_TIMESTAMP) {
      schema.push(timestampElement(name, "OPTIONAL"));
      columnData.push({ name, data: values.map((v) => (typeof v === "number" ? BigInt(Math.floor(v)) : null)) });
      continue;
    }
    const declared = dtypes[name];
    const dtype = declared ?? inferDtype(values);
    schema.push(...dtypeElements(name, dtype, true));
    const convert = (v: unknown) =>
      declared || dtype !== "string" || v === null || v === undefined || typeof v === "string" ? v : JSON.stringify(v);
    columnData.push({ name, data: values.map((v) => toWritable(dtype, convert(v))) });
  }
  return new Uint8Array(
    parquetWriteBuffer({ columnData, schema, rowGroupSize, createdBy: "larder (hyparquet-writer)" }),
  );
}
