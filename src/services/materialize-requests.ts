/**
 * The use cases behind the materialization routes (Larder's and Feast's):
 * start a job for a window or incrementally, shape the answer, and report a
 * job's status.
 */
import type { CompiledRegistry } from "../domain/compiled-registry";
import { invalid, LarderError } from "../domain/errors";
import { formatTimestamp, parseTimestamp } from "../domain/timestamps";
import { getJob } from "../db/jobs-store";
import { incrementalWindows, onlineViews, type StartedJob, startMaterialization } from "./materialize";
import type { Services } from "./services";
import { healJobs } from "./watchdog";

/** A request's timestamp field in epoch ms (`fallback` when absent); VALIDATION_ERROR naming the field. */
export function timestampField(name: string, value: string | undefined, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  const ms = parseTimestamp(value);
  if (ms === undefined) {
    throw invalid(`${name} is not a timestamp: use RFC 3339, e.g. 2024-06-01T00:00:00Z`, { field: name });
  }
  return ms;
}

/** The answer to a started job (the specification's materialize response, plus each view's range). */
function startedResponse(job: StartedJob) {
  const ranges = Object.fromEntries(
    Object.entries(job.windows).map(([v, w]) => [v, { start: formatTimestamp(w.start), end: formatTimestamp(w.end) }]),
  );
  const all = Object.values(job.windows);
  return {
    materialization_id: job.id,
    status: (job.tasks === 0 ? "completed" : "queued") as "completed" | "queued",
    feature_views: job.views,
    time_range: {
      start: formatTimestamp(Math.min(...all.map((w) => w.start))),
      end: formatTimestamp(Math.max(...all.map((w) => w.end))),
    },
    time_ranges: ranges,
    estimated_rows: job.estimatedRows,
    estimated_duration_seconds: job.estimatedSeconds,
    progress_url: `/api/v1/features/materialization-status/${job.id}`,
  };
}

/** The online views to materialize; VALIDATION_ERROR when a project has none (there would be no job to answer with). */
function viewsToMaterialize(registry: CompiledRegistry, views: readonly string[] | null | undefined): string[] {
  const names = onlineViews(registry, views);
  if (names.length === 0) {
    throw invalid(`Project '${registry.project}' has no online feature view: nothing to materialize`, {
      project: registry.project,
    });
  }
  return names;
}

/** Materializes [start, end] (epoch ms) for the named online views, or every online view. */
export async function materializeWindow(
  services: Services,
  registry: CompiledRegistry,
  views: readonly string[] | null | undefined,
  start: number,
  end: number,
) {
  if (start > end) throw invalid("The window's start is after its end", { start, end });
  const names = viewsToMaterialize(registry, views);
  const windows = Object.fromEntries(names.map((v) => [v, { start, end }]));
  return startedResponse(await startMaterialization(services, registry, windows, "api"));
}

/** Materializes each view from the end of its materialized interval up to `end` (epoch ms). */
export async function materializeIncremental(
  services: Services,
  registry: CompiledRegistry,
  views: readonly string[] | null | undefined,
  end: number,
) {
  const names = viewsToMaterialize(registry, views);
  const windows = await incrementalWindows(services, registry, names, end);
  return startedResponse(await startMaterialization(services, registry, windows, "incremental"));
}

/** A materialization job of `project`; MATERIALIZATION_NOT_FOUND otherwise. */
export async function materializationStatus(services: Services, project: string, id: string) {
  let job = await getJob(services.db, id);
  if (job?.kind !== "materialize" || job.project !== project) {
    throw new LarderError("MATERIALIZATION_NOT_FOUND", `Materialization '${id}' not found`, { materialization_id: id });
  }
  if (job.status === "queued" || job.status === "in_progress") {
    // Reading a job's status heals it: lost tasks are sent again, a job past its resends fails.
    await healJobs(services, Date.now(), id);
    job = (await getJob(services.db, id)) ?? job;
  }
  const end = job.completed_at ? Date.parse(job.completed_at) : Date.now();
  return {
    materialization_id: job.id,
    status: job.status as "queued" | "in_progress" | "completed" | "failed",
    feature_views: (job.spec as { feature_views: string[] }).feature_views,
    rows_materialized: job.rows_written,
    rows_read: job.rows_read,
    rows_skipped: Number((job.result as { rows_skipped?: number } | null)?.rows_skipped ?? 0),
    duration_seconds: Math.round((end - Date.parse(job.created_at)) / 100) / 10,
    completed_at: job.completed_at,
    errors: job.errors,
    progress: {
      tasks_done: job.tasks_done,
      tasks_total: job.tasks_total,
      tasks_failed: job.tasks_failed,
      fraction: job.tasks_total ? job.tasks_done / job.tasks_total : 1,
    },
  };
}
