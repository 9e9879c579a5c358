/**
 * Materialization tasks. A scan task reads its files' rows in the window
 * (start <= event_timestamp <= end), keeps the latest row per entity (event
 * time, then created time), accumulates statistics over every row it read,
 * and writes the latest records to KV newest-wins: the first WRITE_CHUNK
 * itself, the rest through write tasks reading them back from R2. Replays
 * and retries never regress a value, because every write is newest-wins.
 */
import { eq, and } from "drizzle-orm";
import type { CompiledRegistry } from "../domain/compiled-registry";
import { entityKey, onlineKey } from "../domain/entity-key";
import { formatTimestamp } from "../domain/timestamps";
import type { RegistryDb } from "../registry/d1-registry";
import { featureStats, jobs } from "../registry/jobs-schema";
import { featureViews } from "../registry/schema";
import { KvOnlineStore } from "../online/kv-store";
import { isNewer, type OnlineRecord } from "../online/store";
import { readRows } from "../offline/offline-store";
import { sourceSchema } from "../offline/source-schema";
import { offlineSourceOf } from "../offline/historical";
import { addTasks, type Job, type JobTask, type TaskResult } from "../jobs/jobs-store";
import { sendTasks, type MaterializeTask, type MaterializeWriteTask } from "../jobs/messages";
import {
  addToSketch,
  addValue,
  emptyMoments,
  emptySketch,
  estimateDistinct,
  mergeMoments,
  mergeSketches,
  sketchFromBase64,
  sketchToBase64,
  summarize,
  type FeatureMoments,
} from "./stats";
import { WRITE_CHUNK, writeChunkOffsets } from "./plan";

export interface MaterializeSpec {
  [key: string]: unknown;
  trigger: "api" | "incremental" | "cron";
  /** Per view, its window in epoch ms (inclusive). */
  windows: Record<string, { start: number; end: number }>;
  feature_views: string[];
}

export interface TaskDeps {
  bucket: R2Bucket;
  db: RegistryDb;
  kv: KVNamespace;
  queue?: Queue;
  d1?: D1Database;
}

interface Latest {
  key: string;
  record: OnlineRecord;
}

const chunkPath = (project: string, jobId: string, taskId: string) => `jobs/${project}/${jobId}/${taskId}.json`;

