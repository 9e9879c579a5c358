/** Schemas of the offline write routes: ingest into, and scan of, a batch source. */
import { z } from "@hono/zod-openapi";
import { MAX_INGEST_ROWS } from "../domain/ingest-fields";
import { MAX_LISTED_ERRORS } from "../domain/ingest-rows";

/** Files per scan: each costs one or two R2 reads, and a request has a subrequest budget. */
export const MAX_SCAN_FILES = 200;

export const IngestRequest = z
  .object({
    rows: z
      .array(z.unknown())
      .min(1)
      .max(MAX_INGEST_ROWS)
      .openapi({
        description: `At most ${MAX_INGEST_ROWS} rows. Each row holds the join keys, event_timestamp (or the source's timestamp_field), optionally created_timestamp (or the source's created_timestamp_column), and feature values, flat. Timestamps are RFC 3339 or epoch seconds. Each row is validated on its own.`,
        example: [
          {
            customer_id: "cust_12345",
            event_timestamp: "2024-01-15T10:00:00Z",
            age: 34,
            lifetime_value: 1520.5,
            segment: "premium",
          },
        ],
      }),
  })
  .openapi("IngestRequest");

export const OfflineFile = z
  .object({
    path: z.string().openapi({ description: "R2 key" }),
    rows: z.number().int(),
    bytes: z.number().int(),
    min_event_timestamp: z
      .string()
      .nullable()
      .openapi({ description: "RFC 3339; null when the file's footer has no statistics and its key no date" }),
    max_event_timestamp: z.string().nullable(),
  })
  .openapi("OfflineFile");

export const IngestResponse = z
  .object({
    data_source: z.string(),
    rows_written: z.number().int(),
    rejected: z.number().int(),
    errors: z.array(z.object({ index: z.number().int(), reason: z.string(), field: z.string().optional() })).openapi({
      description: `Rejected rows by index (the row's position in \`rows\`, or in the Parquet file), at most ${MAX_LISTED_ERRORS}`,
    }),
    errors_truncated: z.boolean().openapi({ description: "More rows were rejected than `errors` lists" }),
    files: z
      .array(OfflineFile)
      .openapi({ description: "The Parquet files written: one per bucket and UTC month of the rows" }),
    processing_time_ms: z.number(),
  })
  .openapi("IngestResponse");

export const ScanRequest = z
  .object({
    max_files: z.number().int().min(1).max(MAX_SCAN_FILES).default(MAX_SCAN_FILES).openapi({
      description: "New files to adopt in this call; call again until `discovered` and `adopting` are empty",
    }),
  })
  .openapi("ScanRequest");

export const ScanResponse = z
  .object({
    data_source: z.string(),
    discovered: z.array(OfflineFile).openapi({
      description:
        "Your files this scan adopted rows of (their own path, row count and time range): their rows are now in the source's bucketed layout, which reads use; the files themselves are left as they are",
    }),
    adopting: z.array(z.object({ path: z.string(), rows: z.number().int(), rows_done: z.number().int() })).openapi({
      description: `Large files adopted a slice at a time (at most 300,000 rows per call): scan again, or let the cron go on`,
    }),
    unreadable: z.array(z.object({ path: z.string(), reason: z.string() })).openapi({
      description:
        "Files this scan set aside (not Parquet, damaged, no timestamp column, no rows); each is reported once",
    }),
    files_known: z.number().int().openapi({ description: "Files of the source's bucketed layout after the scan" }),
    rows_known: z.number().int(),
    processing_time_ms: z.number(),
  })
  .openapi("ScanResponse");
