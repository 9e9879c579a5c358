/**
 * The offline store over R2 and the D1 manifest (see `OfflineStore` for the
 * contract):
 * - appends go to the bucketed layout (`offline-append.ts`), recorded in the
 *   manifest after their objects are written;
 * - reads open only the manifest's files overlapping the window and the
 *   buckets asked for, only the columns asked for, a few files at a time;
 * - discovery adopts users' files into the layout (`discovery.ts`);
 * - compaction merges a bucket's files (`compaction.ts`).
 */
import { type BucketLayout, bucketBuilder } from "../domain/bucketing";
import { LarderError } from "../domain/errors";
import { CREATED_TIMESTAMP, EVENT_TIMESTAMP, WRITE_ID, WRITE_SEQUENCE } from "../domain/names";
import type { OfflineRow, SourceSchema } from "../domain/source-schema";
import type { Database } from "../db/database";
import { planCompaction, rowsToRewrite } from "./compaction";
import { type Discovery, discoverFiles } from "./discovery";
import { sourceLocation } from "./layout";
import { filesOverlapping, type FileOrigin, removeFiles, sourceTotals } from "./manifest";
import { type AppendOptions, appendBucketed } from "./offline-append";
import { type ChunkFilter, mergeChunks, readFileChunk, type RowChunk } from "./offline-read";
import type { CompactionResult, OfflineFile, OfflineStore, ReadRowsOptions, SourceRows } from "./offline-store";
import { layoutForWrite, storedLayout } from "./source-layout";

/** Files read at once: their R2 reads overlap, and memory holds a few files at most. */
const PARALLEL_FILES = 4;

function emptyChunk(schema: SourceSchema, features: readonly string[]): RowChunk {
  const names = [...schema.joinKeys.map((k) => k.name), EVENT_TIMESTAMP, CREATED_TIMESTAMP, WRITE_SEQUENCE, WRITE_ID];
  return {
    columns: Object.fromEntries([...names, ...features].map((c) => [c, []])),
    numRows: 0,
    carries: {},
    rowsScanned: 0,
  };
}

export class R2OfflineStore implements OfflineStore {
  constructor(
    private readonly bucket: R2Bucket,
    private readonly db: Database,
    /** Per project, the prefixes `external://` paths may name (the operator's EXTERNAL_PREFIXES). */
    private readonly externalPrefixes: Readonly<Record<string, readonly string[]>> = {},
    /** Buckets of a source's first write (OFFLINE_BUCKETS). */
    private readonly defaultBuckets = 16,
  ) {}

  private external(project: string): readonly string[] {
    return Object.hasOwn(this.externalPrefixes, project) ? this.externalPrefixes[project] : [];
  }

  private writeLayout(project: string, schema: SourceSchema): Promise<BucketLayout> {
    return layoutForWrite(this.db, project, schema, this.defaultBuckets);
  }

  async appendRows(
    project: string,
    schema: SourceSchema,
    rows: readonly OfflineRow[],
    origin: FileOrigin,
    options: AppendOptions = {},
  ): Promise<OfflineFile[]> {
    const location = sourceLocation(project, schema.source.path, this.external(project));
    if (location.kind === "file") {
      throw new LarderError(
        "CONFLICT",
        `Batch source '${schema.source.name}' names one file (${schema.source.path}); Larder can only append to a prefix`,
        { data_source: schema.source.name },
      );
    }
    if (rows.length === 0) return [];
    const layout = await this.writeLayout(project, schema);
    return appendBucketed(this.bucket, this.db, { project, schema, layout }, rows, origin, options);
  }

  layout(project: string, source: string): Promise<BucketLayout | null> {
    return storedLayout(this.db, project, source);
  }

