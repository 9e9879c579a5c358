/**
 * Large historical retrievals as jobs: the entity_df is parked in R2, its
 * rows are sharded by entity key (all rows of one key in one shard, so each
 * shard reads only its keys' feature rows), each shard is joined by its own
 * MATERIALIZE-queue task, and a final task combines the parts, in input
 * order, into one Parquet export.
 */
import type { CompiledRegistry } from "../domain/compiled-registry";
import { type EntityDf, parseEntityDf } from "../domain/entity-df";
import { invalid } from "../domain/errors";
import { selectFeatures } from "../domain/feature-refs";
import { hash32 } from "../domain/hash";
import { isoAfter, QUEUE_WAIT_MS } from "../domain/task-lease";
import { createJob, newJobId } from "../db/jobs-store";
import { writeExport } from "../offline/export-writer";
import { type HistoricalCombineTask, type HistoricalShardTask, sendTasks } from "../queues/messages";
import { exportDtypes, joinHistorical } from "./historical";
import type { Services } from "./services";

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

interface ShardPart {
  rows: number[];
  columns: string[];
  data: Record<string, unknown[]>;
}

/** The shard a row belongs to: a hash of its join-key values. */
function shardOf(df: EntityDf, joinKeys: readonly string[], row: number, shards: number): number {
  return hash32(joinKeys.map((key) => `${String(df.columns[key][row])}\u0000`).join("")) % shards;
}

/** Starts a job; returns its id and shard count. */
export async function startHistoricalJob(
  services: Services,
  registry: CompiledRegistry,
  request: { features: string[]; feature_service?: string; full_feature_names: boolean },
  entityDf: Record<string, unknown[]>,
  rows: number,
): Promise<{ jobId: string; shards: number }> {
  if (rows > MAX_JOB_ROWS) {
    throw invalid(`entity_df has ${rows} rows; a job takes at most ${MAX_JOB_ROWS}`, { max_rows: MAX_JOB_ROWS });
  }
  const project = registry.project;
  const jobId = newJobId("historical");
  const shards = Math.max(1, Math.ceil(rows / ROWS_PER_SHARD));
  const path = services.scratch.jobFileKey(project, jobId, "entity_df");
  await services.scratch.putJson(path, entityDf);
  const spec: HistoricalSpec = {
    features: request.features,
    feature_service: request.feature_service ?? null,
    full_feature_names: request.full_feature_names,
    entity_path: path,
    rows,
    shards,
  };
  const tasks: HistoricalShardTask[] = Array.from({ length: shards }, (_, shard) => ({
    kind: "historical-shard",
    project,
    job_id: jobId,
    task_id: `shard-${shard}`,
    shard,
    shards,
  }));
  const lease = isoAfter(Date.now(), QUEUE_WAIT_MS);
  const rowsOf = [
    ...tasks.map((t) => ({ id: t.task_id, message: t, leaseUntil: lease })),
    // The combine step is sent when the last shard is done (until then it has no lease).
    { id: "combine", message: combineTask(project, jobId), leaseUntil: null },
  ];
  await createJob(services.db, { id: jobId, project, kind: "historical", spec, tasks: rowsOf, estimatedRows: rows });
  await sendTasks(services.queues.tasks, tasks);
  return { jobId, shards };
}

/** The task that writes a job's export from its shards' parts. */
export function combineTask(project: string, jobId: string): HistoricalCombineTask {
  return { kind: "historical-combine", project, job_id: jobId, task_id: "combine" };
}

function selectionOf(registry: CompiledRegistry, spec: HistoricalSpec) {
  const request = { features: spec.features, full_feature_names: spec.full_feature_names };
  return selectFeatures(registry, request, { onlineOnly: false });
}

/** Joins one shard and parks its part in R2; returns the rows read and joined. */
export async function runShard(
  services: Services,
  registry: CompiledRegistry,
  spec: HistoricalSpec,
  task: HistoricalShardTask,
): Promise<{ rowsRead: number; rowsWritten: number }> {
  const selection = selectionOf(registry, spec);
  const joinKeys = [...new Set(selection.views.flatMap((v) => v.view.joinKeys))];
  const entityDf = await services.scratch.getJson<Record<string, unknown[]>>(spec.entity_path, "entity_df of the job");
  const df = parseEntityDf(entityDf, joinKeys, MAX_JOB_ROWS);
  const rows: number[] = [];
  for (let i = 0; i < df.numRows; i++) if (shardOf(df, joinKeys, i, task.shards) === task.shard) rows.push(i);
  const joined = await joinHistorical(services.offline, registry, selection, df, spec.full_feature_names, rows);
  const part: ShardPart = { rows, columns: joined.result.columns, data: joined.result.data };
  await services.scratch.putJson(
    services.scratch.jobFileKey(registry.project, task.job_id, `part-${task.shard}`),
    part,
  );
  return { rowsRead: joined.rows_scanned, rowsWritten: rows.length };
}

/** Puts the parts back in input order and writes the one export. */
export async function combineShards(
  services: Services,
  registry: CompiledRegistry,
  spec: HistoricalSpec,
  jobId: string,
): Promise<{ exportId: string; rows: number }> {
  const data: Record<string, unknown[]> = {};
  let columns: string[] = [];
  for (let shard = 0; shard < spec.shards; shard++) {
    const key = services.scratch.jobFileKey(registry.project, jobId, `part-${shard}`);
    const part = await services.scratch.getJson<ShardPart>(key, `Part ${shard} of job ${jobId}`);
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
  const dtypes = exportDtypes(registry, selectionOf(registry, spec));
  await services.exports.save(
    registry.project,
    exportId,
    writeExport({ columns, data, numRows: spec.rows }, dtypes),
    spec.rows,
  );
  return { exportId, rows: spec.rows };
}
