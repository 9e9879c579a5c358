/** Schemas of the job list: materialization and historical-retrieval jobs of a project, newest first. */
import { z } from "@hono/zod-openapi";
import { Name } from "./common";

export const JOB_KINDS = ["materialize", "historical"] as const;
export const JOB_STATUSES = ["queued", "in_progress", "completed", "failed"] as const;
export const MAX_JOBS_LIMIT = 100;

export const JobsQuery = z.object({
  project: Name.optional().openapi({ description: "Project; defaults to the configured DEFAULT_PROJECT" }),
  kind: z.enum(JOB_KINDS).optional().openapi({ description: "Only jobs of this kind" }),
  status: z.enum(JOB_STATUSES).optional().openapi({ description: "Only jobs in this state" }),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_JOBS_LIMIT)
    .default(20)
    .openapi({ description: `How many jobs, newest first (1 to ${MAX_JOBS_LIMIT}, default 20)` }),
});

const Window = z.object({ start: z.string(), end: z.string() });

export const JobSummary = z
  .object({
    job_id: z.string(),
    kind: z.enum(JOB_KINDS),
    status: z.enum(JOB_STATUSES),
    created_at: z.string(),
    started_at: z.string().nullable().openapi({ description: "When the first task started; null before" }),
    completed_at: z.string().nullable(),
    duration_seconds: z
      .number()
      .openapi({ description: "From creation to completion, or to now while the job runs (as the status routes)" }),
    progress: z.object({
      tasks_done: z.number().int(),
      tasks_total: z.number().int(),
      tasks_failed: z.number().int(),
      fraction: z.number(),
    }),
    rows_read: z.number().int().openapi({ description: "Offline rows the tasks read" }),
    rows_written: z.number().int().openapi({
      description: "Materialization: entity records written online; historical: joined rows the tasks wrote",
    }),
    estimated_rows: z.number().int().nullable().openapi({ description: "From the file manifest when the job began" }),
    feature_views: z.array(z.string()).openapi({ description: "The views the job materialized or read" }),
    trigger: z
      .string()
      .nullable()
      .openapi({ description: "Materialization: what started it (api, incremental or cron); historical: null" }),
    time_ranges: z
      .record(z.string(), Window)
      .nullable()
      .openapi({ description: "Materialization: each view's window; historical: null" }),
    entity_rows: z.number().int().nullable().openapi({ description: "Historical: entity rows asked for; else null" }),
    feature_service: z.string().nullable(),
    errors: z.array(z.object({ task: z.string(), reason: z.string() })),
    status_url: z
      .string()
      .openapi({ description: "The job's own status route (materialization-status or historical)" }),
  })
  .openapi("JobSummary");

export const JobsResponse = z
  .object({
    project: z.string(),
    jobs: z.array(JobSummary),
    has_more: z.boolean().openapi({ description: "More jobs match than `limit` returned" }),
  })
  .openapi("JobsResponse");
