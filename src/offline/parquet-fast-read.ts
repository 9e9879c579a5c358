/**
 * The fast Parquet reader: the rows and values of parquet-read.ts's
 * `readParquet`, as typed columns (parquet-fast-columns.ts) decoded without
 * one JS object per value. The offline store's joins and materialization read
 * through it (offline-read.ts).
 *
 * Rows: those of the row groups that the statistics of `timestampColumn` do
 * not exclude, then only those whose timestamp is within [minTs, maxTs]
 * (inclusive; null timestamps dropped when a bound is given), in file order —
 * readParquet's contract, and its errors (VALIDATION_ERROR naming the file).
 *
 * I/O: one `slice` per run of adjacent kept row groups covering the wanted
 * column chunks (chunks more than `maxGapBytes` apart start a new range), all
 * issued before any decoding.
 *
 * Fast path: flat columns, codec UNCOMPRESSED or SNAPPY, pages DATA_PAGE,
 * DATA_PAGE_V2 and DICTIONARY_PAGE, encodings PLAIN, RLE_DICTIONARY,
 * PLAIN_DICTIONARY, DELTA_BINARY_PACKED and BYTE_STREAM_SPLIT. Every other
 * column (booleans, lists, DECIMAL, INT96, other codecs or encodings) is read
 * with hyparquet and converted by `fromRead`, exactly as readParquet does.
 */
import type { FileMetaData, SchemaElement } from "hyparquet";
import { EVENT_TIMESTAMP } from "../domain/names";
import { compact, type Plan, planFor, type TypedColumn, Unsupported, valueAt } from "./parquet-fast-columns";
import { chunkSpan, fallbackColumn, fetchChunks, type Group } from "./parquet-fast-io";
import { decodeChunk, FAST_CODECS } from "./parquet-fast-pages";
import { asColumn, newSink } from "./parquet-fast-values";
import {
  asAsyncBuffer,
  fileError,
  groupRange,
  isTimeType,
  loadMetadata,
  naming,
  type ParquetSource,
} from "./parquet-metadata";
import type { ReadParquetOptions } from "./parquet-read";

export interface FastReadOptions extends ReadParquetOptions {
  /** Unwanted bytes between two wanted chunks above which they are fetched apart (default 1 MiB). */
  maxGapBytes?: number;
}

export interface TypedTable {
  /** Rows in the window (those returned). */
  numRows: number;
  /** Rows decoded: every row of the row groups read, before the window's row filter (what a read cost). */
  rowsDecoded: number;
  columns: Record<string, TypedColumn>;
  rowGroups: { total: number; read: number };
}

/** Reads the requested columns of the rows within the time window, as typed columns; see the module comment. */
export async function readParquetFast(source: ParquetSource, options: FastReadOptions = {}): Promise<TypedTable> {
  const name = options.name ?? "(unnamed)";
  const file = asAsyncBuffer(source);
  const metadata = options.metadata ?? (await loadMetadata(file, options));
  return naming(name, async () => {
    const top = topColumns(metadata);
    const available = [...top.keys()];
    const wanted = options.columns ? [...options.columns] : available;
    const missing = wanted.filter((c) => !top.has(c));
    if (missing.length) throw fileError(name, `has no column '${missing[0]}'`, { missing, available });
    const tsColumn = options.timestampColumn ?? EVENT_TIMESTAMP;
    const windowed = options.minTs !== undefined || options.maxTs !== undefined;
    const minTs = options.minTs ?? -Infinity;
    const maxTs = options.maxTs ?? Infinity;
    if (windowed) {
      const el = top.get(tsColumn)?.el;
      if (!el) throw fileError(name, `has no timestamp column '${tsColumn}'`, { missing: [tsColumn], available });
      if (!isTimeType(el))
        throw fileError(name, `column '${tsColumn}' is ${el.type ?? "a group"}, not a timestamp`, { column: tsColumn });
    }
    const readColumns = windowed && !wanted.includes(tsColumn) ? [...wanted, tsColumn] : wanted;

    const groups: Group[] = [];
    let fileRow = 0;
    metadata.row_groups.forEach((group, g) => {
      const rows = Number(group.num_rows);
      const range = windowed ? groupRange(metadata, g, tsColumn) : undefined;
      const inSlice = !options.rowGroups || (g >= options.rowGroups.start && g < options.rowGroups.end);
      if (rows > 0 && inSlice && (!range || (range[1] >= minTs && range[0] <= maxTs)))
        groups.push({ g, start: fileRow, rows });
      fileRow += rows;
    });
    const total = groups.reduce((s, x) => s + x.rows, 0);

    const plans = new Map<string, Plan | null>();
    for (const c of readColumns) plans.set(c, planOf(metadata, top.get(c)!, groups, options.dtypes?.[c]));
    const chunkBytes = fetchChunks(
      file,
      metadata,
      groups,
      readColumns.filter((c) => plans.get(c)).map((c) => top.get(c)!.leaf),
      options.maxGapBytes ?? 1 << 20,
    );

    const columns: Record<string, TypedColumn> = {};
    for (const c of readColumns) {
      const { el, leaf } = top.get(c)!;
      const plan = plans.get(c);
      const fast = plan ? await decodeColumn(metadata, el, leaf, plan, groups, total, chunkBytes) : null;
      columns[c] = fast ?? {
        kind: "values",
        values: await fallbackColumn(file, metadata, c, groups, total, options.dtypes?.[c]),
      };
    }

    let numRows = total;
    if (windowed) {
      const keep = inWindow(columns[tsColumn], total, minTs, maxTs);
      if (keep.length < total) {
        for (const c of readColumns) columns[c] = compact(columns[c], keep);
        numRows = keep.length;
      }
    }
    const out: Record<string, TypedColumn> = {};
    for (const c of wanted) out[c] = columns[c];
    return {
      numRows,
      rowsDecoded: total,
      columns: out,
      rowGroups: { total: metadata.row_groups.length, read: groups.length },
    };
  });
}

