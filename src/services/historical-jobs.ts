/**
 * Large historical retrievals as jobs (the plan: domain/historical-plan.ts),
 * in three phases:
 *
 * - split: the entity rows are checked and split once, slice by slice, into
 *   per-(group, bucket, slice) key files in R2, plus each slice's entity
 *   columns for the combine. A JSON entity_df is split by the start request
 *   itself; a Parquet one (`entity_df_path`) by one split task per slice of
 *   whole row groups (historical-split.ts, historical-start.ts).
 * - shards: one task per (group, bucket, part), planned from the split's
 *   counts, reading only that bucket's files in its own rows' window
 *   (historical-shard.ts).
 * - combine: one Parquet export in input order (historical-combine.ts).
 *
 * Every file a task writes is a pure function of the job's spec and inputs,
 * so a replayed task rewrites the same bytes.
 */
import type { CompiledRegistry } from "../domain/compiled-registry";
import type { Dtype } from "../domain/dtypes";
import { type FeatureSelection, selectFeatures } from "../domain/feature-refs";
import { MAX_JOB_ROWS, type ShardPlan, sliceRange, type ViewGroup } from "../domain/historical-plan";
import { isoAfter, QUEUE_WAIT_MS } from "../domain/task-lease";
import { leaseTask } from "../db/task-store";
import { type HistoricalCombineTask, type HistoricalShardTask, sendTasks } from "../queues/messages";
import type { Services } from "./services";

export { MAX_JOB_ROWS };

export interface HistoricalSpec {
  [key: string]: unknown;
  features: string[];
  feature_service: string | null;
  full_feature_names: boolean;
  rows: number;
  /** Entity columns in input order, and the dtypes of those the registry does not type. */
  entity_columns: string[];
  label_dtypes: Record<string, Dtype>;
  groups: ViewGroup[];
  slices: number;
  /** First input row of each slice, and the row count last (Parquet form: slices are runs of row groups). */
  slice_starts?: number[];
  /** Parquet form: the row groups [start, end) of each slice. */
  slice_groups?: [number, number][];
  /** Parquet form: entity columns of a time type (carried as RFC 3339 text). */
  time_columns?: string[];
  /** Parquet form: the entity_df's R2 key and size. */
  entity_file?: { key: string; size: number };
  /** Per slice, the [group, bucket] pairs with rows in it (Parquet form: in the `plan` file, after the split). */
  parts?: [number, number][][];
  shards: number;
  /** Time the start request spent checking and splitting the entity rows (JSON form). */
  split_ms?: number;
}

/** What the split phase found: per slice, the [group, bucket] pairs with rows. */
export interface JobPlan {
  parts: [number, number][][];
}

/** Names of a job's files (`ScratchFiles.jobFileKey`). */
export const jobFiles = {
  entity: (slice: number) => `entity-s${slice}`,
  keys: (group: number, bucket: number, slice: number) => `keys-g${group}-b${bucket}-s${slice}`,
  output: (group: number, bucket: number, slice: number) => `out-g${group}-b${bucket}-s${slice}`,
  plan: () => "plan",
};

/** Input rows [start, end) of slice s. */
export function sliceBounds(spec: HistoricalSpec, s: number): { start: number; end: number } {
  return spec.slice_starts ? { start: spec.slice_starts[s], end: spec.slice_starts[s + 1] } : sliceRange(s, spec.rows);
}

/** The selection of a running job (the registry may have changed: it is resolved again). */
export function selectionOf(registry: CompiledRegistry, spec: HistoricalSpec): FeatureSelection {
  const request = { features: spec.features, full_feature_names: spec.full_feature_names };
  return selectFeatures(registry, request, { onlineOnly: false });
}

export function shardTasks(project: string, jobId: string, plans: readonly ShardPlan[]): HistoricalShardTask[] {
  return plans.map((p) => ({
    kind: "historical-shard",
    project,
    job_id: jobId,
    task_id: `shard-g${p.group}-b${p.bucket}-p${p.part}`,
    group: p.group,
    bucket: p.bucket,
    slices: p.slices,
  }));
}

/** The task that writes a job's export from its shards' outputs. */
export function combineTask(project: string, jobId: string): HistoricalCombineTask {
  return { kind: "historical-combine", project, job_id: jobId, task_id: "combine" };
}

/** Sends a job's combine step, with its lease. */
export async function sendCombine(services: Services, project: string, jobId: string, now: number): Promise<void> {
  await sendTasks(services.queues.fanout, [combineTask(project, jobId)]);
  await leaseTask(services.db, jobId, "combine", isoAfter(now, QUEUE_WAIT_MS), false);
}
