/**
 * The offline store contract (in the spirit of Feast's `OfflineStore`): the
 * offline history of a project's batch sources, as rows with an event time.
 * Historical retrieval, materialization, ingest, the offline-writes consumer
 * and the cron go through it; the online hot path never does. The
 * implementation (`R2OfflineStore`) keeps Parquet files in R2 and a file
 * manifest in D1.
 */
import type { OfflineRow, SourceSchema } from "../domain/source-schema";
import type { Discovery } from "./discovery";
import type { FileOrigin, ManifestFile } from "./manifest";

/** A file of the manifest, as reads and responses see it. */
export type OfflineFile = ManifestFile;

export interface ReadRowsOptions {
  /** Feature columns wanted; a file lacking one gives nulls. */
  features: readonly string[];
  /** Inclusive event-time window, epoch ms; either bound optional. */
  minTs?: number;
  maxTs?: number;
  /** Only these files (R2 keys) of the manifest, e.g. one task's group. */
  files?: readonly string[];
  /** Keeps only rows whose entity (join identity, see `identityBuilder`) is in this set. */
  keys?: ReadonlySet<string>;
}

export interface SourceRows {
  /** Join keys, `event_timestamp`, `created_timestamp`, features: one array per column. */
  columns: Record<string, unknown[]>;
  numRows: number;
  filesRead: number;
  /** Offline rows decoded (before the window and key filters). */
  rowsScanned: number;
}

export interface CompactionResult {
  /** Files merged, and the files they became. */
  files: number;
  into: number;
}

export interface OfflineStore {
  /**
   * The source's rows with `minTs <= event_timestamp <= maxTs`, only the
   * columns asked for, oldest file first (so a later file wins full ties in
   * the join). Files are pruned by the manifest and row groups by their
   * statistics. Throws VALIDATION_ERROR naming a file that is unreadable or
   * lacks a join key column.
   */
  readRows(project: string, schema: SourceSchema, options: ReadRowsOptions): Promise<SourceRows>;

  /**
   * Appends rows (converted and validated already) as Parquet files, one per
   * UTC date of their event times, each recorded in the manifest after its
   * object is written; on failure, objects written so far are removed.
   * `fileId(date)` may make names deterministic, so a retried write
   * overwrites instead of duplicating. CONFLICT when the source names one
   * file rather than a prefix.
   */
  appendRows(
    project: string,
    schema: SourceSchema,
    rows: readonly OfflineRow[],
    origin: FileOrigin,
    fileId?: (date: string) => string,
  ): Promise<OfflineFile[]>;

  /** Manifest files of a source overlapping the window (either bound optional), oldest first. */
  listFiles(project: string, source: string, window?: { minTs?: number; maxTs?: number }): Promise<OfflineFile[]>;

  /** Rows, files and bytes the manifest records for a source. */
  sourceTotals(project: string, source: string): Promise<{ files: number; rows: number; bytes: number }>;

  /** Removes files from the manifest, then their objects. */
  pruneFiles(project: string, paths: readonly string[]): Promise<void>;

  /**
   * Adds up to `maxFiles` Parquet files found under the source's path that
   * the manifest lacks; returns them, and the files it set aside as unusable
   * (each reported once, never blocking the others).
   */
  discoverFiles(project: string, schema: SourceSchema, maxFiles?: number): Promise<Discovery>;

  /** Merges a source's small files (per date) into fewer; null when nothing was merged. */
  compact(project: string, schema: SourceSchema): Promise<CompactionResult | null>;
}
