/**
 * Materialization tasks. A scan task reads one bucket of a view's source in
 * the window (start <= event_timestamp <= end), file by file, folds every row
 * into the latest value of each feature per entity (`LatestValues`: the
 * ordering rule, per feature), accumulates statistics over every row it read,
 * and writes each entity's record to KV once, merged per feature: the first
 * WRITE_CHUNK itself, the rest through write tasks reading them back from R2.
 * A bucket holds all rows of its entities, so no other task of the job writes
 * them. Replays and retries never regress a value: every write is per-feature
 * newest-wins.
 */
import type { CompiledRegistry } from "../domain/compiled-registry";
import { LarderError } from "../domain/errors";
import { entityKey, onlineKey } from "../domain/entity-key";
import { addToProfile, emptyProfile, type FeatureProfile } from "../domain/feature-profile";
import { addToSketch, emptySketch, sketchToBase64 } from "../domain/feature-stats";
import { LatestValues } from "../domain/latest-values";
import { WRITE_CHUNK, writeChunkOffsets } from "../domain/materialize-plan";
import type { OnlineWrite } from "../domain/online-record";
import { offlineSourceOf, sourceSchema } from "../domain/source-schema";
import { formatTimestamp } from "../domain/timestamps";
import { addTasks, type TaskResult } from "../db/task-store";
import { isoAfter, QUEUE_WAIT_MS } from "../domain/task-lease";
import { type MaterializeTask, type MaterializeWriteTask, sendTasks } from "../queues/messages";
import type { Services } from "./services";

/** Rows a task could not write: how many, and the first few reasons. */
class SkippedRows {
  count = 0;
  readonly sample: string[] = [];
  add(reason: string) {
    this.count++;
    if (this.sample.length < 3 && !this.sample.includes(reason)) this.sample.push(reason);
  }
}

/** Reads, folds and writes one bucket of one view. */
async function scanTask(services: Services, registry: CompiledRegistry, task: MaterializeTask): Promise<TaskResult> {
  const view = registry.view(task.view);
  const schema = sourceSchema(registry, offlineSourceOf(registry, task.view));
  const features = view.def.features.map((f) => f.name);
  const timestampFeatures = new Set(view.def.features.filter((f) => f.dtype === "unix_timestamp").map((f) => f.name));
  const profiles: Record<string, FeatureProfile> = Object.fromEntries(
    view.def.features.map((f) => [f.name, emptyProfile(f.dtype)]),
  );
  const sketch = emptySketch();
  const latest = new LatestValues(features, (f, value) =>
    timestampFeatures.has(f) && typeof value === "number" ? formatTimestamp(value) : value,
  );
  let maxEventTs = -Infinity;
  let rowsRead = 0;
  const skipped = new SkippedRows();
  const scan = await services.offline.scanRows(
    registry.project,
    schema,
    {
      features,
      minTs: task.start,
      maxTs: task.end,
      files: task.files,
      buckets: task.bucket === null || task.bucket === undefined ? undefined : [task.bucket],
    },
    (chunk) => {
      const cols = chunk.columns;
      rowsRead += chunk.numRows;
      for (let i = 0; i < chunk.numRows; i++) {
        let key: string;
        try {
          key = onlineKey(
            registry.project,
            view.def.name,
            entityKey(view.joinKeys, view.keyTypes, (k) => cols[k][i]),
          );
        } catch (err) {
          // A row that can never be served (a key too long, a null key) is skipped and reported, not fatal.
          if (!(err instanceof LarderError)) throw err;
          skipped.add(err.message);
          continue;
        }
        addToSketch(sketch, key);
        const e = cols.event_timestamp[i] as number;
        if (e > maxEventTs) maxEventTs = e;
        for (const f of features) if (!chunk.carries[f] || chunk.carries[f][i]) addToProfile(profiles[f], cols[f][i]);
        latest.add(key, chunk, i);
      }
    },
  );
  const records: OnlineWrite[] = [...latest.records()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const first = records.slice(0, WRITE_CHUNK);
  const outcome = await services.online.write(first);
  const offsets = writeChunkOffsets(records.length);
  if (offsets.length > 0) {
    // One object per chunk, so each write task reads only its own records.
    const writes: MaterializeWriteTask[] = offsets.map((offset) => ({
      kind: "materialize-write",
      project: registry.project,
      job_id: task.job_id,
      task_id: `${task.task_id}-w${offset}`,
      view: task.view,
      records: services.scratch.jobFileKey(registry.project, task.job_id, `${task.task_id}-w${offset}`),
    }));
    for (let i = 0; i < writes.length; i += 25) {
      const slice = writes.slice(i, i + 25);
      const chunk = (k: number) => records.slice(offsets[i + k], offsets[i + k] + WRITE_CHUNK);
      await Promise.all(slice.map((w, k) => services.scratch.putJson(w.records, chunk(k))));
    }
    const lease = isoAfter(Date.now(), QUEUE_WAIT_MS);
    await addTasks(
      services.db,
      task.job_id,
      writes.map((w) => ({ id: w.task_id, message: w, leaseUntil: lease })),
    );
    await sendTasks(services.queues.fanout, writes);
  }
  return {
    rowsRead,
    rowsWritten: first.length,
    output: {
      view: task.view,
      changed: outcome.written,
      entities_in_task: records.length,
      max_event_ts: Number.isFinite(maxEventTs) ? maxEventTs : null,
      skipped: skipped.count,
      skipped_sample: skipped.sample,
      rows_scanned: scan.rowsScanned,
      files_read: scan.filesRead,
      profiles,
      sketch: sketchToBase64(sketch),
    },
  };
}

/** Writes one parked chunk of a scan task's records. */
async function writeTask(services: Services, task: MaterializeWriteTask): Promise<TaskResult> {
  const chunk = await services.scratch.getJson<OnlineWrite[]>(task.records, `Records of ${task.task_id}`);
  const outcome = await services.online.write(chunk);
  return { rowsRead: 0, rowsWritten: chunk.length, output: { view: task.view, changed: outcome.written } };
}

export async function runMaterializeTask(
  services: Services,
  registry: CompiledRegistry,
  task: MaterializeTask | MaterializeWriteTask,
): Promise<TaskResult> {
  return task.kind === "materialize" ? scanTask(services, registry, task) : writeTask(services, task);
}
