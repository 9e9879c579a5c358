/** Schemas of materialization, its status, and feature view statistics. */
import { z } from "@hono/zod-openapi";
import { Name } from "./common";

const Timestamp = z.string().openapi({ example: "2024-06-01T00:00:00Z", description: "RFC 3339 (no zone: UTC)" });

export const MaterializeRequest = z
  .object({
    feature_views: z
      .array(z.string())
      .min(1)
      .openapi({ example: ["customer", "transactions"] }),
    start_date: Timestamp,
    end_date: Timestamp,
    project: Name.optional().openapi({ description: "Defaults to the request's project" }),
  })
  .openapi("MaterializeRequest");

export const MaterializeIncrementalRequest = z
  .object({
    feature_views: z.array(z.string()).min(1).optional().openapi({ description: "Defaults to every online view" }),
    end_date: Timestamp.optional().openapi({ description: "Defaults to now" }),
    project: Name.optional().openapi({ description: "Defaults to the request's project" }),
  })
  .openapi("MaterializeIncrementalRequest");

export const MaterializeResponse = z
  .object({
    materialization_id: z.string(),
    status: z.enum(["queued", "in_progress", "completed", "failed"]),
    feature_views: z.array(z.string()),
    time_range: z.object({ start: z.string(), end: z.string() }),
    time_ranges: z.record(z.string(), z.object({ start: z.string(), end: z.string() })),
    estimated_rows: z
      .number()
      .int()
      .openapi({ description: "Rows of the files in the window, from the file manifest" }),
    estimated_duration_seconds: z
      .number()
      .nullable()
      .openapi({ description: "From the throughput of earlier jobs; null without any" }),
    progress_url: z.string(),
  })
  .openapi("MaterializeResponse");

export const MaterializationStatus = z
  .object({
    materialization_id: z.string(),
    status: z.enum(["queued", "in_progress", "completed", "failed"]),
    feature_views: z.array(z.string()),
    rows_materialized: z.number().int().openapi({ description: "Latest entity records delivered to the online store" }),
    rows_read: z.number().int().openapi({ description: "Offline rows the tasks read" }),
    rows_skipped: z.number().int().openapi({
      description: "Rows the job could not write (e.g. an entity key too long to serve); sampled in errors",
    }),
    duration_seconds: z.number().nullable(),
    completed_at: z.string().nullable(),
    errors: z.array(z.object({ task: z.string(), reason: z.string() })),
    progress: z.object({
      tasks_done: z.number().int(),
      tasks_total: z.number().int(),
      tasks_failed: z.number().int(),
      fraction: z.number(),
    }),
  })
  .openapi("MaterializationStatus");

const FeatureStat = z.object({
  mean: z.number().nullable(),
  std: z.number().nullable(),
  min: z.number().nullable(),
  max: z.number().nullable(),
  null_percentage: z.number().nullable().openapi({ description: "Share of nulls, 0 to 1" }),
  count: z.number().int(),
  histogram: z
    .array(z.object({ low: z.number(), high: z.number(), count: z.number().int() }))
    .optional()
    .openapi({
      description:
        "Numeric features: counts in fixed bins (8 per power of two, the same for every job, so tasks add up exactly); non-empty bins, ascending",
    }),
  top_values: z
    .array(z.object({ value: z.string(), count: z.number().int() }))
    .optional()
    .openapi({ description: "Strings and booleans: the 10 most frequent values" }),
  top_values_max_undercount: z.number().int().optional().openapi({
    description:
      "How much each top value's count may be short (0: exact; more than 64 distinct values make it a bound)",
  }),
});

export const FeatureViewStats = z
  .object({
    feature_view: z.string(),
    statistics: z.object({
      total_entities: z.number().int().nullable().openapi({
        description: "Distinct entities the last materialization read (HyperLogLog estimate, ~1.6% error)",
      }),
      online_store_records: z
        .number()
        .int()
        .nullable()
        .openapi({ description: "Keys of the view in KV, counted by listing (null past the listing cap)" }),
      offline_store_records: z.number().int().openapi({ description: "Rows of the source's files in the manifest" }),
      last_materialization: z.string().nullable(),
      freshness_seconds: z
        .number()
        .int()
        .nullable()
        .openapi({ description: "Now minus the newest event timestamp materialized" }),
      feature_stats: z.record(z.string(), FeatureStat),
    }),
  })
  .openapi("FeatureViewStats");
