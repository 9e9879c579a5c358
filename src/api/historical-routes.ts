/**
 * POST /historical-features (point-in-time-correct training data, inline and
 * as one signed Parquet link), GET /historical-features/{job_id}, and the
 * signed download GET /exports/{id} (mounted without bearer auth).
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../env";
import { LarderError } from "../errors";
import { requireScope } from "../auth/middleware";
import { selectFeatures } from "../domain/feature-refs";
import { formatTimestamp } from "../domain/timestamps";
import { resultRows } from "../domain/pit-join";
import { registryDb } from "../registry/d1-registry";
import { getJob } from "../jobs/jobs-store";
import { parseEntityDf, ENTITY_TS } from "../offline/entity-df";
import { joinHistorical } from "../offline/historical";
import { writeExport } from "../offline/export-writer";
import { exportDtypes, startHistoricalJob, MAX_JOB_ROWS } from "../offline/historical-jobs";
import {
  EXPORT_CONTENT_TYPE,
  findExport,
  newExportId,
  saveExport,
  signedExportUrl,
  signingSecret,
  verifyExportLink,
} from "../offline/exports";
import { commonErrors, jsonBody, jsonResponse, notFound, ProjectQuery, tooLarge } from "./schemas/common";
import {
  HistoricalJobAccepted,
  HistoricalJobStatus,
  HistoricalRequest,
  HistoricalResponse,
} from "./schemas/historical";
import { registryOf, router } from "./context";

export const historicalRoutes = router();
export const exportRoutes = router();

/** Entity rows answered in the request; more (or `async`) make a job. */
export const SYNC_MAX_ROWS = 50_000;
/** Rows returned inline in `data`; the export always has every row. */
export const INLINE_MAX_ROWS = 1_000;

const canRead = requireScope("offline:read");

function origin(c: Context<AppEnv>): string {
  return new URL(c.req.url).origin;
}

