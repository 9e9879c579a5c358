/**
 * Tables for the offline store's file manifest, exports, and the jobs that
 * fan out through the MATERIALIZE queue (materialization and large
 * historical retrievals). Timestamps of data are epoch ms; bookkeeping
 * timestamps are ISO strings.
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

/** A materialization or historical-retrieval job. */
export const jobs = sqliteTable(
  "jobs",
  {
    id: text("id").primaryKey(),
    project: text("project").notNull(),
    /** materialize | historical */
    kind: text("kind").notNull(),
    /** queued | in_progress | completed | failed */
    status: text("status").notNull(),
    /** What was asked (views, time range, trigger, feature selection, ...). */
    spec: text("spec", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    tasks_total: integer("tasks_total").notNull().default(0),
    tasks_done: integer("tasks_done").notNull().default(0),
    tasks_failed: integer("tasks_failed").notNull().default(0),
    /** Rows the tasks wrote (materialized rows, or joined rows). */
    rows_written: integer("rows_written").notNull().default(0),
    /** Rows the tasks read. */
    rows_read: integer("rows_read").notNull().default(0),
    estimated_rows: integer("estimated_rows"),
    result: text("result", { mode: "json" }).$type<Record<string, unknown>>(),
    errors: text("errors", { mode: "json" }).$type<{ task: string; reason: string }[]>().notNull(),
    created_at: text("created_at").notNull(),
    started_at: text("started_at"),
    completed_at: text("completed_at"),
  },
  (t) => [index("jobs_by_project").on(t.project, t.kind, t.created_at)],
);

/** One task of a job; its row is how retries avoid double counting. */
export const jobTasks = sqliteTable(
  "job_tasks",
  {
    job_id: text("job_id").notNull(),
    task_id: text("task_id").notNull(),
    /** queued | done | failed */
    status: text("status").notNull(),
    attempts: integer("attempts").notNull().default(0),
    rows_read: integer("rows_read").notNull().default(0),
    rows_written: integer("rows_written").notNull().default(0),
    /** Task-local results to merge (feature statistics, part file, ...). */
    output: text("output", { mode: "json" }).$type<Record<string, unknown>>(),
    error: text("error"),
    updated_at: text("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.job_id, t.task_id] })],
);

/** Feature statistics per view, merged from what materialization tasks read. */
export const featureStats = sqliteTable(
  "feature_stats",
  {
    project: text("project").notNull(),
    view: text("view").notNull(),
    stats: text("stats", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    job_id: text("job_id").notNull(),
    updated_at: text("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.project, t.view] })],
);
