/**
 * Materialization tasks. A scan task reads its files' rows in the window
 * (start <= event_timestamp <= end), keeps the latest row per entity (event
 * time, then created time), accumulates statistics over every row it read,
 * and writes the latest records to KV newest-wins: the first WRITE_CHUNK
 * itself, the rest through write tasks reading them back from R2. Replays
 * and retries never regress a value, because every write is newest-wins.
 */
import type { CompiledRegistry } from "../domain/compiled-registry";
import { LarderError } from "../domain/errors";
import { entityKey, onlineKey } from "../domain/entity-key";
import { addToProfile, emptyProfile, type FeatureProfile } from "../domain/feature-profile";
import { addToSketch, emptySketch, sketchToBase64 } from "../domain/feature-stats";
import { WRITE_CHUNK, writeChunkOffsets } from "../domain/materialize-plan";
import { isNewer, type OnlineRecord } from "../domain/online-record";
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

interface Latest {
  key: string;
  record: OnlineRecord;
}

/** Reads, reduces and writes one group of files of one view. */
async function scanTask(services: Services, registry: CompiledRegistry, task: MaterializeTask): Promise<TaskResult> {
  const view = registry.view(task.view);
  const schema = sourceSchema(registry, offlineSourceOf(registry, task.view));
  const features = view.def.features.map((f) => f.name);
  const timestampFeatures = new Set(view.def.features.filter((f) => f.dtype === "unix_timestamp").map((f) => f.name));
  const read = await services.offline.readRows(registry.project, schema, {
    features,
    minTs: task.start,
    maxTs: task.end,
    files: task.files,
  });
  const cols = read.columns;
  const profiles: Record<string, FeatureProfile> = Object.fromEntries(
    view.def.features.map((f) => [f.name, emptyProfile(f.dtype)]),
  );
  const sketch = emptySketch();
  const latest = new Map<string, Latest>();
  let maxEventTs = -Infinity;
  const skipped = new SkippedRows();
  for (let i = 0; i < read.numRows; i++) {
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
    const c = (cols.created_timestamp[i] as number | null) ?? null;
    if (e > maxEventTs) maxEventTs = e;
    for (const f of features) addToProfile(profiles[f], cols[f][i]);
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
  const first = records.slice(0, WRITE_CHUNK);
  const outcome = await services.online.write(first.map((r) => ({ key: r.key, record: r.record, merge: false })));
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
    rowsRead: read.numRows,
    rowsWritten: first.length,
    output: {
      view: task.view,
      changed: outcome.written,
      entities_in_task: records.length,
      max_event_ts: Number.isFinite(maxEventTs) ? maxEventTs : null,
      skipped: skipped.count,
      skipped_sample: skipped.sample,
      profiles,
      sketch: sketchToBase64(sketch),
    },
  };
}

/** Writes one parked chunk of a scan task's records. */
async function writeTask(services: Services, task: MaterializeWriteTask): Promise<TaskResult> {
  const chunk = await services.scratch.getJson<Latest[]>(task.records, `Records of ${task.task_id}`);
  const outcome = await services.online.write(chunk.map((r) => ({ key: r.key, record: r.record, merge: false })));
  return { rowsRead: 0, rowsWritten: chunk.length, output: { view: task.view, changed: outcome.written } };
}

export async function runMaterializeTask(
  services: Services,
  registry: CompiledRegistry,
  task: MaterializeTask | MaterializeWriteTask,
): Promise<TaskResult> {
  return task.kind === "materialize" ? scanTask(services, registry, task) : writeTask(services, task);
}
