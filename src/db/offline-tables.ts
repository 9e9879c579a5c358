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
    /** push, ingest, discovered, compaction */
    origin: text("origin").notNull(),
    created_at: text("created_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.project, t.path] }),
    index("offline_files_by_source").on(t.project, t.source, t.max_event_ts),
  ],
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
