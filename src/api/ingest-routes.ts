/**
 * Offline writes to batch sources (API.md "Added routes"):
 * - POST /data-sources/{name}/ingest appends rows, sent as JSON or as a
 *   Parquet body, to the source's offline history;
 * - POST /data-sources/{name}/scan adds Parquet files users dropped under the
 *   source's prefix to the file manifest, so reads see them.
 * Both need offline:write. Handlers stay thin: row rules live in
 * src/offline/ingest.ts, storage in src/offline/offline-store.ts.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { requireScope } from "../auth/middleware";
import { invalid } from "../errors";
import { formatTimestamp } from "../domain/timestamps";
import { ingestTarget, MAX_INGEST_ROWS, MAX_LISTED_ERRORS, validateIngestRows } from "../offline/ingest";
import { parquetIngestRows } from "../offline/ingest-parquet";
import { appendRows, discoverFiles } from "../offline/offline-store";
import { sourceTotals, type ManifestFile } from "../offline/manifest";
import { sourceSchema } from "../offline/source-schema";
import { registryDb } from "../registry/d1-registry";
import { commonErrors, conflict, jsonResponse, notFound, ProjectQuery, tooLarge } from "./schemas/common";
import { NamePath } from "./schemas/registry";
import { registryOf, router } from "./context";

export const ingestRoutes = router();
const canWrite = requireScope("offline:write");

/** Files per scan: each costs one or two R2 reads, and a request has a subrequest budget. */
const MAX_SCAN_FILES = 200;
const PARQUET_TYPES = ["application/vnd.apache.parquet", "application/octet-stream"];

const IngestRequest = z
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

const OfflineFile = z
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

const IngestResponse = z
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
      .openapi({ description: "The Parquet files written: one per UTC date of the rows' event times" }),
    processing_time_ms: z.number(),
  })
  .openapi("IngestResponse");

const ScanRequest = z
  .object({
    max_files: z
      .number()
      .int()
      .min(1)
      .max(MAX_SCAN_FILES)
      .default(MAX_SCAN_FILES)
      .openapi({ description: "New files to add in this call; call again until `discovered` is empty" }),
  })
  .openapi("ScanRequest");

const ScanResponse = z
  .object({
    data_source: z.string(),
    discovered: z.array(OfflineFile).openapi({ description: "Files added to the manifest by this scan" }),
    files_known: z.number().int().openapi({ description: "Files of the source in the manifest after the scan" }),
    rows_known: z.number().int(),
    processing_time_ms: z.number(),
  })
  .openapi("ScanResponse");

/** Epoch ms as RFC 3339; null for the "no statistics" sentinels a discovered file may carry. */
function instant(ms: number): string | null {
  return Math.abs(ms) <= 8.64e15 ? formatTimestamp(ms) : null;
}

function fileOut(file: ManifestFile) {
  return {
    path: file.path,
    rows: file.rows,
    bytes: file.bytes,
    min_event_timestamp: instant(file.min_event_ts),
    max_event_timestamp: instant(file.max_event_ts),
  };
}

const elapsed = (ms: number) => Math.round(ms * 100) / 100;

