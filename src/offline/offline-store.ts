/**
 * The offline store contract (in the spirit of Feast's `OfflineStore`) over
 * R2 and the D1 manifest:
 * - `appendRows`: one Parquet file per UTC date under the batch source's
 *   prefix (`<prefix>date=YYYY-MM-DD/<ulid>.parquet`), each recorded in the
 *   manifest after its object is written (a file is never in the manifest
 *   without its object);
 * - `readRows`: the rows of a source within a time window, only the columns
 *   asked for, files pruned by the manifest and row groups by statistics,
 *   optionally filtered row by row (e.g. to one shard of entity keys);
 * - `discoverFiles`: files users dropped under a source's prefix join the
 *   manifest, read from their footers.
 */
import { parquetSchema } from "hyparquet";
import { LarderError } from "../errors";
import type { RegistryDb } from "../registry/d1-registry";
import { keyPartitionDate, newFileId, partitionDate, sourceLocation } from "./layout";
import { filesOverlapping, knownPaths, recordFiles, type FileOrigin, type ManifestFile } from "./manifest";
import {
  offlineColumns,
  readParquet,
  readParquetMetadata,
  writeParquet,
  parquetSummary,
  r2AsyncBuffer,
  CREATED_TIMESTAMP,
  EVENT_TIMESTAMP,
  type OfflineRow,
} from "./parquet";
import type { SourceSchema } from "./source-schema";

export interface OfflineDeps {
  bucket: R2Bucket;
  db: RegistryDb;
}

function appendPrefix(schema: SourceSchema): string {
  const location = sourceLocation(schema.source.path);
  if (location.kind === "file") {
    throw new LarderError(
      "CONFLICT",
      `Batch source '${schema.source.name}' names one file (${schema.source.path}); Larder can only append to a prefix`,
      { data_source: schema.source.name },
    );
  }
  return location.key;
}

/**
 * Appends rows (epoch-ms `event_timestamp`, optional `created_timestamp`,
 * join keys, features) to a batch source. `fileId(date)` may make names
 * deterministic so a retried write overwrites instead of duplicating.
 */
export async function appendRows(
  deps: OfflineDeps,
  project: string,
  schema: SourceSchema,
  rows: readonly OfflineRow[],
  origin: FileOrigin,
  fileId: (date: string) => string = () => newFileId(),
): Promise<ManifestFile[]> {
  const prefix = appendPrefix(schema);
  const byDate = new Map<string, OfflineRow[]>();
  for (const row of rows) {
    const date = partitionDate(row[EVENT_TIMESTAMP] as number);
    (byDate.get(date) ?? byDate.set(date, []).get(date)!).push(row);
  }
  const columns = offlineColumns(schema.joinKeys, schema.features);
  const now = new Date().toISOString();
  const files: ManifestFile[] = [];
  const written: string[] = [];
  try {
    for (const [date, part] of byDate) {
      const bytes = writeParquet(columns, part, {
        metadata: { "larder.source": schema.source.name, "larder.origin": origin },
      });
      const path = `${prefix}date=${date}/${fileId(date)}.parquet`;
      await deps.bucket.put(path, bytes, { httpMetadata: { contentType: "application/vnd.apache.parquet" } });
      written.push(path);
      let min = Infinity;
      let max = -Infinity;
      for (const row of part) {
        const ts = row[EVENT_TIMESTAMP] as number;
        if (ts < min) min = ts;
        if (ts > max) max = ts;
      }
      files.push({
        project,
        source: schema.source.name,
        path,
        rows: part.length,
        bytes: bytes.byteLength,
        min_event_ts: min,
        max_event_ts: max,
        timestamp_column: EVENT_TIMESTAMP,
        created_column: CREATED_TIMESTAMP,
        origin,
        created_at: now,
      });
    }
    await recordFiles(deps.db, files);
  } catch (err) {
    // Objects written before the failure would otherwise be adopted by a later scan.
    await Promise.allSettled(written.map((path) => deps.bucket.delete(path)));
    throw err;
  }
  return files;
}

export interface ReadRowsOptions {
  /** Feature columns wanted; a file lacking one gives nulls. */
  features: readonly string[];
  minTs?: number;
  maxTs?: number;
  /** Only these files (R2 keys) of the manifest, e.g. one task's group. */
  files?: readonly string[];
  /** Keeps row `i` of a file's table (e.g. only one shard's keys); all rows when absent. */
  keep?: (table: Record<string, unknown[]>, i: number) => boolean;
}

export interface SourceRows {
  /** Join keys, `event_timestamp`, `created_timestamp`, features: one array per column. */
  columns: Record<string, unknown[]>;
  numRows: number;
  filesRead: number;
  rowsScanned: number;
}

