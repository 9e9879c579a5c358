/**
 * A Parquet ingest body (already in memory, under the app's body limit) as
 * ingest rows: the same fields as a JSON row, one row per Parquet row in file
 * order, so row indexes in errors are file row numbers. No I/O.
 *
 * Whole-column problems (not Parquet, no rows, more than MAX_INGEST_ROWS rows,
 * a column that is not a join key, timestamp or feature, a missing join key
 * or event-time column) are VALIDATION_ERRORs naming the column; everything
 * else is judged row by row by `validateIngestRows`. Columns pandas writes
 * for a non-default index (`__index_level_0__`, ...) are ignored, and so are
 * the bookkeeping columns of Larder's own files (`_larder_seq`, ...): an
 * ingest is a new write, with versions of its own. A column
 * of a Parquet timestamp or date type is read as instants (epoch ms); any
 * other column holding times is read as the JSON API reads it (RFC 3339
 * text or epoch seconds).
 */
import { parquetSchema, type FileMetaData, type SchemaElement, type SchemaTree } from "hyparquet";
import { invalid } from "../domain/errors";
import type { Dtype } from "../domain/dtypes";
import { readParquet, readParquetMetadata } from "./parquet";
import { isTimeType } from "./parquet-metadata";
import { checkIngestColumns, MAX_INGEST_ROWS } from "../domain/ingest-fields";
import { CARRIED, WRITE_ID, WRITE_SEQUENCE } from "../domain/names";
import type { SourceSchema } from "../domain/source-schema";

/** How errors name the file. */
const BODY_NAME = "request body";
const PANDAS_INDEX = /^__index_level_\d+__$/;
const BOOKKEEPING: readonly string[] = [WRITE_SEQUENCE, WRITE_ID, CARRIED];

export interface ParquetIngestRows {
  /** Column name → value (null where the file holds null), one object per file row. */
  rows: Record<string, unknown>[];
  /** Columns of a timestamp type, whose numbers are epoch ms already. */
  epochMsFields: Set<string>;
}

/** The leaf of a column (the element of a LIST), whose type says what its values are. */
function leaf(node: SchemaTree): SchemaElement {
  return node.children.length === 1 ? leaf(node.children[0]) : node.element;
}

function topColumns(metadata: FileMetaData): SchemaTree[] {
  try {
    return parquetSchema(metadata).children;
  } catch (err) {
    throw invalid(`Parquet file '${BODY_NAME}' has an unreadable schema: ${(err as Error).message}`, {
      file: BODY_NAME,
    });
  }
}

/** Reads a Parquet ingest body into rows; see the module comment. */
export async function parquetIngestRows(
  schema: SourceSchema,
  body: Uint8Array,
  maxRows = MAX_INGEST_ROWS,
): Promise<ParquetIngestRows> {
  const metadata = await readParquetMetadata(body, { name: BODY_NAME });
  const numRows = Number(metadata.num_rows);
  if (numRows === 0) throw invalid("Parquet body has no rows", { rows: 0 });
  if (numRows > maxRows)
    throw invalid(`Parquet body has ${numRows} rows; send at most ${maxRows} per request`, {
      rows: numRows,
      max_rows: maxRows,
    });

  const ignored = (name: string) => PANDAS_INDEX.test(name) || BOOKKEEPING.includes(name);
  const columns = topColumns(metadata).filter((c) => !ignored(c.element.name));
  const names = columns.map((c) => c.element.name);
  checkIngestColumns(schema, names);

  // String keys and features stored as unannotated BYTE_ARRAY are text, not base64.
  const dtypes: Record<string, Dtype> = Object.fromEntries(schema.features.map((f) => [f.name, f.dtype]));
  for (const key of schema.joinKeys) if (key.type === "STRING") dtypes[key.name] = "string";
  const table = await readParquet(body, { name: BODY_NAME, metadata, columns: names, dtypes });

  const rows = new Array<Record<string, unknown>>(table.numRows);
  for (let i = 0; i < table.numRows; i++) {
    const row: Record<string, unknown> = {};
    for (const name of names) row[name] = table.columns[name][i] ?? null;
    rows[i] = row;
  }
  return { rows, epochMsFields: new Set(columns.filter((c) => isTimeType(leaf(c))).map((c) => c.element.name)) };
}
