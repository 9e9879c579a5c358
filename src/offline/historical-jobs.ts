/**
 * Large historical retrievals as jobs: the entity_df is parked in R2, its
 * rows are sharded by entity key (all rows of one key in one shard, so each
 * shard reads only its keys' feature rows), each shard is joined by its own
 * MATERIALIZE-queue task, and a final task combines the parts, in input
 * order, into one Parquet export.
 */
import { invalid } from "../errors";
import type { CompiledRegistry } from "../domain/compiled-registry";
import { selectFeatures } from "../domain/feature-refs";
import type { Dtype } from "../domain/dtypes";
import type { RegistryDb } from "../registry/d1-registry";
import { createJob, newJobId } from "../jobs/jobs-store";
import { sendTasks, type HistoricalShardTask } from "../jobs/messages";
import { parseEntityDf, type EntityDf } from "./entity-df";
import { joinHistorical } from "./historical";
import { writeExport } from "./export-writer";
import { saveExport } from "./exports";

/** Entity rows per shard: small enough for one invocation's memory and CPU. */
export const ROWS_PER_SHARD = 10_000;
export const MAX_JOB_ROWS = 1_000_000;

export interface HistoricalSpec {
  [key: string]: unknown;
  features: string[];
  feature_service: string | null;
  full_feature_names: boolean;
  entity_path: string;
  rows: number;
  shards: number;
}

const entityPath = (project: string, jobId: string) => `jobs/${project}/${jobId}/entity_df.json`;
const partPath = (project: string, jobId: string, shard: number) => `jobs/${project}/${jobId}/part-${shard}.json`;

/** FNV-1a of the row's join-key values: the shard a row belongs to. */
export function shardOf(df: EntityDf, joinKeys: readonly string[], row: number, shards: number): number {
  let h = 0x811c9dc5;
  for (const key of joinKeys) {
    const text = `${String(df.columns[key][row])}\u0000`;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
  }
  return (h >>> 0) % shards;
}

export interface JobDeps {
  bucket: R2Bucket;
  db: RegistryDb;
  queue: Queue;
}

/** Starts a job; returns its id and shard count. */
export async function startHistoricalJob(
  deps: JobDeps,
  registry: CompiledRegistry,
  request: { features: string[]; feature_service?: string; full_feature_names: boolean },
  entityDf: Record<string, unknown[]>,
  rows: number,
): Promise<{ jobId: string; shards: number }> {
  if (rows > MAX_JOB_ROWS)
    throw invalid(`entity_df has ${rows} rows; a job takes at most ${MAX_JOB_ROWS}`, { max_rows: MAX_JOB_ROWS });
  const jobId = newJobId("historical");
  const shards = Math.max(1, Math.ceil(rows / ROWS_PER_SHARD));
  const path = entityPath(registry.project, jobId);
  await deps.bucket.put(path, JSON.stringify(entityDf), { httpMetadata: { contentType: "application/json" } });
  const spec: HistoricalSpec = {
    features: request.features,
    feature_service: request.feature_service ?? null,
    full_feature_names: request.full_feature_names,
    entity_path: path,
    rows,
    shards,
  };
  const taskIds = [...Array.from({ length: shards }, (_, i) => `shard-${i}`), "combine"];
  await createJob(deps.db, {
    id: jobId,
    project: registry.project,
    kind: "historical",
    spec,
    taskIds,
    estimatedRows: rows,
  });
  const tasks: HistoricalShardTask[] = Array.from({ length: shards }, (_, shard) => ({
    kind: "historical-shard",
    project: registry.project,
    job_id: jobId,
    task_id: `shard-${shard}`,
    shard,
    shards,
  }));
  await sendTasks(deps.queue, tasks);
  return { jobId, shards };
}

async function loadEntityDf(bucket: R2Bucket, spec: HistoricalSpec, joinKeys: string[]): Promise<EntityDf> {
  const object = await bucket.get(spec.entity_path);
  if (!object) throw new Error(`entity_df of the job is missing from R2 (${spec.entity_path})`);
  return parseEntityDf(await object.json<Record<string, unknown[]>>(), joinKeys, MAX_JOB_ROWS);
}

function selectionOf(registry: CompiledRegistry, spec: HistoricalSpec) {
  return selectFeatures(
    registry,
    { features: spec.features, full_feature_names: spec.full_feature_names },
    { onlineOnly: false },
  );
}

function joinKeysOf(registry: CompiledRegistry, spec: HistoricalSpec): string[] {
  return [...new Set(selectionOf(registry, spec).views.flatMap((v) => v.view.joinKeys))];
}

/** Joins one shard and parks its part in R2; returns the rows joined. */
export async function runShard(
  deps: Omit<JobDeps, "queue">,
  registry: CompiledRegistry,
  spec: HistoricalSpec,
  task: HistoricalShardTask,
): Promise<{ rowsRead: number; rowsWritten: number }> {
  const joinKeys = joinKeysOf(registry, spec);
  const df = await loadEntityDf(deps.bucket, spec, joinKeys);
  const rows: number[] = [];
  for (let i = 0; i < df.numRows; i++) if (shardOf(df, joinKeys, i, task.shards) === task.shard) rows.push(i);
  const joined = await joinHistorical(deps, registry, selectionOf(registry, spec), df, spec.full_feature_names, rows);
  await deps.bucket.put(
    partPath(registry.project, task.job_id, task.shard),
    JSON.stringify({ rows, columns: joined.result.columns, data: joined.result.data }),
  );
  return { rowsRead: joined.rows_scanned, rowsWritten: rows.length };
}

/** Puts the parts back in input order and writes the one export. */
export async function combineShards(
  deps: Omit<JobDeps, "queue">,
  registry: CompiledRegistry,
  spec: HistoricalSpec,
  jobId: string,
): Promise<{ exportId: string; rows: number }> {
  const data: Record<string, unknown[]> = {};
  let columns: string[] = [];
  for (let shard = 0; shard < spec.shards; shard++) {
    const object = await deps.bucket.get(partPath(registry.project, jobId, shard));
    if (!object) throw new Error(`part ${shard} of job ${jobId} is missing from R2`);
    const part = await object.json<{ rows: number[]; columns: string[]; data: Record<string, unknown[]> }>();
    columns = part.columns;
    for (const name of part.columns) {
      data[name] ??= new Array(spec.rows).fill(null);
      const target = data[name];
      part.rows.forEach((row, k) => {
        target[row] = part.data[name][k];
      });
    }
  }
  const exportId = `exp_${jobId}`;
  await saveExport(
    deps.bucket,
    deps.db,
    registry.project,
    exportId,
    writeExport({ columns, data, numRows: spec.rows }, exportDtypes(registry, selectionOf(registry, spec))),
    spec.rows,
  );
  return { exportId, rows: spec.rows };
}

/** Dtypes of the output columns the registry knows: join keys and features. */
export function exportDtypes(
  registry: CompiledRegistry,
  selection: ReturnType<typeof selectFeatures>,
): Record<string, Dtype> {
  const dtypes: Record<string, Dtype> = {};
  const keyDtype = { STRING: "string", INT32: "int32", INT64: "int64", BYTES: "bytes" } as const;
  for (const { view, features } of selection.views) {
    for (const entityName of view.def.entities) {
      const entity = registry.entities.get(entityName);
      for (const key of entity?.join_keys ?? []) dtypes[key] = keyDtype[entity!.value_types[key]];
    }
    for (const f of features) dtypes[f.outputName] = view.def.features[view.featureIndex.get(f.name)!].dtype;
  }
  return dtypes;
}