/** Top-level columns: name → its element and the index of its leaf chunk (-1 when it is not a flat primitive). */
function topColumns(metadata: FileMetaData): Map<string, { el: SchemaElement; leaf: number }> {
  const out = new Map<string, { el: SchemaElement; leaf: number }>();
  const schema = metadata.schema;
  let leaf = 0;
  let i = 1;
  for (let c = 0; c < (schema[0].num_children ?? 0); c++) {
    const el = schema[i];
    const flat = !el.num_children && el.repetition_type !== "REPEATED";
    out.set(el.name, { el, leaf: flat ? leaf : -1 });
    let pending = 1; // skip the subtree, counting its leaves
    while (pending > 0) {
      const node = schema[i++];
      pending--;
      if (node.num_children) pending += node.num_children;
      else leaf++;
    }
  }
  return out;
}

/** The column's plan, or null (hyparquet) when it is not flat or a kept chunk uses another codec. */
function planOf(
  metadata: FileMetaData,
  col: { el: SchemaElement; leaf: number },
  groups: readonly Group[],
  dtype: string | undefined,
): Plan | null {
  if (col.leaf < 0) return null;
  const plan = planFor(col.el, dtype);
  for (const { g } of groups) {
    const md = metadata.row_groups[g].columns[col.leaf]?.meta_data;
    if (!md || !FAST_CODECS.has(md.codec)) return null;
  }
  return plan;
}

/** The fast decode of one column over the kept groups; null when a page needs hyparquet. */
async function decodeColumn(
  metadata: FileMetaData,
  el: SchemaElement,
  leaf: number,
  plan: Plan,
  groups: readonly Group[],
  total: number,
  bytesOf: (start: number, end: number) => Promise<Uint8Array>,
): Promise<TypedColumn | null> {
  const sink = newSink(plan, total);
  let at = 0;
  try {
    for (const { g, rows } of groups) {
      const span = chunkSpan(metadata, g, leaf);
      const codec = metadata.row_groups[g].columns[leaf].meta_data!.codec;
      decodeChunk(await bytesOf(span.start, span.end), codec, el, sink, at, rows, undefined);
      at += rows;
    }
  } catch (err) {
    if (err instanceof Unsupported) return null;
    throw err;
  }
  return asColumn(sink);
}

/** Row numbers whose timestamp is within [minTs, maxTs] (a null is NaN, which fails both comparisons). */
function inWindow(ts: TypedColumn, total: number, minTs: number, maxTs: number): Int32Array {
  const keep = new Int32Array(total);
  let kept = 0;
  if (ts.kind === "number") {
    const v = ts.values;
    for (let i = 0; i < total; i++) if (v[i] >= minTs && v[i] <= maxTs) keep[kept++] = i;
  } else {
    for (let i = 0; i < total; i++) {
      const t = valueAt(ts, i);
      if (typeof t === "number" && t >= minTs && t <= maxTs) keep[kept++] = i;
    }
  }
  return keep.subarray(0, kept);
}
