/**
 * Tables of the jobs that fan out through the MATERIALIZE queues
 * (materialization and large historical retrievals) and their tasks.
 * Bookkeeping timestamps are ISO strings.
 */
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

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
    /** The queue message that runs the task, kept so that a lost one can be sent again. */
    message: text("message", { mode: "json" }).$type<Record<string, unknown>>(),
    /** When the watchdog may take the task's message for lost (ISO); null while it is not sent yet. */
    lease_until: text("lease_until"),
    /** How many times the watchdog has sent the task again. */
    resends: integer("resends").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.job_id, t.task_id] })],
);
