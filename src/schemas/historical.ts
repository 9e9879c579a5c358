/** Schemas of historical retrieval, its jobs and export downloads. */
import { z } from "@hono/zod-openapi";

const historicalFields = {
  feature_service: z.string().optional().openapi({ example: "customer_features_v1" }),
  features: z
    .array(z.string())
    .optional()
    .openapi({ example: ["customer:age", "transactions:total_count_30d"] }),
  full_feature_names: z.boolean().default(false),
  async: z.boolean().default(false).openapi({ description: "Run as a job (202); larger requests always do" }),
};

const entityDfColumns = z.record(z.string(), z.array(z.unknown())).openapi({
  description: "Columnar: join keys, event_timestamp, and any label columns (carried through)",
  example: { customer_id: ["cust_001"], event_timestamp: ["2024-01-15T10:00:00Z"] },
});

/** A request with its entity_df inline (the binding's form). */
export const HistoricalRequest = z.object({ ...historicalFields, entity_df: entityDfColumns });

/** The HTTP route's request: the entity_df inline, or a Parquet file in R2 (exactly one). */
export const HistoricalHttpRequest = z
  .object({
    ...historicalFields,
    entity_df: entityDfColumns.optional(),
    entity_df_path: z.string().optional().openapi({
      description:
        "Instead of entity_df: a Parquet entity_df already in R2 (up to 10,000,000 rows), by the batch-source path rule: inside the project's own prefix (r2://bucket/prefix/file.parquet, s3://..., prefix/file.parquet) or external://<operator-allowed prefix>. Always runs as a job",
      example: "r2://larder-offline/entity_dfs/train.parquet",
    }),
  })
  .openapi("HistoricalRequest");

const Metadata = z.object({
  rows_count: z.number().int(),
  features_count: z.number().int(),
  processing_time_ms: z.number(),
  timings: z.object({ read_ms: z.number(), join_ms: z.number(), write_ms: z.number() }),
  rows_scanned: z.number().int().openapi({ description: "Offline rows read from Parquet" }),
  files_read: z.number().int(),
});

export const HistoricalResponse = z
  .object({
    feature_service: z.string().optional(),
    data: z.array(z.record(z.string(), z.unknown())),
    truncated: z.boolean().openapi({ description: "true when data holds only the first rows; the export has all" }),
    metadata: Metadata,
    download_url: z.string().openapi({ description: "Signed HTTPS link to the Parquet file; no bearer token needed" }),
    download_expires_at: z.string(),
    storage_uri: z.string(),
    export_id: z.string(),
  })
  .openapi("HistoricalResponse");

export const HistoricalJobAccepted = z
  .object({
    job_id: z.string(),
    status: z.string(),
    status_url: z.string(),
    rows_count: z.number().int(),
    shards: z.number().int(),
  })
  .openapi("HistoricalJobAccepted");

const PhaseTiming = z.object({
  tasks: z.number().int(),
  wall_ms: z.number().nullable(),
  task_ms: z.number().nullable(),
});

export const HistoricalJobStatus = z
  .object({
    job_id: z.string(),
    status: z.enum(["queued", "in_progress", "completed", "failed"]),
    progress: z.object({ tasks_done: z.number().int(), tasks_total: z.number().int(), fraction: z.number() }),
    rows_count: z.number().int(),
    rows_scanned: z.number().int().openapi({ description: "Offline rows decoded, summed over the job's done tasks" }),
    files_read: z.number().int().openapi({ description: "Offline files read, summed over the job's done tasks" }),
    timings: z.object({ split: PhaseTiming, shards: PhaseTiming, combine: PhaseTiming }).openapi({
      description: "Per phase: wall time from its first task's start to its last task's end, and summed task time",
    }),
    download_url: z.string().nullable(),
    download_expires_at: z.string().nullable(),
    storage_uri: z.string().nullable(),
    errors: z.array(z.object({ task: z.string(), reason: z.string() })),
    created_at: z.string(),
    completed_at: z.string().nullable(),
  })
  .openapi("HistoricalJobStatus");