  async scanRows(
    project: string,
    schema: SourceSchema,
    options: ReadRowsOptions,
    onChunk: (chunk: RowChunk) => void | Promise<void>,
  ): Promise<{ filesRead: number; rowsScanned: number }> {
    const only = options.files ? new Set(options.files) : null;
    const window = { minTs: options.minTs, maxTs: options.maxTs };
    const files = (await this.listFiles(project, schema.source.name, window, options.buckets)).filter(
      (f) => !only || only.has(f.path),
    );
    const filter: ChunkFilter = { features: options.features, ...window, keys: options.keys };
    const layout = options.buckets ? await this.layout(project, schema.source.name) : null;
    const everyBucketFilter = layout ? this.bucketFilter(schema, layout, options.buckets!) : undefined;
    let rowsScanned = 0;
    for (let i = 0; i < files.length; i += PARALLEL_FILES) {
      const group = files.slice(i, i + PARALLEL_FILES);
      const chunks = await Promise.all(
        group.map((file) =>
          readFileChunk(
            this.bucket,
            schema,
            file,
            file.bucket === null ? { ...filter, rowFilter: everyBucketFilter } : filter,
          ),
        ),
      );
      // In manifest order: rows of files written before versions existed tie-break by it.
      for (const chunk of chunks) {
        rowsScanned += chunk.rowsScanned;
        await onChunk(chunk);
      }
    }
    return { filesRead: files.length, rowsScanned };
  }

  /** For a file of every bucket: keeps the rows of the wanted buckets. */
  private bucketFilter(
    schema: SourceSchema,
    layout: BucketLayout,
    buckets: readonly number[],
  ): ChunkFilter["rowFilter"] {
    const wanted = new Set(buckets);
    const types = Object.fromEntries(schema.joinKeys.map((k) => [k.name, k.type]));
    return (columns, row) => wanted.has(bucketBuilder(layout, types, (k) => columns[k] ?? [])(row));
  }

  async readRows(project: string, schema: SourceSchema, options: ReadRowsOptions): Promise<SourceRows> {
    const chunks: RowChunk[] = [];
    const { filesRead, rowsScanned } = await this.scanRows(project, schema, options, (chunk) => {
      chunks.push(chunk);
    });
    return { ...mergeChunks(emptyChunk(schema, options.features), chunks), rowsScanned, filesRead };
  }

  listFiles(
    project: string,
    source: string,
    window: { minTs?: number; maxTs?: number } = {},
    buckets?: readonly number[],
  ): Promise<OfflineFile[]> {
    return filesOverlapping(this.db, project, source, window.minTs, window.maxTs, buckets);
  }

  sourceTotals(project: string, source: string): Promise<{ files: number; rows: number; bytes: number }> {
    return sourceTotals(this.db, project, source);
  }

  async pruneFiles(project: string, paths: readonly string[]): Promise<void> {
    await removeFiles(this.db, project, paths);
    for (let i = 0; i < paths.length; i += 1000) await this.bucket.delete(paths.slice(i, i + 1000));
  }

  discoverFiles(project: string, schema: SourceSchema, maxFiles = 200): Promise<Discovery> {
    return discoverFiles(
      this.bucket,
      this.db,
      {
        project,
        schema,
        externalPrefixes: this.external(project),
        layout: () => this.writeLayout(project, schema),
      },
      maxFiles,
    );
  }

  async compact(project: string, schema: SourceSchema, now = Date.now()): Promise<CompactionResult | null> {
    if (schema.views.length === 0) return null;
    const layout = await this.layout(project, schema.source.name);
    if (!layout) return null;
    const features = schema.features.map((f) => f.name);
    let merged = 0;
    let into = 0;
    for (const group of planCompaction(await this.listFiles(project, schema.source.name), now)) {
      const chunks: RowChunk[] = [];
      await this.scanRows(project, schema, { features, files: group.files.map((f) => f.path) }, (chunk) => {
        chunks.push(chunk);
      });
      const rows = rowsToRewrite(schema, chunks, features);
      // The new file first, then the old ones go: a crash in between leaves copies (harmless to reads), never a gap.
      const written = await appendBucketed(this.bucket, this.db, { project, schema, layout }, rows, "compaction");
      await this.pruneFiles(
        project,
        group.files.map((f) => f.path),
      );
      merged += group.files.length;
      into += written.length;
    }
    return merged > 0 ? { files: merged, into } : null;
  }
}
