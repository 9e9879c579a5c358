/**
 * The offline store over R2 and the D1 manifest (see `OfflineStore` for the
 * contract):
 * - appends are one Parquet file per UTC date under the batch source's prefix
 *   (`<prefix>date=YYYY-MM-DD/<ulid>.parquet`), each recorded in the manifest
 *   after its object is written (a file is never in the manifest without its
 *   object);
 * - reads open only the manifest's files overlapping the window, only the
 *   columns asked for, and only row groups whose statistics overlap it;
 * - compaction merges a date's small files (of Larder's own writing) into one.
 */
import { parquetSchema } from "hyparquet";
import { identityBuilder } from "../domain/entity-key";
import { LarderError } from "../domain/errors";
import { CREATED_TIMESTAMP, EVENT_TIMESTAMP } from "../domain/names";
import type { OfflineRow, SourceSchema } from "../domain/source-schema";
import type { Database } from "../db/database";
import { type Discovery, discoverFiles } from "./discovery";
import { keyPartitionDate, newFileId, partitionDate, sourceLocation, sourcePrefix } from "./layout";
import {
  filesOverlapping,
  type FileOrigin,
  type ManifestFile,
  recordFiles,
  removeFiles,
  sourceTotals,
} from "./manifest";
import type { CompactionResult, OfflineFile, OfflineStore, ReadRowsOptions, SourceRows } from "./offline-store";
import { offlineColumns, writeParquet } from "./parquet-write";
import { readParquetMetadata } from "./parquet-metadata";
import { readParquet } from "./parquet-read";
import { r2AsyncBuffer } from "./r2-buffer";

/** Files under this size are compacted once a date has at least COMPACT_MIN_FILES of them. */
export const COMPACT_MAX_FILE_BYTES = 1024 * 1024;
export const COMPACT_MIN_FILES = 4;
const COMPACT_MAX_ROWS = 200_000;

/** Where Larder writes a source's files: `offline/<project>/<source>/`, whatever its path names. */
function appendPrefix(project: string, schema: SourceSchema, external: readonly string[]): string {
  const location = sourceLocation(project, schema.source.path, external);
  if (location.kind === "file") {
    throw new LarderError(
      "CONFLICT",
      `Batch source '${schema.source.name}' names one file (${schema.source.path}); Larder can only append to a prefix`,
      { data_source: schema.source.name },
    );
  }
  return sourcePrefix(project, schema.source.name);
}

function eventRange(rows: readonly OfflineRow[]): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const row of rows) {
    const ts = row[EVENT_TIMESTAMP] as number;
    if (ts < min) min = ts;
    if (ts > max) max = ts;
  }
  return [min, max];
}

export class R2OfflineStore implements OfflineStore {
  constructor(
    private readonly bucket: R2Bucket,
    private readonly db: Database,
    /** Per project, the prefixes `external://` paths may name (the operator's EXTERNAL_PREFIXES). */
    private readonly externalPrefixes: Readonly<Record<string, readonly string[]>> = {},
  ) {}

  private external(project: string): readonly string[] {
    return Object.hasOwn(this.externalPrefixes, project) ? this.externalPrefixes[project] : [];
  }

