/**
 * Reading a batch source's rows from its manifest files, one file at a time
 * (so a caller that folds each chunk keeps bounded memory), with what the
 * ordering and per-feature rules need: each row's version and which features
 * it carried.
 *
 * Per chunk, the columns are the join keys, `event_timestamp`,
 * `created_timestamp` (null where absent), `_larder_seq` (canonical decimal
 * text; "0" for files written before sequences existed), `_larder_wid`
 * (0 likewise) and the features asked for (null where the file lacks the
 * column). `carries[f][i]` is 0 when row i did not carry feature f (a file
 * without the column, or a `_larder_carried` list without it); a feature
 * absent from `carries` was carried by every row of the chunk.
 */
import { parquetSchema } from "hyparquet";
import { CarriedSets } from "../domain/carried";
import { identityBuilder } from "../domain/entity-key";
import { LarderError } from "../domain/errors";
import { CARRIED, CREATED_TIMESTAMP, EVENT_TIMESTAMP, WRITE_ID, WRITE_SEQUENCE } from "../domain/names";
import type { SourceSchema } from "../domain/source-schema";
import { NO_SEQUENCE, sequenceText } from "../domain/write-version";
import type { ManifestFile } from "./manifest";
import { readParquetMetadata } from "./parquet-metadata";
import { type LazyColumn, copyColumn, lazyColumns } from "./parquet-fast-chunk";
import { pickValues } from "./parquet-fast-columns";
import { readParquetFast, type TypedTable } from "./parquet-fast-read";
import { r2AsyncBuffer } from "./r2-buffer";

export interface RowChunk {
  columns: Record<string, unknown[]>;
  numRows: number;
  carries: Record<string, Uint8Array>;
  /** Rows decoded from the file (before the window and key filters). */
  rowsScanned: number;
}

export interface ChunkFilter {
  features: readonly string[];
  minTs?: number;
  maxTs?: number;
  /** Keeps only rows whose join identity (over all the schema's join keys) is in this set. */
  keys?: ReadonlySet<string>;
  /**
   * Keeps only rows for which this returns true (e.g. one bucket of a file of every bucket).
   * `columns` are the file's read columns (within the window) as readParquet gives them.
   */
  rowFilter?: (columns: Record<string, unknown[]>, row: number) => boolean;
}

/** Reads one manifest file into a chunk; VALIDATION_ERROR naming a file that lacks a join key. */
export async function readFileChunk(
  bucket: R2Bucket,
  schema: SourceSchema,
  file: ManifestFile,
  filter: ChunkFilter,
): Promise<RowChunk> {
  const keyNames = schema.joinKeys.map((k) => k.name);
  const buffer = r2AsyncBuffer(bucket, file.path, file.bytes);
  const metadata = await readParquetMetadata(buffer, { name: file.path });
  const present = new Set(parquetSchema(metadata).children.map((c) => c.element.name));
  const missingKey = keyNames.find((k) => !present.has(k));
  if (missingKey) {
    throw new LarderError("VALIDATION_ERROR", `Offline file '${file.path}' has no join key column '${missingKey}'`, {
      file: file.path,
      column: missingKey,
    });
  }
  const created = file.created_column && present.has(file.created_column) ? file.created_column : null;
  const features = filter.features.filter((f) => present.has(f));
  const bookkeeping = [WRITE_SEQUENCE, WRITE_ID, CARRIED].filter((c) => present.has(c));
  const wanted = [...keyNames, file.timestamp_column, ...(created ? [created] : []), ...bookkeeping, ...features];
  const dtypes = Object.fromEntries(schema.features.map((f) => [f.name, f.dtype]));
  // The fast reader gives readParquet's rows and values as typed columns (parquet-fast-read.ts).
  const table = await readParquetFast(buffer, {
    minTs: filter.minTs,
    maxTs: filter.maxTs,
    columns: wanted,
    timestampColumn: file.timestamp_column,
    name: file.path,
    dtypes,
    metadata,
  });
  const kept = keptRows(schema, table, filter);
  const numRows = kept ? kept.length : table.numRows;
  // Plain values are made when a column is first read, or by mergeChunks straight into its result.
  const lazy = (name: string | null, as?: (v: unknown) => unknown, missing: unknown = null): LazyColumn => ({
    column: name ? table.columns[name] : undefined,
    rows: kept,
    as,
    missing,
    length: numRows,
  });
  const sources: Record<string, LazyColumn> = {};
  for (const k of keyNames) sources[k] = lazy(k);
  sources[EVENT_TIMESTAMP] = lazy(file.timestamp_column);
  sources[CREATED_TIMESTAMP] = lazy(created);
  sources[WRITE_SEQUENCE] = lazy(WRITE_SEQUENCE, sequenceText, NO_SEQUENCE);
  sources[WRITE_ID] = lazy(WRITE_ID, (v) => (typeof v === "number" ? v : 0), 0);
  for (const f of filter.features) sources[f] = lazy(f);
  const carried = table.columns[CARRIED];
  return {
    columns: lazyColumns(sources),
    numRows,
    carries: carriesOf(filter.features, present, carried ? pickValues(carried, kept) : undefined, numRows),
    // What the read cost: every row of the row groups it decoded, not only those in the window.
    rowsScanned: table.rowsDecoded,
  };
}

