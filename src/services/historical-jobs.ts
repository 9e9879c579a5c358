/**
 * Large historical retrievals as jobs (the plan: domain/historical-plan.ts).
 *
 * The start request checks the entity_df, groups the selected views by their
 * sources' bucket layouts and splits the entity rows once, slice by slice,
 * into per-(group, bucket, slice) key files in R2 (plus each slice's entity
 * columns for the combine). One shard task per (group, bucket, part) then
 * reads only that bucket's files in its own rows' window
 * (historical-shard.ts); the combine writes one Parquet export in input
 * order (historical-combine.ts). Every file a task writes is a pure function
 * of the job's spec and inputs, so a replayed task rewrites the same bytes.
 */
import type { CompiledRegistry } from "../domain/compiled-registry";
import type { Dtype } from "../domain/dtypes";
import type { EntityDf } from "../domain/entity-df";
import { invalid } from "../domain/errors";
import { BAD_KEY, identityBuilder } from "../domain/entity-key";
import { type FeatureSelection, selectFeatures } from "../domain/feature-refs";
import { badKeyError } from "../domain/asof-fold";
import {
  groupViews,
  MAX_JOB_ROWS,
  type PlannedView,
  planShards,
  sliceCount,
  sliceRange,
  splitByBucket,
  type ViewGroup,
} from "../domain/historical-plan";
import { outputNameCollisions } from "../domain/join-output";
import { EVENT_TIMESTAMP } from "../domain/names";
import { offlineSourceOf, sourceSchema } from "../domain/source-schema";
import { isoAfter, QUEUE_WAIT_MS } from "../domain/task-lease";
import { createJob, newJobId } from "../db/jobs-store";
import { inferDtype } from "../offline/export-writer";
import { type HistoricalCombineTask, type HistoricalShardTask, sendTasks } from "../queues/messages";
import { exportDtypes } from "./historical";
import type { Services } from "./services";

export { MAX_JOB_ROWS };

export interface HistoricalSpec {
  [key: string]: unknown;
  features: string[];
  feature_service: string | null;
  full_feature_names: boolean;
  rows: number;
  /** Entity columns in input order, and the dtypes of those the registry does not type (inferred from all rows). */
  entity_columns: string[];
  label_dtypes: Record<string, Dtype>;
  groups: ViewGroup[];
  slices: number;
  /** Per slice, the [group, bucket] pairs with rows in it: the shard outputs the combine reads. */
  parts: [number, number][][];
  shards: number;
  /** Time the start request spent checking and splitting the entity rows. */
  split_ms: number;
}

/** Names of a job's files (`ScratchFiles.jobFileKey`). */
export const jobFiles = {
  entity: (slice: number) => `entity-s${slice}`,
  keys: (group: number, bucket: number, slice: number) => `keys-g${group}-b${bucket}-s${slice}`,
  output: (group: number, bucket: number, slice: number) => `out-g${group}-b${bucket}-s${slice}`,
};

/** The selection of a running job (the registry may have changed: it is resolved again). */
export function selectionOf(registry: CompiledRegistry, spec: HistoricalSpec): FeatureSelection {
  const request = { features: spec.features, full_feature_names: spec.full_feature_names };
  return selectFeatures(registry, request, { onlineOnly: false });
}

/** Refuses, before any task runs, what the join would refuse: output name collisions and ill-typed keys. */
function checkEntityDf(selection: FeatureSelection, df: EntityDf, fullFeatureNames: boolean): void {
  const tables = selection.views.map(({ view, features }) => ({
    view: view.def.name,
    features: features.map((f) => f.name),
  }));
  const [collision] = outputNameCollisions(tables, fullFeatureNames, df.columnNames);
  if (collision) {
    throw invalid(
      `Output column '${collision.name}' would come from ${collision.sources.join(" and ")}; use full_feature_names or rename the column`,
      { collisions: [collision] },
    );
  }
  for (const { view, features } of selection.views) {
    const identity = identityBuilder(view.joinKeys, view.keyTypes, (k) => df.columns[k]);
    for (let i = 0; i < df.numRows; i++) {
      if (identity(i) !== BAD_KEY) continue;
      const table = { view: view.def.name, joinKeys: view.joinKeys, keyTypes: view.keyTypes };
      throw badKeyError(
        { ...table, features: features.map((f) => f.name), ttlSeconds: 0 },
        "entity_df row",
        (k) => df.columns[k],
        i,
      );
    }
  }
}

