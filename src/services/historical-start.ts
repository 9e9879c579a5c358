/**
 * Starting a historical job (see historical-jobs.ts): a JSON entity_df is
 * checked and split by the start request itself; a Parquet entity_df
 * (`entity_df_path`, resolved by the batch-source path rule: inside the
 * project's own prefix, or an operator-allowed external prefix) has its
 * footer checked here and is split by one task per slice of whole row
 * groups (at most SPLIT_ROWS rows, or one larger group).
 */
import { parquetSchema, type SchemaElement } from "hyparquet";
import type { CompiledRegistry } from "../domain/compiled-registry";
import type { Dtype } from "../domain/dtypes";
import type { EntityDf } from "../domain/entity-df";
import { invalid } from "../domain/errors";
import type { FeatureSelection } from "../domain/feature-refs";
import { groupViews, MAX_JOB_ROWS, planShards, SPLIT_ROWS, sliceCount, sliceRange } from "../domain/historical-plan";
import { EVENT_TIMESTAMP } from "../domain/names";
import { isoAfter, QUEUE_WAIT_MS } from "../domain/task-lease";
import { createJob, newJobId } from "../db/jobs-store";
import { inferDtype } from "../offline/export-writer";
import { sourceLocation } from "../offline/layout";
import { isTimeType, readParquetMetadata } from "../offline/parquet-metadata";
import { type HistoricalSplitTask, sendTasks, type TaskMessage } from "../queues/messages";
import { exportDtypes } from "./historical";
import { combineTask, type HistoricalSpec, shardTasks } from "./historical-jobs";
import { checkColumns, checkKeys, plannedViews, writeSlice } from "./historical-split";
import type { Services } from "./services";

export interface JobRequest {
  feature_service?: string;
  full_feature_names: boolean;
}

function tooMany(rows: number) {
  return invalid(`entity_df has ${rows} rows; a job takes at most ${MAX_JOB_ROWS}`, { max_rows: MAX_JOB_ROWS });
}

/** Records the job with its first tasks (sent now, leased) and its combine step (unleased until due). */
async function create(services: Services, spec: HistoricalSpec, project: string, jobId: string, first: TaskMessage[]) {
  const lease = isoAfter(Date.now(), QUEUE_WAIT_MS);
  const combine = combineTask(project, jobId);
  const tasks = [
    ...first.map((t) => ({ id: t.task_id, message: t, leaseUntil: lease })),
    { id: "combine", message: combine, leaseUntil: first.length === 0 ? lease : null },
  ];
  await createJob(services.db, { id: jobId, project, kind: "historical", spec, tasks, estimatedRows: spec.rows });
  // No row has a key any group can match: nothing to join, the combine writes the entity rows with nulls.
  await sendTasks(services.queues.tasks, first.length > 0 ? first : [combine]);
}

/** Starts a job on a JSON entity_df: checks and splits its rows, records the tasks, sends the shards. */
export async function startHistoricalJob(
  services: Services,
  registry: CompiledRegistry,
  selection: FeatureSelection,
  request: JobRequest,
  df: EntityDf,
): Promise<{ jobId: string; shards: number }> {
  if (df.numRows > MAX_JOB_ROWS) throw tooMany(df.numRows);
  const started = Date.now();
  checkColumns(selection, df.columnNames, request.full_feature_names);
  checkKeys(selection, df.columns, df.numRows);
  const project = registry.project;
  const jobId = newJobId("historical");
  const groups = groupViews(await plannedViews(services, registry, selection));
  const slices = sliceCount(df.numRows);
  const counts = groups.map(() => [] as Record<number, number>[]);
  const parts: [number, number][][] = [];
  for (let s = 0; s < slices; s++) {
    const { start, end } = sliceRange(s, df.numRows);
    const ts = Array.from(df.ts.subarray(start, end));
    const columns = Object.fromEntries(
      df.columnNames.map((n) => [n, n === EVENT_TIMESTAMP ? ts : df.columns[n].slice(start, end)]),
    );
    const split = await writeSlice(services, { project, id: jobId }, groups, columns, s, start);
    split.counts.forEach((c, g) => {
      counts[g].push(c);
    });
    parts.push(split.parts);
  }
  const typed = exportDtypes(registry, selection);
  const labels = df.columnNames.filter((n) => n !== EVENT_TIMESTAMP && !typed[n]);
  const tasks = shardTasks(project, jobId, planShards(counts));
  const spec: HistoricalSpec = {
    features: selection.refs,
    feature_service: request.feature_service ?? null,
    full_feature_names: request.full_feature_names,
    rows: df.numRows,
    entity_columns: df.columnNames,
    label_dtypes: Object.fromEntries(labels.map((n) => [n, inferDtype(df.columns[n])])),
    groups,
    slices,
    parts,
    shards: tasks.length,
    split_ms: Date.now() - started,
  };
  await create(services, spec, project, jobId, tasks);
  return { jobId, shards: tasks.length };
}