/** The source's rows within [minTs, maxTs], oldest file first (a later file wins full ties in the join). */
export async function readRows(
  deps: OfflineDeps,
  project: string,
  schema: SourceSchema,
  options: ReadRowsOptions,
): Promise<SourceRows> {
  const only = options.files ? new Set(options.files) : null;
  const files = (await filesOverlapping(deps.db, project, schema.source.name, options.minTs, options.maxTs)).filter(
    (f) => !only || only.has(f.path),
  );
  const keyNames = schema.joinKeys.map((k) => k.name);
  const out: Record<string, unknown[]> = Object.fromEntries(
    [...keyNames, EVENT_TIMESTAMP, CREATED_TIMESTAMP, ...options.features].map((c) => [c, []]),
  );
  let rowsScanned = 0;
  const dtypes = Object.fromEntries(schema.features.map((f) => [f.name, f.dtype]));
  for (const file of files) {
    const buffer = r2AsyncBuffer(deps.bucket, file.path, file.bytes);
    const metadata = await readParquetMetadata(buffer, { name: file.path });
    const present = new Set(parquetSchema(metadata).children.map((c) => c.element.name));
    const missingKey = keyNames.find((k) => !present.has(k));
    if (missingKey)
      throw new LarderError("VALIDATION_ERROR", `Offline file '${file.path}' has no join key column '${missingKey}'`, {
        file: file.path,
        column: missingKey,
      });
    const created = file.created_column && present.has(file.created_column) ? file.created_column : null;
    const wanted = [
      ...keyNames,
      file.timestamp_column,
      ...(created ? [created] : []),
      ...options.features.filter((f) => present.has(f)),
    ];
    const table = await readParquet(buffer, {
      columns: wanted,
      minTs: options.minTs,
      maxTs: options.maxTs,
      timestampColumn: file.timestamp_column,
      name: file.path,
      dtypes,
      metadata,
    });
    rowsScanned += table.numRows;
    const ts = table.columns[file.timestamp_column];
    // Rows kept first, then each output column copied in one pass (column by column is
    // much cheaper than row by row across every column).
    const kept: number[] = [];
    for (let i = 0; i < table.numRows; i++) {
      const t = ts[i] as number;
      if ((options.minTs !== undefined && t < options.minTs) || (options.maxTs !== undefined && t > options.maxTs))
        continue;
      if (options.keep && !options.keep(table.columns, i)) continue;
      kept.push(i);
    }
    const copy = (target: unknown[], source: unknown[] | undefined) => {
      for (let k = 0; k < kept.length; k++) target.push(source ? source[kept[k]] : null);
    };
    for (const k of keyNames) copy(out[k], table.columns[k]);
    copy(out[EVENT_TIMESTAMP], ts);
    copy(out[CREATED_TIMESTAMP], created ? table.columns[created] : undefined);
    for (const f of options.features) copy(out[f], table.columns[f]);
  }
  return { columns: out, numRows: out[EVENT_TIMESTAMP].length, filesRead: files.length, rowsScanned };
}

/** Adds Parquet files under the source's prefix that the manifest does not know yet. Returns them. */
export async function discoverFiles(
  deps: OfflineDeps,
  project: string,
  schema: SourceSchema,
  maxFiles = 200,
): Promise<ManifestFile[]> {
  const location = sourceLocation(schema.source.path);
  const candidates: { key: string; size: number }[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.bucket.list({ prefix: location.key, cursor, limit: 1000 });
    for (const obj of page.objects) if (/\.parquet$/i.test(obj.key)) candidates.push({ key: obj.key, size: obj.size });
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor && candidates.length < 10_000);
  const known = await knownPaths(
    deps.db,
    project,
    candidates.map((c) => c.key),
  );
  const fresh = candidates.filter((c) => !known.has(c.key)).slice(0, maxFiles);
  const now = new Date().toISOString();
  const files: ManifestFile[] = [];
  for (const candidate of fresh) {
    const summary = await parquetSummary(r2AsyncBuffer(deps.bucket, candidate.key, candidate.size), {
      name: candidate.key,
      timestampColumn: schema.source.timestamp_field,
    });
    if (summary.numRows === 0) continue;
    const names = new Set(summary.columns.map((c) => c.name));
    if (!names.has(schema.source.timestamp_field)) {
      throw new LarderError(
        "VALIDATION_ERROR",
        `Offline file '${candidate.key}' has no timestamp column '${schema.source.timestamp_field}'`,
        { file: candidate.key },
      );
    }
    // Without statistics, fall back to the partition date in the key, or to "any time".
    const date = keyPartitionDate(candidate.key);
    const dayStart = date ? Date.parse(`${date}T00:00:00Z`) : undefined;
    const created =
      schema.source.created_timestamp_column && names.has(schema.source.created_timestamp_column)
        ? schema.source.created_timestamp_column
        : null;
    files.push({
      project,
      source: schema.source.name,
      path: candidate.key,
      rows: summary.numRows,
      bytes: candidate.size,
      min_event_ts: summary.minTs ?? dayStart ?? Number.MIN_SAFE_INTEGER,
      max_event_ts: summary.maxTs ?? (dayStart !== undefined ? dayStart + 86_399_999 : Number.MAX_SAFE_INTEGER),
      timestamp_column: schema.source.timestamp_field,
      created_column: created,
      origin: "discovered",
      created_at: now,
    });
  }
  await recordFiles(deps.db, files);
  return files;
}