async function plannedViews(services: Services, registry: CompiledRegistry, selection: FeatureSelection) {
  return Promise.all(
    selection.views.map(async ({ view }): Promise<PlannedView> => {
      const schema = sourceSchema(registry, offlineSourceOf(registry, view.def.name));
      return {
        name: view.def.name,
        joinKeys: view.joinKeys,
        keyTypes: view.keyTypes,
        layout: await services.offline.layout(registry.project, schema.source.name),
        sourceKeyTypes: Object.fromEntries(schema.joinKeys.map((k) => [k.name, k.type])),
      };
    }),
  );
}

/** Writes files a few at a time (each put is a subrequest; a few overlap). */
async function putAll(services: Services, files: [string, unknown][]): Promise<void> {
  for (let i = 0; i < files.length; i += 8) {
    await Promise.all(files.slice(i, i + 8).map(([key, value]) => services.scratch.putJson(key, value)));
  }
}

/** Starts a job: checks and splits the entity rows, records the tasks, sends the shards. */
export async function startHistoricalJob(
  services: Services,
  registry: CompiledRegistry,
  selection: FeatureSelection,
  request: { feature_service?: string; full_feature_names: boolean },
  df: EntityDf,
): Promise<{ jobId: string; shards: number }> {
  if (df.numRows > MAX_JOB_ROWS) {
    throw invalid(`entity_df has ${df.numRows} rows; a job takes at most ${MAX_JOB_ROWS}`, { max_rows: MAX_JOB_ROWS });
  }
  const splitStarted = Date.now();
  checkEntityDf(selection, df, request.full_feature_names);
  const project = registry.project;
  const jobId = newJobId("historical");
  const groups = groupViews(await plannedViews(services, registry, selection));
  const key = (name: string) => services.scratch.jobFileKey(project, jobId, name);
  const slices = sliceCount(df.numRows);
  const counts = groups.map(() => [] as Record<number, number>[]);
  const parts: [number, number][][] = [];
  for (let s = 0; s < slices; s++) {
    const { start, end } = sliceRange(s, df.numRows);
    const ts = Array.from(df.ts.subarray(start, end));
    const columns = Object.fromEntries(
      df.columnNames.map((n) => [n, n === EVENT_TIMESTAMP ? ts : df.columns[n].slice(start, end)]),
    );
    const files: [string, unknown][] = [[key(jobFiles.entity(s)), columns]];
    parts.push([]);
    groups.forEach((group, g) => {
      counts[g].push({});
      for (const [bucket, rows] of splitByBucket(group, (k) => columns[k], ts, start)) {
        counts[g][s][bucket] = rows.rows.length;
        parts[s].push([g, bucket]);
        files.push([key(jobFiles.keys(g, bucket, s)), rows]);
      }
    });
    await putAll(services, files);
  }
  const typed = exportDtypes(registry, selection);
  const labels = df.columnNames.filter((n) => n !== EVENT_TIMESTAMP && !typed[n]);
  const plans = planShards(counts);
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
    shards: plans.length,
    split_ms: Date.now() - splitStarted,
  };
  const tasks: HistoricalShardTask[] = plans.map((p) => ({
    kind: "historical-shard",
    project,
    job_id: jobId,
    task_id: `shard-g${p.group}-b${p.bucket}-p${p.part}`,
    group: p.group,
    bucket: p.bucket,
    slices: p.slices,
  }));
  const lease = isoAfter(Date.now(), QUEUE_WAIT_MS);
  const combine = combineTask(project, jobId);
  const rowsOf = [
    ...tasks.map((t) => ({ id: t.task_id, message: t, leaseUntil: lease })),
    // The combine step is sent when the last shard is done (until then it has no lease).
    { id: "combine", message: combine, leaseUntil: tasks.length === 0 ? lease : null },
  ];
  await createJob(services.db, {
    id: jobId,
    project,
    kind: "historical",
    spec,
    tasks: rowsOf,
    estimatedRows: df.numRows,
  });
  // No row has a key any group can match: nothing to join, the combine writes the entity rows with nulls.
  await sendTasks(services.queues.tasks, tasks.length > 0 ? tasks : [combine]);
  return { jobId, shards: tasks.length };
}

/** The task that writes a job's export from its shards' outputs. */
export function combineTask(project: string, jobId: string): HistoricalCombineTask {
  return { kind: "historical-combine", project, job_id: jobId, task_id: "combine" };
}