ingestRoutes.openapi(
  createRoute({
    method: "post",
    path: "/data-sources/{name}/ingest",
    tags: ["offline"],
    summary:
      "Append rows (JSON or a Parquet body) to a batch source's offline history; bad rows are reported, good rows written",
    description: [
      'Send `{"rows": [...]}` as JSON, or a Parquet file with Content-Type application/vnd.apache.parquet (or application/octet-stream) whose columns are named like the JSON fields.',
      `At most ${MAX_INGEST_ROWS} rows per request (and the request body limit).`,
      "Rows are validated one by one: good rows are written (one Parquet file per UTC date), bad rows are listed in `errors` and never partly written.",
      "When every row is bad the answer is still 200, with rows_written 0 and the errors, as for push: the request was understood and each row judged; the client reads `rejected`.",
      "Whole-body problems (not JSON or Parquet, no rows, too many rows, an unknown Parquet column) are 400 and write nothing.",
      "A source whose path names one file cannot be appended to: 409.",
    ].join(" "),
    middleware: [canWrite] as const,
    request: {
      params: NamePath,
      query: ProjectQuery,
      body: {
        // Not `required`: the validator would then demand JSON and refuse a Parquet body; the handler demands a body instead.
        required: false,
        description: "JSON rows, or a Parquet file",
        content: {
          "application/json": { schema: IngestRequest },
          ...Object.fromEntries(
            PARQUET_TYPES.map((type) => [
              type,
              { schema: z.string().openapi({ format: "binary", description: "A Parquet file" }) },
            ]),
          ),
        },
      },
    },
    responses: {
      200: jsonResponse(IngestResponse, "Rows written and rows rejected"),
      ...commonErrors,
      ...notFound,
      ...conflict,
      ...tooLarge,
    },
  }),
  async (c) => {
    const name = c.req.valid("param").name;
    const schema = ingestTarget(await registryOf(c), name);
    const mediaType = (c.req.header("content-type") ?? "").split(";")[0].trim().toLowerCase();
    let validation: ReturnType<typeof validateIngestRows>;
    if (PARQUET_TYPES.includes(mediaType)) {
      const body = new Uint8Array(await c.req.arrayBuffer());
      const parsed = await c.get("timing").measure("parse", () => parquetIngestRows(schema, body));
      validation = validateIngestRows(schema, parsed.rows, { epochMsFields: parsed.epochMsFields });
    } else {
      // JSON bodies were validated by the route; anything else reaches here without rows.
      const rows = (c.req.valid("json") as { rows?: unknown[] }).rows;
      if (!rows)
        throw invalid(`Send {"rows": [...]} as application/json, or a Parquet file as ${PARQUET_TYPES.join(" or ")}`, {
          content_type: mediaType || null,
        });
      validation = validateIngestRows(schema, rows);
    }
    const deps = { bucket: c.env.OFFLINE_STORE, db: registryDb(c.env.DB) };
    // Called even with no accepted rows, so a single-file source always answers CONFLICT.
    const files = await c
      .get("timing")
      .measure("write", () => appendRows(deps, c.get("project"), schema, validation.accepted, "ingest"));
    return c.json(
      {
        data_source: name,
        rows_written: validation.accepted.length,
        rejected: validation.rejected,
        errors: validation.errors,
        errors_truncated: validation.errorsTruncated,
        files: files.map(fileOut),
        processing_time_ms: elapsed(c.get("timing").elapsedMs()),
      },
      200,
    );
  },
);

ingestRoutes.openapi(
  createRoute({
    method: "post",
    path: "/data-sources/{name}/scan",
    tags: ["offline"],
    summary: "Add Parquet files found under a batch source's prefix to the file manifest",
    description:
      "Lists the source's prefix and records every .parquet object the manifest does not know yet (row count and event-time range from its footer). A file that is not readable Parquet, or lacks the source's timestamp column, is a 400 naming it, and nothing is recorded. The body is optional.",
    middleware: [canWrite] as const,
    request: {
      params: NamePath,
      query: ProjectQuery,
      body: { required: false, content: { "application/json": { schema: ScanRequest } } },
    },
    responses: { 200: jsonResponse(ScanResponse, "Files discovered"), ...commonErrors, ...notFound },
  }),
  async (c) => {
    const name = c.req.valid("param").name;
    // Any batch source may be scanned, read by a view or not (DATA_SOURCE_NOT_FOUND otherwise).
    const schema = sourceSchema(await registryOf(c), name);
    // Without a JSON body the validator hands over {}: apply the default here.
    const maxFiles = (c.req.valid("json") as { max_files?: number }).max_files ?? MAX_SCAN_FILES;
    const deps = { bucket: c.env.OFFLINE_STORE, db: registryDb(c.env.DB) };
    const discovered = await c
      .get("timing")
      .measure("scan", () => discoverFiles(deps, c.get("project"), schema, maxFiles));
    const totals = await sourceTotals(deps.db, c.get("project"), name);
    return c.json(
      {
        data_source: name,
        discovered: discovered.map(fileOut),
        files_known: Number(totals.files),
        rows_known: Number(totals.rows),
        processing_time_ms: elapsed(c.get("timing").elapsedMs()),
      },
      200,
    );
  },
);
