/**
 * Reading Parquet files (hyparquet) with column projection and time pruning,
 * from any AsyncBuffer: an in-memory buffer, or R2 through `r2AsyncBuffer`,
 * where every `slice` is one ranged GET.
 *
 * What is fetched: the footer (the last `footerFetchBytes`, default 64 KiB,
 * plus one more range if the footer is larger), then, for each run of
 * adjacent row groups that survive pruning, the chunks of the requested
 * columns only (hyparquet merges neighbouring chunks into one range). A row
 * group is skipped when the min/max statistics of the timestamp column lie
 * wholly outside [minTs, maxTs]; groups without statistics are read.
 *
 * Contract: the returned columns hold exactly the rows whose timestamp is
 * within [minTs, maxTs] (inclusive; rows with a null timestamp are dropped
 * when a bound is given), in file order, converted as parquet-values.ts
 * says: timestamps and dates → epoch ms, int64 → number when safe else decimal
 * text, bytes → base64. Any failure that comes from the file itself (not
 * Parquet, truncated, corrupt, a requested column missing, a timestamp column
 * that is not a time type) throws VALIDATION_ERROR whose message and
 * `details.file` name the file; LarderErrors from the AsyncBuffer (e.g. an R2
 * object that vanished) pass through unchanged.
 */
import { type FileMetaData, parquetRead, parquetSchema } from "hyparquet";
import type { Dtype } from "../domain/dtypes";
import { EVENT_TIMESTAMP } from "../domain/names";
import {
  asAsyncBuffer,
  fileError,
  groupRange,
  isTimeType,
  loadMetadata,
  naming,
  type ParquetReadOptions,
  type ParquetSource,
} from "./parquet-metadata";
import { EPOCH_MS_PARSERS, fromRead } from "./parquet-values";

export interface ReadParquetOptions extends ParquetReadOptions {
  /** Top-level columns to return, in this order; all columns when absent. */
  columns?: readonly string[];
  /** Inclusive time window in epoch ms on `timestampColumn`. */
  minTs?: number;
  maxTs?: number;
  /** Registry dtypes: a `string` column stored as BYTE_ARRAY without a UTF8 annotation is decoded as text, not base64. */
  dtypes?: Readonly<Record<string, Dtype>>;
  /** Footer metadata already read (e.g. by `readParquetMetadata`), to skip that fetch. */
  metadata?: FileMetaData;
  /** Only row groups `start` (inclusive) to `end` (exclusive): a slice of a large file. */
  rowGroups?: { start: number; end: number };
}

export interface ParquetTable {
  numRows: number;
  /** Column name → values, one per row. */
  columns: Record<string, unknown[]>;
  rowGroups: { total: number; read: number };
}

/** Reads the requested columns of the rows within the time window; see the module comment. */
export async function readParquet(source: ParquetSource, options: ReadParquetOptions = {}): Promise<ParquetTable> {
  const name = options.name ?? "(unnamed)";
  const file = asAsyncBuffer(source);
  const metadata = options.metadata ?? (await loadMetadata(file, options));
  return naming(name, async () => {
    const top = parquetSchema(metadata).children;
    const available = top.map((c) => c.element.name);
    const wanted = options.columns ? [...options.columns] : available;
    const missing = wanted.filter((c) => !available.includes(c));
    if (missing.length) throw fileError(name, `has no column '${missing[0]}'`, { missing, available });

    const tsColumn = options.timestampColumn ?? EVENT_TIMESTAMP;
    const minTs = options.minTs ?? -Infinity;
    const maxTs = options.maxTs ?? Infinity;
    const windowed = options.minTs !== undefined || options.maxTs !== undefined;
    if (windowed) {
      const el = top.find((c) => c.element.name === tsColumn)?.element;
      if (!el) throw fileError(name, `has no timestamp column '${tsColumn}'`, { missing: [tsColumn], available });
      if (!isTimeType(el))
        throw fileError(name, `column '${tsColumn}' is ${el.type ?? "a group"}, not a timestamp`, { column: tsColumn });
    }
    const readColumns = windowed && !wanted.includes(tsColumn) ? [...wanted, tsColumn] : wanted;

    // Runs of adjacent row groups that may hold rows in the window: one read each.
    const runs: { start: number; end: number }[] = [];
    let groupStart = 0;
    let groupsRead = 0;
    metadata.row_groups.forEach((group, g) => {
      const rows = Number(group.num_rows);
      const range = windowed ? groupRange(metadata, g, tsColumn) : undefined;
      const inSlice = !options.rowGroups || (g >= options.rowGroups.start && g < options.rowGroups.end);
      const keep = rows > 0 && inSlice && (!range || (range[1] >= minTs && range[0] <= maxTs));
      if (keep) {
        groupsRead++;
        const last = runs[runs.length - 1];
        if (last && last.end === groupStart) last.end += rows;
        else runs.push({ start: groupStart, end: groupStart + rows });
      }
      groupStart += rows;
    });

    const total = runs.reduce((n, r) => n + (r.end - r.start), 0);
    const out: Record<string, unknown[]> = Object.fromEntries(readColumns.map((c) => [c, new Array<unknown>(total)]));
    const asText = new Set(
      readColumns.filter((c) => options.dtypes?.[c] === "string" || options.dtypes?.[c] === "array<string>"),
    );
    let offset = 0;
    await Promise.all(
      runs.map((run) => {
        const base = offset - run.start;
        offset += run.end - run.start;
        return parquetRead({
          file,
          metadata,
          columns: readColumns,
          rowStart: run.start,
          rowEnd: run.end,
          parsers: EPOCH_MS_PARSERS,
          utf8: false, // unannotated BYTE_ARRAY is bytes (→ base64), not text
          onChunk: ({ columnName, columnData, rowStart, rowEnd }) => {
            const target = out[columnName];
            if (!target) return;
            const text = asText.has(columnName);
            // Chunks may extend past the requested rows: copy only the run's rows.
            for (let r = Math.max(rowStart, run.start); r < Math.min(rowEnd, run.end); r++)
              target[base + r] = fromRead(columnData[r - rowStart], text);
          },
        });
      }),
    );

    let numRows = total;
    if (windowed) {
      const ts = out[tsColumn];
      const keep: number[] = [];
      for (let i = 0; i < total; i++) {
        const t = ts[i];
        if (typeof t === "number" && t >= minTs && t <= maxTs) keep.push(i);
      }
      if (keep.length < total) {
        for (const c of readColumns) out[c] = keep.map((i) => out[c][i]);
        numRows = keep.length;
      }
    }
    const columns: Record<string, unknown[]> = {};
    for (const c of wanted) columns[c] = out[c];
    return { numRows, columns, rowGroups: { total: metadata.row_groups.length, read: groupsRead } };
  });
}
