/**
 * Tables of the offline store: the manifest of Parquet files reads may open,
 * and the exports of historical retrievals. Data timestamps are epoch ms;
 * bookkeeping timestamps are ISO strings.
 */
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Every Parquet file of a batch source that reads may open, with what prunes it. */
export const offlineFiles = sqliteTable(
  "offline_files",
  {
    project: text("project").notNull(),
    source: text("source").notNull(),
    /** R2 key. */
    path: text("path").notNull(),
    rows: integer("rows").notNull(),
    bytes: integer("bytes").notNull(),
    min_event_ts: integer("min_event_ts").notNull(),
    max_event_ts: integer("max_event_ts").notNull(),
    /** The file's event and created timestamp columns (a user's files may name them differently). */
    timestamp_column: text("timestamp_column").notNull(),
    created_column: text("created_column"),
    /** push, ingest, adopted, compaction; discovered for files read in place (written before adoption existed). */
    origin: text("origin").notNull(),
    created_at: text("created_at").notNull(),
    /** The hash bucket of every row of the file; null for a file of every bucket (read by each). */
    bucket: integer("bucket"),
  },
  (t) => [
    primaryKey({ columns: [t.project, t.path] }),
    index("offline_files_by_source").on(t.project, t.source, t.max_event_ts),
    index("offline_files_by_bucket").on(t.project, t.source, t.bucket),
  ],
);

/** How a batch source's rows are bucketed: fixed when the source is first written. */
export const offlineSources = sqliteTable(
  "offline_sources",
  {
    project: text("project").notNull(),
    source: text("source").notNull(),
    buckets: integer("buckets").notNull(),
    /** The join keys the bucket hashes, sorted, joined by commas; empty for one bucket. */
    bucket_keys: text("bucket_keys").notNull(),
    created_at: text("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.project, t.source] })],
);

/**
 * Files users dropped under a batch source's path, adopted into the bucketed
 * layout: read once, slice by slice (`rows_done` of `rows` so far), rewritten
 * by bucket, and never read again, unless their size changes: then their
 * earlier rows are removed and they are adopted anew.
 */
export const offlineAdoptedFiles = sqliteTable(
  "offline_adopted_files",
  {
    project: text("project").notNull(),
    source: text("source").notNull(),
    path: text("path").notNull(),
    bytes: integer("bytes").notNull(),
    rows: integer("rows").notNull(),
    /** Rows read so far (whole row groups); the file is adopted when it reaches `rows`. */
    rows_done: integer("rows_done").notNull(),
    /** Rows that could not be adopted (a null join key): counted, never silently dropped. */
    rows_skipped: integer("rows_skipped").notNull(),
    /** The bucketed files its rows became, as a JSON array of R2 keys. */
    files: text("files").notNull(),
    updated_at: text("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.project, t.path] })],
);

/** Parquet exports of historical retrievals, downloadable through signed links until they expire. */
export const exportsTable = sqliteTable("exports", {
  id: text("id").primaryKey(),
  project: text("project").notNull(),
  path: text("path").notNull(),
  rows: integer("rows").notNull(),
  bytes: integer("bytes").notNull(),
  created_at: text("created_at").notNull(),
  expires_at: text("expires_at").notNull(),
});

/**
 * Files under a batch source's path that discovery could not use (unreadable,
 * no timestamp column, no rows), so each is reported once and not read again
 * on every scan; a file whose size changes is looked at again.
 */
export const offlineSkippedFiles = sqliteTable(
  "offline_skipped_files",
  {
    project: text("project").notNull(),
    source: text("source").notNull(),
    path: text("path").notNull(),
    bytes: integer("bytes").notNull(),
    /** What is wrong with it, in plain words. */
    reason: text("reason").notNull(),
    seen_at: text("seen_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.project, t.path] })],
);
