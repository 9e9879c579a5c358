/**
 * The use cases behind the historical routes: answer a request (joined rows
 * inline plus one signed Parquet export, or a job for large or `async`
 * requests), report a job's status, and open an export for a signed link.
 */
import type { CompiledRegistry } from "../domain/compiled-registry";
import { parseEntityDf } from "../domain/entity-df";
import { EVENT_TIMESTAMP } from "../domain/names";
import { invalid, LarderError } from "../domain/errors";
import { selectFeatures } from "../domain/feature-refs";
import { resultRows } from "../domain/join-output";
import { formatTimestamp } from "../domain/timestamps";
import { getJob, getTasks } from "../db/jobs-store";
import { newExportId } from "../offline/exports";
import { writeExport } from "../offline/export-writer";
import { signedExportUrl, signingSecret, verifyExportLink } from "./export-links";
import { exportDtypes, joinHistorical } from "./historical";
import { MAX_JOB_ROWS } from "./historical-jobs";
import { startHistoricalJob, startPathJob } from "./historical-start";
import { jobWork } from "./historical-status";
import type { Services } from "./services";
import { healJobs } from "./watchdog";

/** Entity rows answered in the request; more (or `async`) make a job. */
export const SYNC_MAX_ROWS = 50_000;
/** Rows returned inline in `data`; the export always has every row. */
export const INLINE_MAX_ROWS = 1_000;

export interface HistoricalRequestBody {
  feature_service?: string;
  features?: string[];
  entity_df?: Record<string, unknown[]>;
  /** A Parquet entity_df already in R2 (the batch-source path rule); always a job. */
  entity_df_path?: string;
  full_feature_names: boolean;
  async: boolean;
}

/**
 * Answers a historical request: `{status: 202, body}` for a job, `{status:
 * 200, body}` with the rows. `origin` is where download links point;
 * `startedAt` (performance.now() at arrival) times the whole request.
 */
export async function historicalFeatures(
  services: Services,
  registry: CompiledRegistry,
  body: HistoricalRequestBody,
  origin: string,
  startedAt: number,
) {
  const selection = selectFeatures(registry, body, { onlineOnly: false });
  const request = { feature_service: body.feature_service, full_feature_names: body.full_feature_names };
  if (body.entity_df_path !== undefined) {
    if (body.entity_df !== undefined)
      throw invalid("Send entity_df or entity_df_path, not both", { fields: ["entity_df", "entity_df_path"] });
    const { jobId, rows } = await startPathJob(services, registry, selection, request, body.entity_df_path);
    const status_url = `/api/v1/features/historical-features/${jobId}`;
    // Shards are planned once the split tasks have counted the rows per bucket.
    return { status: 202 as const, body: { job_id: jobId, status: "queued", status_url, rows_count: rows, shards: 0 } };
  }
  if (body.entity_df === undefined)
    throw invalid("entity_df (columnar JSON) or entity_df_path (a Parquet file in R2) is required", {
      fields: ["entity_df", "entity_df_path"],
    });
  const entityDf = body.entity_df;
  const joinKeys = [...new Set(selection.views.flatMap((v) => v.view.joinKeys))];
  const df = parseEntityDf(entityDf, joinKeys, MAX_JOB_ROWS);
  if (body.async || df.numRows > SYNC_MAX_ROWS) {
    const { jobId, shards } = await startHistoricalJob(services, registry, selection, request, df);
    const status_url = `/api/v1/features/historical-features/${jobId}`;
    return {
      status: 202 as const,
      body: { job_id: jobId, status: "queued", status_url, rows_count: df.numRows, shards },
    };
  }
  const joined = await joinHistorical(services.offline, registry, selection, df, body.full_feature_names);
  const writeStarted = performance.now();
  const exportId = newExportId();
  const dtypes = exportDtypes(registry, selection);
  const bytes = writeExport(joined.result, dtypes);
  const record = await services.exports.save(registry.project, exportId, bytes, df.numRows);
  const writeMs = performance.now() - writeStarted;
  // Inline rows show the entity timestamps as sent, and unix_timestamp features as RFC 3339.
  joined.result.data[EVENT_TIMESTAMP] = entityDf[EVENT_TIMESTAMP];
  for (const [name, dtype] of Object.entries(dtypes)) {
    if (dtype !== "unix_timestamp") continue;
    joined.result.data[name] = joined.result.data[name].map((v) => (typeof v === "number" ? formatTimestamp(v) : v));
  }
  const rows = resultRows({ ...joined.result, numRows: Math.min(df.numRows, INLINE_MAX_ROWS) });
  const link = await signedExportUrl(
    origin,
    { project: registry.project, id: exportId },
    signingSecret(services.config),
  );
  return {
    status: 200 as const,
    body: {
      ...(body.feature_service ? { feature_service: body.feature_service } : {}),
      data: rows,
      truncated: df.numRows > INLINE_MAX_ROWS,
      metadata: {
        rows_count: df.numRows,
        features_count: selection.columns.length,
        processing_time_ms: Math.round(performance.now() - startedAt),
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
  };
}

/** A historical job of `project`, with its download link once completed; JOB_NOT_FOUND otherwise. */
export async function historicalJobStatus(services: Services, project: string, jobId: string, origin: string) {
  let job = await getJob(services.db, jobId);
  if (job?.kind !== "historical" || job.project !== project) {
    throw new LarderError("JOB_NOT_FOUND", `Historical job '${jobId}' not found`, { job_id: jobId });
  }
  if (job.status === "queued" || job.status === "in_progress") {
    // Reading a job's status heals it: lost tasks are sent again, a job past its resends fails.
    await healJobs(services, Date.now(), jobId);
    job = (await getJob(services.db, jobId)) ?? job;
  }
  const result = job.result as { export_id?: string } | null;
  const work = jobWork(await getTasks(services.db, job.id), job.spec as { split_ms?: unknown });
  const exportId = job.status === "completed" ? String(result?.export_id ?? "") : "";
  const secret = signingSecret(services.config);
  const link = exportId ? await signedExportUrl(origin, { project, id: exportId }, secret) : null;
  const record = exportId ? await services.exports.find(exportId) : undefined;
  return {
    job_id: job.id,
    status: job.status as "queued" | "in_progress" | "completed" | "failed",
    progress: {
      tasks_done: job.tasks_done,
      tasks_total: job.tasks_total,
      fraction: job.tasks_total ? job.tasks_done / job.tasks_total : 1,
    },
    rows_count: Number((job.spec as { rows?: number }).rows ?? 0),
    ...work,
    download_url: link?.url ?? null,
    download_expires_at: link?.expiresAt ?? null,
    storage_uri: record ? `r2://${record.path}` : null,
    errors: job.errors,
    created_at: job.created_at,
    completed_at: job.completed_at,
  };
}

/**
 * The export a signed link names: FORBIDDEN for a bad link, EXPORT_NOT_FOUND
 * when it is gone or belongs to another project than the one signed.
 */
export async function exportForLink(
  services: Services,
  id: string,
  link: { project?: string; expires?: string; signature?: string },
) {
  const project = await verifyExportLink(id, link, signingSecret(services.config));
  const record = await services.exports.find(id);
  if (record?.project !== project) {
    throw new LarderError("EXPORT_NOT_FOUND", `Export '${id}' not found (it may have expired)`, { export_id: id });
  }
  return record;
}
