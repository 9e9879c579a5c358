/**
 * The end of a materialization job: the statistics its tasks gathered are
 * merged per view and stored, each view's materialized interval widens to the
 * job's window, and the job completes with the rows it wrote.
 */
import { describeProfile, type FeatureProfile, mergeProfiles } from "../domain/feature-profile";
import { emptySketch, estimateDistinct, mergeSketches, sketchFromBase64 } from "../domain/feature-stats";
import { formatTimestamp } from "../domain/timestamps";
import type { Database } from "../db/database";
import { finishJob, type Job, type JobTask } from "../db/jobs-store";
import { recordMaterializedInterval } from "../db/registry-store";
import { saveViewStats } from "../db/stats-store";

export interface MaterializeSpec {
  [key: string]: unknown;
  trigger: "api" | "incremental" | "cron";
  /** Per view, its window in epoch ms (inclusive). */
  windows: Record<string, { start: number; end: number }>;
  feature_views: string[];
}

/** What a scan or write task reports in its output, to be merged here. */
export interface TaskStatsOutput {
  view?: string;
  changed?: number;
  profiles?: Record<string, FeatureProfile>;
  sketch?: string;
  max_event_ts?: number | null;
  /** Rows the task could not write (skipped, never fatal), and a sample of why. */
  skipped?: number;
  skipped_sample?: string[];
}

/** Merges what the tasks saw into per-view statistics, records the materialized interval, ends the job. */
export async function finishMaterialization(db: Database, job: Job, tasks: readonly JobTask[]): Promise<void> {
  const spec = job.spec as MaterializeSpec;
  const now = new Date().toISOString();
  let changed = 0;
  let skipped = 0;
  const skippedErrors: { task: string; reason: string }[] = [];
  for (const task of tasks) {
    const out = task.output as TaskStatsOutput | null;
    if (!out?.skipped) continue;
    skipped += out.skipped;
    const reasons = (out.skipped_sample ?? []).join("; ");
    skippedErrors.push({ task: task.task_id, reason: `skipped ${out.skipped} row(s) it could not write: ${reasons}` });
  }
  for (const view of spec.feature_views) {
    const profiles: Record<string, FeatureProfile> = {};
    let sketch = emptySketch();
    let maxEventTs: number | null = null;
    let rowsRead = 0;
    for (const task of tasks) {
      const out = task.output as TaskStatsOutput | null;
      if (out?.view !== view) continue;
      changed += out.changed ?? 0;
      rowsRead += task.rows_read;
      for (const [f, p] of Object.entries(out.profiles ?? {}))
        profiles[f] = profiles[f] ? mergeProfiles(profiles[f], p) : p;
      if (out.sketch) sketch = mergeSketches(sketch, sketchFromBase64(out.sketch));
      if (out.max_event_ts != null) maxEventTs = Math.max(maxEventTs ?? -Infinity, out.max_event_ts);
    }
    const window = spec.windows[view];
    const start = formatTimestamp(window.start);
    const end = formatTimestamp(window.end);
    const stats = {
      entities_seen: estimateDistinct(sketch),
      rows_read: rowsRead,
      max_event_ts: maxEventTs,
      window: { start, end },
      feature_stats: Object.fromEntries(Object.entries(profiles).map(([f, p]) => [f, describeProfile(p)])),
      completed_at: now,
    };
    await saveViewStats(db, job.project, view, job.id, stats, now);
    await recordMaterializedInterval(db, job.project, view, start, end);
  }
  const result = { rows_materialized: job.rows_written, online_writes: changed, rows_skipped: skipped };
  await finishJob(db, job.id, result, job.status, now, skippedErrors);
}