historicalRoutes.openapi(
  createRoute({
    method: "post",
    path: "/historical-features",
    tags: ["offline"],
    summary: "Point-in-time-correct features for training (inline + signed Parquet link, or a job)",
    middleware: [canRead] as const,
    request: { query: ProjectQuery, ...jsonBody(HistoricalRequest) },
    responses: {
      200: jsonResponse(HistoricalResponse, "Joined rows"),
      202: jsonResponse(HistoricalJobAccepted, "Accepted as a job"),
      ...commonErrors,
      ...notFound,
      ...tooLarge,
    },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const registry = await registryOf(c);
    const selection = selectFeatures(registry, body, { onlineOnly: false });
    const joinKeys = [...new Set(selection.views.flatMap((v) => v.view.joinKeys))];
    const df = parseEntityDf(body.entity_df, joinKeys, MAX_JOB_ROWS);
    const deps = { bucket: c.env.OFFLINE_STORE, db: registryDb(c.env.DB) };
    if (body.async || df.numRows > SYNC_MAX_ROWS) {
      const { jobId, shards } = await startHistoricalJob(
        { ...deps, queue: c.env.MATERIALIZE },
        registry,
        {
          features: selection.refs,
          feature_service: body.feature_service,
          full_feature_names: body.full_feature_names,
        },
        body.entity_df,
        df.numRows,
      );
      return c.json(
        {
          job_id: jobId,
          status: "queued",
          status_url: `/api/v1/features/historical-features/${jobId}`,
          rows_count: df.numRows,
          shards,
        },
        202,
      );
    }
    const joined = await c
      .get("timing")
      .measure("join", () => joinHistorical(deps, registry, selection, df, body.full_feature_names));
    const writeStarted = performance.now();
    const exportId = newExportId();
    const dtypes = exportDtypes(registry, selection);
    const record = await saveExport(
      deps.bucket,
      deps.db,
      registry.project,
      exportId,
      writeExport(joined.result, dtypes),
      df.numRows,
    );
    const writeMs = performance.now() - writeStarted;
    // Inline rows show the entity timestamps as sent, and unix_timestamp features as RFC 3339.
    joined.result.data[ENTITY_TS] = body.entity_df[ENTITY_TS];
    const timestampColumns = Object.entries(dtypes)
      .filter(([, d]) => d === "unix_timestamp")
      .map(([n]) => n);
    for (const name of timestampColumns)
      joined.result.data[name] = joined.result.data[name].map((v) => (typeof v === "number" ? formatTimestamp(v) : v));
    const rows = resultRows({ ...joined.result, numRows: Math.min(df.numRows, INLINE_MAX_ROWS) });
    const link = await signedExportUrl(origin(c), exportId, signingSecret(c.env));
    return c.json(
      {
        ...(body.feature_service ? { feature_service: body.feature_service } : {}),
        data: rows,
        truncated: df.numRows > INLINE_MAX_ROWS,
        metadata: {
          rows_count: df.numRows,
          features_count: selection.columns.length,
          processing_time_ms: Math.round(c.get("timing").elapsedMs()),
          timings: {
            read_ms: Math.round(joined.timings.read_ms),
            join_ms: Math.round(joined.timings.join_ms),
            write_ms: Math.round(writeMs),
          },
          rows_scanned: joined.rows_scanned,
          files_read: joined.files_read,
        },
        download_url: link.url,
        download_expires_at: link.expiresAt,
        storage_uri: `r2://${record.path}`,
        export_id: exportId,
      },
      200,
    );
  },
);

historicalRoutes.openapi(
  createRoute({
    method: "get",
    path: "/historical-features/{job_id}",
    tags: ["offline"],
    summary: "Status of a historical-retrieval job, with its download link when done",
    middleware: [canRead] as const,
    request: {
      params: z.object({ job_id: z.string().openapi({ param: { name: "job_id", in: "path" } }) }),
      query: ProjectQuery,
    },
    responses: { 200: jsonResponse(HistoricalJobStatus, "Job status"), ...commonErrors, ...notFound },
  }),
  async (c) => {
    const { job_id } = c.req.valid("param");
    const job = await getJob(registryDb(c.env.DB), job_id);
    if (job?.kind !== "historical" || job.project !== c.get("project"))
      throw new LarderError("JOB_NOT_FOUND", `Historical job '${job_id}' not found`, { job_id });
    const exportId =
      job.status === "completed" ? String((job.result as { export_id?: string } | null)?.export_id ?? "") : "";
    const link = exportId ? await signedExportUrl(origin(c), exportId, signingSecret(c.env)) : null;
    const record = exportId ? await findExport(registryDb(c.env.DB), exportId) : undefined;
    return c.json(
      {
        job_id: job.id,
        status: job.status as "queued" | "in_progress" | "completed" | "failed",
        progress: {
          tasks_done: job.tasks_done,
          tasks_total: job.tasks_total,
          fraction: job.tasks_total ? job.tasks_done / job.tasks_total : 1,
        },
        rows_count: Number((job.spec as { rows?: number }).rows ?? 0),
        download_url: link?.url ?? null,
        download_expires_at: link?.expiresAt ?? null,
        storage_uri: record ? `r2://${record.path}` : null,
        errors: job.errors,
        created_at: job.created_at,
        completed_at: job.completed_at,
      },
      200,
    );
  },
);

exportRoutes.openapi(
  createRoute({
    method: "get",
    path: "/exports/{id}",
    tags: ["offline"],
    summary: "Download an export (signed link; no bearer token). Supports Range.",
    security: [],
    request: {
      params: z.object({ id: z.string().openapi({ param: { name: "id", in: "path" } }) }),
      query: z.object({ expires: z.string().optional(), signature: z.string().optional() }),
    },
    responses: {
      200: {
        description: "The Parquet file",
        content: { [EXPORT_CONTENT_TYPE]: { schema: z.string().openapi({ format: "binary" }) } },
      },
      206: {
        description: "A byte range of it",
        content: { [EXPORT_CONTENT_TYPE]: { schema: z.string().openapi({ format: "binary" }) } },
      },
      403: commonErrors[403],
      404: notFound[404],
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const { expires, signature } = c.req.valid("query");
    await verifyExportLink(id, expires, signature, signingSecret(c.env));
    const record = await findExport(registryDb(c.env.DB), id);
    if (!record)
      throw new LarderError("EXPORT_NOT_FOUND", `Export '${id}' not found (it may have expired)`, { export_id: id });
    const range = /^bytes=(\d+)-(\d*)$/.exec(c.req.header("range") ?? "");
    const object = await c.env.OFFLINE_STORE.get(
      record.path,
      range
        ? {
            range: {
              offset: Number(range[1]),
              ...(range[2] ? { length: Number(range[2]) - Number(range[1]) + 1 } : {}),
            },
          }
        : undefined,
    );
    if (!object) throw new LarderError("EXPORT_NOT_FOUND", `Export '${id}' is no longer stored`, { export_id: id });
    const headers = new Headers({
      "content-type": EXPORT_CONTENT_TYPE,
      "accept-ranges": "bytes",
      "content-disposition": `attachment; filename="${id}.parquet"`,
    });
    if (range) {
      const start = Number(range[1]);
      const length = Math.min(record.bytes, range[2] ? Number(range[2]) + 1 : record.bytes) - start;
      headers.set("content-range", `bytes ${start}-${start + length - 1}/${record.bytes}`);
      headers.set("content-length", String(length));
      return new Response(c.req.method === "HEAD" ? null : (object as R2ObjectBody).body, { status: 206, headers });
    }
    headers.set("content-length", String(record.bytes));
    return new Response(c.req.method === "HEAD" ? null : (object as R2ObjectBody).body, {
      status: 200,
      headers,
    }) as never;
  },
);
