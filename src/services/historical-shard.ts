/**
 * One shard task of a historical job: the entity rows of one bucket of one
 * view group (over a run of slices), joined view by view with `AsOfFold` as
 * the offline store streams that bucket's files in the rows' time window
 * (minus the view's ttl): memory holds the shard's entity rows, their slots
 * and one file of feature rows, never the history. It writes one output
 * file per slice, rows ascending by input index, for the combine.
 */
import { AsOfFold, type FoldTable } from "../domain/asof-fold";
import type { CompiledRegistry } from "../domain/compiled-registry";
import type { BucketRows } from "../domain/historical-plan";
import { offlineSourceOf, sourceSchema } from "../domain/source-schema";
import type { HistoricalShardTask } from "../queues/messages";
import { type HistoricalSpec, jobFiles, selectionOf } from "./historical-jobs";
import { wantedKeys } from "./historical";
import type { Services } from "./services";

/** What a shard writes per slice: input row indices (ascending) and each output column of its group's views. */
export interface ShardOutput {
  rows: number[];
  data: Record<string, unknown[]>;
}

/** What a task measured, recorded on its task row (`output`) for the job's status. */
export type TaskMeasures = {
  files_read: number;
  rows_scanned: number;
  started_ms: number;
  ended_ms: number;
};

async function readRows(services: Services, project: string, task: HistoricalShardTask) {
  const files = await Promise.all(
    task.slices.map((s) =>
      services.scratch.getJson<BucketRows>(
        services.scratch.jobFileKey(project, task.job_id, jobFiles.keys(task.group, task.bucket, s)),
        `Entity rows of slice ${s} of job ${task.job_id}`,
      ),
    ),
  );
  const keys = Object.keys(files[0]?.keys ?? {});
  return {
    perSlice: files.map((f) => f.rows.length),
    rows: files.flatMap((f) => f.rows),
    ts: files.flatMap((f) => f.ts),
    keys: Object.fromEntries(keys.map((k) => [k, files.flatMap((f) => f.keys[k])])),
  };
}

export async function runShard(
  services: Services,
  registry: CompiledRegistry,
  spec: HistoricalSpec,
  task: HistoricalShardTask,
): Promise<{ rowsRead: number; rowsWritten: number; output: TaskMeasures }> {
  const started = Date.now();
  const project = registry.project;
  const group = spec.groups[task.group];
  const selection = selectionOf(registry, spec);
  const entity = await readRows(services, project, task);
  let minTs = Infinity;
  let maxTs = -Infinity;
  for (const t of entity.ts) {
    if (t < minTs) minTs = t;
    if (t > maxTs) maxTs = t;
  }
  const data: Record<string, unknown[]> = {};
  let filesRead = 0;
  let rowsScanned = 0;
  for (const name of group.views) {
    const selected = selection.views.find((v) => v.view.def.name === name);
    if (!selected) continue; // the registry dropped the view since the start: its columns are null
    const { view, features } = selected;
    const table: FoldTable = {
      view: name,
      joinKeys: view.joinKeys,
      keyTypes: view.keyTypes,
      features: features.map((f) => f.name),
      ttlSeconds: view.def.ttl_seconds,
    };
    const fold = new AsOfFold(
      table,
      (k) => entity.keys[k],
      entity.ts,
      (i) => entity.rows[i],
    );
    const ttlMs = view.def.ttl_seconds * 1000;
    const schema = sourceSchema(registry, offlineSourceOf(registry, name));
    const scan = await services.offline.scanRows(
      project,
      schema,
      {
        features: table.features,
        minTs: ttlMs > 0 ? minTs - ttlMs : undefined,
        maxTs,
        buckets: group.buckets > 1 ? [task.bucket] : undefined,
        keys: wantedKeys(view.joinKeys, view.keyTypes, entity.keys),
      },
      (chunk) => fold.add(chunk),
    );
    filesRead += scan.filesRead;
    rowsScanned += scan.rowsScanned;
    const result = fold.result();
    for (const f of features) data[f.outputName] = result[f.name];
  }
  let offset = 0;
  const files: Promise<void>[] = task.slices.map((s, k) => {
    const end = offset + entity.perSlice[k];
    const out: ShardOutput = {
      rows: entity.rows.slice(offset, end),
      data: Object.fromEntries(Object.entries(data).map(([n, col]) => [n, col.slice(offset, end)])),
    };
    offset = end;
    return services.scratch.putJson(
      services.scratch.jobFileKey(project, task.job_id, jobFiles.output(task.group, task.bucket, s)),
      out,
    );
  });
  await Promise.all(files);
  return {
    rowsRead: rowsScanned,
    rowsWritten: entity.rows.length,
    output: { files_read: filesRead, rows_scanned: rowsScanned, started_ms: started, ended_ms: Date.now() },
  };
}