  async appendRows(
    project: string,
    schema: SourceSchema,
    rows: readonly OfflineRow[],
    origin: FileOrigin,
    fileId: (date: string) => string = () => newFileId(),
  ): Promise<OfflineFile[]> {
    const prefix = appendPrefix(project, schema, this.external(project));
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
        const metadata = { "larder.source": schema.source.name, "larder.origin": origin };
        const bytes = writeParquet(columns, part, { metadata });
        const path = `${prefix}date=${date}/${fileId(date)}.parquet`;
        await this.bucket.put(path, bytes, { httpMetadata: { contentType: "application/vnd.apache.parquet" } });
        written.push(path);
        const [min, max] = eventRange(part);
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
      await recordFiles(this.db, files);
    } catch (err) {
      // Objects written before the failure would otherwise be adopted by a later scan.
      await Promise.allSettled(written.map((path) => this.bucket.delete(path)));
      throw err;
    }
    return files;
  }

  async readRows(project: string, schema: SourceSchema, options: ReadRowsOptions): Promise<SourceRows> {
    const only = options.files ? new Set(options.files) : null;
    const window = { minTs: options.minTs, maxTs: options.maxTs };
    const files = (await this.listFiles(project, schema.source.name, window)).filter((f) => !only || only.has(f.path));
    const keyNames = schema.joinKeys.map((k) => k.name);
    const keyTypes = Object.fromEntries(schema.joinKeys.map((k) => [k.name, k.type]));
    const out: Record<string, unknown[]> = Object.fromEntries(
      [...keyNames, EVENT_TIMESTAMP, CREATED_TIMESTAMP, ...options.features].map((c) => [c, []]),
    );
    let rowsScanned = 0;
    const dtypes = Object.fromEntries(schema.features.map((f) => [f.name, f.dtype]));
    for (const file of files) {
      const buffer = r2AsyncBuffer(this.bucket, file.path, file.bytes);
      const metadata = await readParquetMetadata(buffer, { name: file.path });
      const present = new Set(parquetSchema(metadata).children.map((c) => c.element.name));
      const missingKey = keyNames.find((k) => !present.has(k));
      if (missingKey) {
        throw new LarderError(
          "VALIDATION_ERROR",
          `Offline file '${file.path}' has no join key column '${missingKey}'`,
          {
            file: file.path,
            column: missingKey,
          },
        );
      }
      const created = file.created_column && present.has(file.created_column) ? file.created_column : null;
      const features = options.features.filter((f) => present.has(f));
      const wanted = [...keyNames, file.timestamp_column, ...(created ? [created] : []), ...features];
      const table = await readParquet(buffer, {
        ...window,
        columns: wanted,
        timestampColumn: file.timestamp_column,
        name: file.path,
        dtypes,
        metadata,
      });
      rowsScanned += table.numRows;
      const ts = table.columns[file.timestamp_column];
      const identity = options.keys ? identityBuilder(keyNames, keyTypes, (k) => table.columns[k]) : null;
      // Rows kept first, then each output column copied in one pass (column by column is
      // much cheaper than row by row across every column).
      const kept: number[] = [];
      for (let i = 0; i < table.numRows; i++) {
        const t = ts[i] as number;
        if ((options.minTs !== undefined && t < options.minTs) || (options.maxTs !== undefined && t > options.maxTs)) {
          continue;
        }
        if (identity) {
          const id = identity(i);
          if (typeof id !== "string" || !options.keys!.has(id)) continue;
        }
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

  listFiles(project: string, source: string, window: { minTs?: number; maxTs?: number } = {}): Promise<OfflineFile[]> {
    return filesOverlapping(this.db, project, source, window.minTs, window.maxTs);
  }

  sourceTotals(project: string, source: string): Promise<{ files: number; rows: number; bytes: number }> {
    return sourceTotals(this.db, project, source);
  }

  async pruneFiles(project: string, paths: readonly string[]): Promise<void> {
    await removeFiles(this.db, project, paths);
    for (let i = 0; i < paths.length; i += 1000) await this.bucket.delete(paths.slice(i, i + 1000));
  }

  discoverFiles(project: string, schema: SourceSchema, maxFiles = 200): Promise<Discovery> {
    return discoverFiles(this.bucket, this.db, project, schema, this.external(project), maxFiles);
  }

  async compact(project: string, schema: SourceSchema): Promise<CompactionResult | null> {
    if (schema.views.length === 0) return null;
    const all = await this.listFiles(project, schema.source.name);
    const small = all.filter((f) => f.origin !== "discovered" && f.bytes < COMPACT_MAX_FILE_BYTES);
    const byDate = new Map<string, OfflineFile[]>();
    for (const f of small) {
      const date = keyPartitionDate(f.path);
      if (date) (byDate.get(date) ?? byDate.set(date, []).get(date)!).push(f);
    }
    let merged = 0;
    let into = 0;
    const features = schema.features.map((f) => f.name);
    for (const group of byDate.values()) {
      const rows = group.reduce((s, f) => s + f.rows, 0);
      if (group.length < COMPACT_MIN_FILES || rows > COMPACT_MAX_ROWS) continue;
      const read = await this.readRows(project, schema, { features, files: group.map((f) => f.path) });
      const names = Object.keys(read.columns);
      const out = Array.from({ length: read.numRows }, (_, i) =>
        Object.fromEntries(names.map((c) => [c, read.columns[c][i]])),
      );
      // The new file first, then the old ones go: a crash in between leaves duplicates (harmless to reads), never a gap.
      const written = await this.appendRows(project, schema, out, "compaction");
      await this.pruneFiles(
        project,
        group.map((f) => f.path),
      );
      merged += group.length;
      into += written.length;
    }
    return merged > 0 ? { files: merged, into } : null;
  }
}