/** The export dtype of a Parquet label column (time types travel as RFC 3339 text). */
function labelDtype(el: SchemaElement): Dtype {
  if (isTimeType(el)) return "string";
  if (el.type === "BOOLEAN") return "bool";
  if (el.type === "INT32" || el.type === "INT64") return "int64";
  if (el.type === "FLOAT" || el.type === "DOUBLE") return "float64";
  return "string";
}

/** Starts a job on a Parquet entity_df in R2: checks its footer, plans and sends the split tasks. */
export async function startPathJob(
  services: Services,
  registry: CompiledRegistry,
  selection: FeatureSelection,
  request: JobRequest,
  path: string,
): Promise<{ jobId: string; rows: number }> {
  const project = registry.project;
  const prefixes = services.config.externalPrefixes;
  const location = sourceLocation(project, path, Object.hasOwn(prefixes, project) ? prefixes[project] : []);
  if (location.kind !== "file")
    throw invalid(`entity_df_path '${path}' names a prefix; name one Parquet file`, { path });
  const size = await services.scratch.size(location.key);
  if (size === null) throw invalid(`entity_df_path '${path}' names no object in R2`, { path, key: location.key });
  const metadata = await readParquetMetadata(services.scratch.buffer(location.key, size), { name: path });
  const top = parquetSchema(metadata).children.map((c) => c.element);
  const names = top.map((el) => el.name);
  const joinKeys = [...new Set(selection.views.flatMap((v) => v.view.joinKeys))];
  const missing = [EVENT_TIMESTAMP, ...joinKeys].filter((k) => !names.includes(k));
  if (missing.length > 0)
    throw invalid(`entity_df_path '${path}' lacks column(s) ${missing.join(", ")}`, { path, missing, columns: names });
  const rows = Number(metadata.num_rows);
  if (rows === 0) throw invalid("entity_df has no rows", { path });
  if (rows > MAX_JOB_ROWS) throw tooMany(rows);
  checkColumns(selection, names, request.full_feature_names);
  const groupRows = metadata.row_groups.map((g) => Number(g.num_rows));
  const sliceGroups: [number, number][] = [];
  const starts = [0];
  for (let g = 0, row = 0; g < groupRows.length; ) {
    const from = g;
    let n = 0;
    while (g < groupRows.length && (g === from || n + groupRows[g] <= SPLIT_ROWS)) n += groupRows[g++];
    sliceGroups.push([from, g]);
    row += n;
    starts.push(row);
  }
  const typed = exportDtypes(registry, selection);
  const jobId = newJobId("historical");
  const spec: HistoricalSpec = {
    features: selection.refs,
    feature_service: request.feature_service ?? null,
    full_feature_names: request.full_feature_names,
    rows,
    entity_columns: names,
    label_dtypes: Object.fromEntries(
      top.filter((el) => el.name !== EVENT_TIMESTAMP && !typed[el.name]).map((el) => [el.name, labelDtype(el)]),
    ),
    time_columns: top.filter((el) => isTimeType(el)).map((el) => el.name),
    groups: groupViews(await plannedViews(services, registry, selection)),
    slices: sliceGroups.length,
    slice_starts: starts,
    slice_groups: sliceGroups,
    entity_file: { key: location.key, size },
    shards: 0,
  };
  const splits: HistoricalSplitTask[] = sliceGroups.map((_, slice) => ({
    kind: "historical-split",
    project,
    job_id: jobId,
    task_id: `split-${slice}`,
    slice,
  }));
  await create(services, spec, project, jobId, splits);
  return { jobId, rows };
}
