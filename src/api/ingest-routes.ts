/**
 * Offline writes to batch sources (API.md "Added routes"):
 * - POST /data-sources/{name}/ingest appends rows, sent as JSON or as a
 *   Parquet body, to the source's offline history;
 * - POST /data-sources/{name}/scan adds Parquet files users dropped under the
 *   source's prefix to the file manifest, so reads see them.
 * Both need offline:write. Handlers stay thin: row rules live in
 * src/domain/ingest-rows.ts, the use cases in src/services/ingest.ts.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { MAX_INGEST_ROWS } from "../domain/ingest-fields";
import { requireScope } from "../http/auth";
import { elapsedMs, measure } from "../http/request-context";
import { commonErrors, conflict, jsonResponse, notFound, ProjectQuery, tooLarge } from "../schemas/common";
import { IngestRequest, IngestResponse, MAX_SCAN_FILES, ScanRequest, ScanResponse } from "../schemas/offline";
import { NamePath } from "../schemas/registry";
import { type IngestBody, ingestRows, PARQUET_TYPES, scanSource } from "../services/ingest";
import { registryOf, router } from "./router";

export const ingestRoutes = router();
const canWrite = requireScope("offline:write");

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
    const registry = await registryOf(c);
    const mediaType = (c.req.header("content-type") ?? "").split(";")[0].trim().toLowerCase();
    const body: IngestBody = PARQUET_TYPES.includes(mediaType)
      ? { kind: "parquet", bytes: new Uint8Array(await c.req.arrayBuffer()) }
      : { kind: "json", rows: (c.req.valid("json") as { rows?: unknown[] }).rows, mediaType };
    const outcome = await measure(c, "write", ingestRows(c.get("services"), registry, name, body));
    return c.json({ ...outcome, processing_time_ms: elapsedMs(c) }, 200);
  },
);

ingestRoutes.openapi(
  createRoute({
    method: "post",
    path: "/data-sources/{name}/scan",
    tags: ["offline"],
    summary: "Add Parquet files found under a batch source's prefix to the file manifest",
    description:
      "Lists the source's prefix and records every .parquet object the manifest does not know yet (row count and event-time range from its footer). A file that cannot be used (not readable Parquet, no timestamp column, no rows) is set aside and listed once in `unreadable`, without stopping the others. The body is optional.",
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
    const registry = await registryOf(c);
    // Without a JSON body the validator hands over {}: apply the default here.
    const maxFiles = (c.req.valid("json") as { max_files?: number }).max_files ?? MAX_SCAN_FILES;
    const outcome = await measure(c, "scan", scanSource(c.get("services"), registry, name, maxFiles));
    return c.json({ ...outcome, processing_time_ms: elapsedMs(c) }, 200);
  },
);