/**
 * The rows (of the window, which the reader already applied) that pass the key
 * set and the row filter, in file order; null when every row does.
 */
function keptRows(schema: SourceSchema, table: TypedTable, filter: ChunkFilter): Int32Array | null {
  if (!filter.keys && !filter.rowFilter) return null;
  // Plain values, built on first use: the filters read only the columns they need (the keys).
  const plain = lazyColumns(
    Object.fromEntries(
      Object.entries(table.columns).map(([name, column]) => [
        name,
        { column, rows: null, missing: null, length: table.numRows },
      ]),
    ),
  );
  const keyNames = schema.joinKeys.map((k) => k.name);
  const keyTypes = Object.fromEntries(schema.joinKeys.map((k) => [k.name, k.type]));
  const identity = filter.keys ? identityBuilder(keyNames, keyTypes, (k) => plain[k]) : null;
  const kept = new Int32Array(table.numRows);
  let n = 0;
  for (let i = 0; i < table.numRows; i++) {
    if (identity) {
      const id = identity(i);
      if (typeof id !== "string" || !filter.keys!.has(id)) continue;
    }
    if (filter.rowFilter && !filter.rowFilter(plain, i)) continue;
    kept[n++] = i;
  }
  return kept.subarray(0, n);
}

/** Per feature, which kept rows carried it; only features some row did not carry. `carried`: per kept row. */
function carriesOf(
  features: readonly string[],
  present: ReadonlySet<string>,
  carried: readonly unknown[] | undefined,
  rows: number,
): Record<string, Uint8Array> {
  const carries: Record<string, Uint8Array> = {};
  for (const f of features) if (!present.has(f)) carries[f] = new Uint8Array(rows);
  if (!carried) return carries;
  const sets = new CarriedSets();
  for (let k = 0; k < rows; k++) {
    const text = carried[k];
    if (typeof text !== "string") continue;
    const set = sets.of(text);
    for (const f of features) {
      if (set.has(f) || !present.has(f)) continue;
      if (!carries[f]) carries[f] = new Uint8Array(rows).fill(1);
      carries[f][k] = 0;
    }
  }
  return carries;
}

/**
 * The chunks joined into one, in order, on top of `base` (typically an empty
 * chunk naming the columns): each column allocated once at its final length
 * and filled by index (pushing value by value, or concatenating arrays of
 * mixed element kinds, costs several times more).
 */
export function mergeChunks(base: RowChunk, chunks: readonly RowChunk[]): RowChunk {
  const all = [base, ...chunks];
  const numRows = all.reduce((n, c) => n + c.numRows, 0);
  const names = new Set(all.flatMap((c) => Object.keys(c.columns)));
  const columns: Record<string, unknown[]> = {};
  for (const name of names) {
    const out = new Array<unknown>(numRows);
    let at = 0;
    // a chunk without the column adds no values (as appending it did)
    for (const c of all) at += copyColumn(c.columns, name, out, at);
    out.length = at;
    columns[name] = out;
  }
  const carries: Record<string, Uint8Array> = {};
  for (const f of new Set(all.flatMap((c) => Object.keys(c.carries)))) {
    const mask = new Uint8Array(numRows);
    let at = 0;
    for (const c of all) {
      if (c.carries[f]) mask.set(c.carries[f], at);
      else mask.fill(1, at, at + c.numRows);
      at += c.numRows;
    }
    carries[f] = mask;
  }
  return { columns, numRows, carries, rowsScanned: all.reduce((n, c) => n + c.rowsScanned, 0) };
}
