/**
 * The offline store contract (in the spirit of Feast's `OfflineStore`): the
 * offline history of a project's batch sources, as rows with an event time,
 * a version and the features each carried. Historical retrieval,
 * materialization, ingest, the offline-writes consumer and the cron go
 * through it; the online hot path never does. The implementation
 * (`R2OfflineStore`) keeps Parquet files in R2 in a bucketed layout and a
 * file manifest in D1.
 */
import type { BucketLayout } from "../domain/bucketing";
import type { OfflineRow, SourceSchema } from "../domain/source-schema";
import type { Discovery } from "./discovery";
import type { FileOrigin, ManifestFile } from "./manifest";
import type { AppendOptions } from "./offline-append";
import type { RowChunk } from "./offline-read";

/** A file of the manifest, as reads and responses see it. */
export type OfflineFile = ManifestFile;

export interface ReadRowsOptions {
  /** Feature columns wanted; a file lacking one gives nulls its rows did not carry. */
  features: readonly string[];
  /** Inclusive event-time window, epoch ms; either bound optional. */
  minTs?: number;
  maxTs?: number;
  /** Only these files (R2 keys) of the manifest, e.g. one task's group. */
  files?: readonly string[];
  /** Only files of these buckets (and files of every bucket, whose rows are then filtered to these buckets). */
  buckets?: readonly number[];
  /** Keeps only rows whose entity (join identity over the schema's join keys, see `identityBuilder`) is in this set. */
  keys?: ReadonlySet<string>;
}

export interface SourceRows extends RowChunk {
  filesRead: number;
}

export interface CompactionResult {
  /** Files merged, and the files they became. */
  files: number;
  into: number;
}

export interface OfflineStore {
  /**
   * The source's rows with `minTs <= event_timestamp <= maxTs`, only the
   * columns asked for (see `RowChunk` for the columns, versions and
   * `carries`), file by file: `onChunk` gets each file's rows and may fold
   * them, so a caller's memory is bounded by one file. Files are pruned by
   * the manifest (time, bucket). Throws VALIDATION_ERROR naming a file that
   * is unreadable or lacks a join key column.
   */
  scanRows(
    project: string,
    schema: SourceSchema,
    options: ReadRowsOptions,
    onChunk: (chunk: RowChunk) => void | Promise<void>,
  ): Promise<{ filesRead: number; rowsScanned: number }>;

  /** `scanRows` with every chunk gathered into one. */
  readRows(project: string, schema: SourceSchema, options: ReadRowsOptions): Promise<SourceRows>;

  /**
   * Appends rows (converted and validated already; each carrying the
   * features it has as own properties) as Parquet files in the bucketed
   * layout, each recorded in the manifest after its object is written; on
   * failure, objects written so far are removed. Rows without a version get
   * one from `options.stamp`. CONFLICT when the source names one file rather
   * than a prefix.
   */
  appendRows(
    project: string,
    schema: SourceSchema,
    rows: readonly OfflineRow[],
    origin: FileOrigin,
    options?: AppendOptions,
  ): Promise<OfflineFile[]>;

  /** The source's bucket layout; null when it was never written. */
  layout(project: string, source: string): Promise<BucketLayout | null>;

  /** Manifest files of a source overlapping the window (either bound optional) and buckets, oldest first. */
  listFiles(
    project: string,
    source: string,
    window?: { minTs?: number; maxTs?: number },
    buckets?: readonly number[],
  ): Promise<OfflineFile[]>;

  /** Rows, files and bytes the manifest records for a source. */
  sourceTotals(project: string, source: string): Promise<{ files: number; rows: number; bytes: number }>;

  /** Removes files from the manifest, then their objects. */
  pruneFiles(project: string, paths: readonly string[]): Promise<void>;

  /**
   * Finds Parquet files users dropped under the source's path and adopts up
   * to `maxFiles` of them (a bounded number of rows per call) into the
   * bucketed layout; reports the files it set aside as unusable (each
   * once, never blocking the others).
   */
  discoverFiles(project: string, schema: SourceSchema, maxFiles?: number): Promise<Discovery>;

  /** Merges a source's small files (per bucket and period) into fewer; null when nothing was merged. */
  compact(project: string, schema: SourceSchema, now?: number): Promise<CompactionResult | null>;
}
