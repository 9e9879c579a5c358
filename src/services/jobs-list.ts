/**
 * The job list behind GET /jobs: a project's materialization and
 * historical-retrieval jobs, newest first, each as one summary shaped from
 * its D1 row. A pure read: unlike the status routes, listing heals no job
 * (the cron and each job's own status route do), so a list of 100 jobs
 * costs one query.
 */
import { formatTimestamp } from "../domain/timestamps";
import { type Job, type JobKind, listProjectJobs } from "../db/jobs-store";
import type { Services } from "./services";

type JobState = "queued" | "in_progress" | "completed" | "failed";

export interface JobsFilter {
  kind?: JobKind;
  status?: JobState;
  limit: number;
}

const text = (v: unknown): string | null => (typeof v === "string" ? v : null);
const count = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);

/** A materialization spec's windows (epoch ms per view) as RFC 3339; null when the spec holds none. */
function timeRanges(spec: Record<string, unknown>): Record<string, { start: string; end: string }> | null {
  const windows = spec.windows;
  if (!windows || typeof windows !== "object") return null;
  const out: Record<string, { start: string; end: string }> = {};
  for (const [view, w] of Object.entries(windows as Record<string, { start?: unknown; end?: unknown }>)) {
    const start = count(w?.start);
    const end = count(w?.end);
    if (start !== null && end !== null) out[view] = { start: formatTimestamp(start), end: formatTimestamp(end) };
  }
  return out;
}

/** The views a job worked on: a materialization's own list, a historical job's from its `view:feature` refs. */
function viewsOf(job: Job): string[] {
  const spec = job.spec;
  if (Array.isArray(spec.feature_views)) return spec.feature_views.filter((v): v is string => typeof v === "string");
  if (!Array.isArray(spec.features)) return [];
  const views = spec.features.filter((f): f is string => typeof f === "string").map((ref) => ref.split(":")[0]);
  return [...new Set(views)];
}

/** One job as GET /jobs shows it (timings as the status routes compute them). */
export function jobSummary(job: Job, now: number) {
  const kind = job.kind === "historical" ? ("historical" as const) : ("materialize" as const);
  const end = job.completed_at ? Date.parse(job.completed_at) : now;
  const spec = job.spec ?? {};
  return {
    job_id: job.id,
    kind,
    status: job.status as JobState,
    created_at: job.created_at,
    started_at: job.started_at,
    completed_at: job.completed_at,
    duration_seconds: Math.max(0, Math.round((end - Date.parse(job.created_at)) / 100) / 10),
    progress: {
      tasks_done: job.tasks_done,
      tasks_total: job.tasks_total,
      tasks_failed: job.tasks_failed,
      fraction: job.tasks_total ? job.tasks_done / job.tasks_total : 1,
    },
    rows_read: job.rows_read,
    rows_written: job.rows_written,
    estimated_rows: job.estimated_rows,
    feature_views: viewsOf(job),
    trigger: kind === "materialize" ? text(spec.trigger) : null,
    time_ranges: kind === "materialize" ? timeRanges(spec) : null,
    entity_rows: kind === "historical" ? count(spec.rows) : null,
    feature_service: text(spec.feature_service),
    errors: job.errors ?? [],
    status_url:
      kind === "materialize"
        ? `/api/v1/features/materialization-status/${job.id}`
        : `/api/v1/features/historical-features/${job.id}`,
  };
}

/** The newest jobs of `project` that pass `filter`, and whether more exist. */
export async function listJobs(services: Services, project: string, filter: JobsFilter, now = Date.now()) {
  const rows = await listProjectJobs(services.db, project, { ...filter, limit: filter.limit + 1 });
  return {
    project,
    jobs: rows.slice(0, filter.limit).map((job) => jobSummary(job, now)),
    has_more: rows.length > filter.limit,
  };
}