/** Reads, reduces and writes one group of files of one view. */
export async function scanTask(
  deps: TaskDeps & { queue: Queue; d1: D1Database },
  registry: CompiledRegistry,
  task: MaterializeTask,
): Promise<TaskResult> {
  const view = registry.view(task.view);
  const schema = sourceSchema(registry, offlineSourceOf(registry, task.view));
  const features = view.def.features.map((f) => f.name);
  const timestampFeatures = new Set(view.def.features.filter((f) => f.dtype === "unix_timestamp").map((f) => f.name));
  const read = await readRows(deps, registry.project, schema, {
    features,
    minTs: task.start,
    maxTs: task.end,
    files: task.files,
  });
  const cols = read.columns;
  const moments: Record<string, FeatureMoments> = Object.fromEntries(features.map((f) => [f, emptyMoments()]));
  const sketch = emptySketch();
  const latest = new Map<string, Latest>();
  let maxEventTs = -Infinity;
  for (let i = 0; i < read.numRows; i++) {
    const key = onlineKey(
      registry.project,
      view.def.name,
      entityKey(view.joinKeys, view.keyTypes, (k) => cols[k][i]),
    );
    addToSketch(sketch, key);
    const e = cols.event_timestamp[i] as number;
    const c = (cols.created_timestamp[i] as number | null) ?? null;
    if (e > maxEventTs) maxEventTs = e;
    for (const f of features) addValue(moments[f], cols[f][i]);
    const current = latest.get(key);
    if (current && !isNewer({ e, c }, current.record)) continue;
    const v: Record<string, unknown> = {};
    for (const f of features) {
      const value = cols[f][i];
      v[f] = timestampFeatures.has(f) && typeof value === "number" ? formatTimestamp(value) : value;
    }
    latest.set(key, { key, record: { e, c, v } });
  }
  const records = [...latest.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const store = new KvOnlineStore(deps.kv);
  const first = records.slice(0, WRITE_CHUNK);
  const outcome = await store.write(first.map((r) => ({ key: r.key, record: r.record, merge: false })));
  const offsets = writeChunkOffsets(records.length);
  if (offsets.length > 0) {
    // One object per chunk, so each write task reads only its own records.
    const writes: MaterializeWriteTask[] = offsets.map((offset) => ({
      kind: "materialize-write",
      project: registry.project,
      job_id: task.job_id,
      task_id: `${task.task_id}-w${offset}`,
      view: task.view,
      records: chunkPath(registry.project, task.job_id, `${task.task_id}-w${offset}`),
    }));
    for (let i = 0; i < writes.length; i += 25) {
      await Promise.all(
        writes
          .slice(i, i + 25)
          .map((w, k) =>
            deps.bucket.put(w.records, JSON.stringify(records.slice(offsets[i + k], offsets[i + k] + WRITE_CHUNK))),
          ),
      );
    }
    await addTasks(
      deps.d1,
      task.job_id,
      writes.map((w) => w.task_id),
    );
    await sendTasks(deps.queue, writes);
  }
  return {
    rowsRead: read.numRows,
    rowsWritten: first.length,
    output: {
      view: task.view,
      changed: outcome.written,
      entities_in_task: records.length,
      max_event_ts: Number.isFinite(maxEventTs) ? maxEventTs : null,
      moments,
      sketch: sketchToBase64(sketch),
    },
  };
}

/** Writes one parked chunk of a scan task's records. */
export async function writeTask(deps: TaskDeps, task: MaterializeWriteTask): Promise<TaskResult> {
  const object = await deps.bucket.get(task.records);
  if (!object) throw new Error(`records of ${task.task_id} are missing from R2 (${task.records})`);
  const chunk = await object.json<Latest[]>();
  const outcome = await new KvOnlineStore(deps.kv).write(
    chunk.map((r) => ({ key: r.key, record: r.record, merge: false })),
  );
  return { rowsRead: 0, rowsWritten: chunk.length, output: { view: task.view, changed: outcome.written } };
}

/** Merges what the tasks saw into per-view statistics, records the materialized interval, ends the job. */
export async function finishMaterialization(db: RegistryDb, job: Job, tasks: readonly JobTask[]): Promise<void> {
  const spec = job.spec as MaterializeSpec;
  const now = new Date().toISOString();
  let changed = 0;
  for (const view of spec.feature_views) {
    const moments: Record<string, FeatureMoments> = {};
    let sketch = emptySketch();
    let maxEventTs: number | null = null;
    let rowsRead = 0;
    for (const task of tasks) {
      const out = task.output as {
        view?: string;
        changed?: number;
        moments?: Record<string, FeatureMoments>;
        sketch?: string;
        max_event_ts?: number | null;
      } | null;
      if (!out || out.view !== view) continue;
      changed += out.changed ?? 0;
      rowsRead += task.rows_read;
      if (out.moments)
        for (const [f, m] of Object.entries(out.moments)) moments[f] = moments[f] ? mergeMoments(moments[f], m) : m;
      if (out.sketch) sketch = mergeSketches(sketch, sketchFromBase64(out.sketch));
      if (out.max_event_ts != null) maxEventTs = Math.max(maxEventTs ?? -Infinity, out.max_event_ts);
    }
    const window = spec.windows[view];
    const stats = {
      entities_seen: estimateDistinct(sketch),
      rows_read: rowsRead,
      max_event_ts: maxEventTs,
      window: { start: formatTimestamp(window.start), end: formatTimestamp(window.end) },
      feature_stats: Object.fromEntries(Object.entries(moments).map(([f, m]) => [f, summarize(m)])),
      completed_at: now,
    };
    await db
      .insert(featureStats)
      .values({ project: job.project, view, stats, job_id: job.id, updated_at: now })
      .onConflictDoUpdate({
        target: [featureStats.project, featureStats.view],
        set: { stats, job_id: job.id, updated_at: now },
      });
    const [row] = await db
      .select({ start: featureViews.materialized_start, end: featureViews.materialized_end })
      .from(featureViews)
      .where(and(eq(featureViews.project, job.project), eq(featureViews.name, view)));
    const start = row?.start && row.start < formatTimestamp(window.start) ? row.start : formatTimestamp(window.start);
    const end = row?.end && row.end > formatTimestamp(window.end) ? row.end : formatTimestamp(window.end);
    await db
      .update(featureViews)
      .set({ materialized_start: start, materialized_end: end })
      .where(and(eq(featureViews.project, job.project), eq(featureViews.name, view)));
  }
  await db
    .update(jobs)
    .set({
      status: "completed",
      completed_at: now,
      result: { rows_materialized: job.rows_written, online_writes: changed },
    })
    .where(and(eq(jobs.id, job.id), eq(jobs.status, job.status)));
}

export async function runMaterializeTask(
  deps: TaskDeps & { queue: Queue; d1: D1Database },
  registry: CompiledRegistry,
  task: MaterializeTask | MaterializeWriteTask,
): Promise<TaskResult> {
  return task.kind === "materialize" ? scanTask(deps, registry, task) : writeTask(deps, task);
}
