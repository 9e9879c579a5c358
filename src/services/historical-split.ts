/**
 * The split phase of a historical job (see historical-jobs.ts): entity rows
 * checked as the join would check them, then one slice at a time written as
 * its entity columns and its rows per (view group, bucket). The JSON form
 * calls `writeSlice` from the start request; the Parquet form runs one
 * `runSplit` task per slice of whole row groups, and the last one to finish
 * plans the shards from the counts the splits recorded (`afterSplits`, which
 * the watchdog repeats when that step was lost).
 */
import { badKeyError } from "../domain/asof-fold";
import type { CompiledRegistry } from "../domain/compiled-registry";
import { parseEntityDf } from "../domain/entity-df";
import { BAD_KEY, identityBuilder } from "../domain/entity-key";
import { invalid } from "../domain/errors";
import type { FeatureSelection } from "../domain/feature-refs";
import { MAX_JOB_ROWS, type PlannedView, planShards, splitByBucket, type ViewGroup } from "../domain/historical-plan";
import { outputNameCollisions } from "../domain/join-output";
import { EVENT_TIMESTAMP } from "../domain/names";
import { offlineSourceOf, sourceSchema } from "../domain/source-schema";
import { isoAfter, QUEUE_WAIT_MS } from "../domain/task-lease";
import { getTasks, type Job } from "../db/jobs-store";
import { addTasks } from "../db/task-store";
import { readParquet } from "../offline/parquet-read";
import { type HistoricalSplitTask, sendTasks } from "../queues/messages";
import { type HistoricalSpec, type JobPlan, jobFiles, sendCombine, selectionOf, shardTasks } from "./historical-jobs";
import type { TaskMeasures } from "./historical-shard";
import type { Services } from "./services";

/** Refuses what the join would refuse: output name collisions (`columns`: the entity columns). */
export function checkColumns(selection: FeatureSelection, columns: readonly string[], fullFeatureNames: boolean) {
  const tables = selection.views.map(({ view, features }) => ({
    view: view.def.name,
    features: features.map((f) => f.name),
  }));
  const [collision] = outputNameCollisions(tables, fullFeatureNames, columns);
  if (collision) {
    throw invalid(
      `Output column '${collision.name}' would come from ${collision.sources.join(" and ")}; use full_feature_names or rename the column`,
      { collisions: [collision] },
    );
  }
}

/** Refuses ill-typed join keys (row i named as input row `first + i`), as the join would. */
export function checkKeys(
  selection: FeatureSelection,
  columns: Record<string, ArrayLike<unknown>>,
  rows: number,
  first = 0,
) {
  for (const { view, features } of selection.views) {
    const identity = identityBuilder(view.joinKeys, view.keyTypes, (k) => columns[k]);
    for (let i = 0; i < rows; i++) {
      if (identity(i) !== BAD_KEY) continue;
      const table = { view: view.def.name, joinKeys: view.joinKeys, keyTypes: view.keyTypes, ttlSeconds: 0 };
      throw badKeyError(
        { ...table, features: features.map((f) => f.name) },
        "entity_df row",
        (k) => columns[k],
        i,
        first + i,
      );
    }
  }
}

/** What the planner needs of each selected view: its source's layout. */
export async function plannedViews(services: Services, registry: CompiledRegistry, selection: FeatureSelection) {
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

/** One slice's split: rows per group and bucket, and the [group, bucket] pairs with rows. */
export type SliceSplit = {
  counts: Record<number, number>[];
  parts: [number, number][];
};

/**
 * Writes slice s (`columns`: its entity columns, `event_timestamp` in epoch
 * ms; row i is input row `first + i`): its columns, and its rows per group
 * and bucket. A few files at a time: each put is a subrequest.
 */
export async function writeSlice(
  services: Services,
  job: { project: string; id: string },
  groups: readonly ViewGroup[],
  columns: Record<string, unknown[]>,
  s: number,
  first: number,
): Promise<SliceSplit> {
  const key = (name: string) => services.scratch.jobFileKey(job.project, job.id, name);
  const files: [string, unknown][] = [[key(jobFiles.entity(s)), columns]];
  const split: SliceSplit = { counts: [], parts: [] };
  const ts = columns[EVENT_TIMESTAMP] as number[];
  groups.forEach((group, g) => {
    split.counts.push({});
    for (const [bucket, rows] of splitByBucket(group, (k) => columns[k], ts, first)) {
      split.counts[g][bucket] = rows.rows.length;
      split.parts.push([g, bucket]);
      files.push([key(jobFiles.keys(g, bucket, s)), rows]);
    }
  });
  for (let i = 0; i < files.length; i += 8) {
    await Promise.all(files.slice(i, i + 8).map(([k, value]) => services.scratch.putJson(k, value)));
  }
  return split;
}

/** A Parquet value as JSON keeps it: time columns as RFC 3339, int64 as a number (text beyond 2^53). */
function jsonValue(v: unknown, time: boolean): unknown {
  if (typeof v === "bigint") return Number.isSafeInteger(Number(v)) ? Number(v) : v.toString();
  if (time && typeof v === "number") return new Date(v).toISOString();
  if (v instanceof Date) return v.toISOString();
  return v === undefined ? null : v;
}

/** Splits one slice of a Parquet entity_df. */
export async function runSplit(
  services: Services,
  registry: CompiledRegistry,
  job: Job,
  task: HistoricalSplitTask,
): Promise<{ rowsRead: number; rowsWritten: number; output: TaskMeasures & SliceSplit }> {
  const started = Date.now();
  const spec = job.spec as HistoricalSpec;
  const file = spec.entity_file!;
  const [start, end] = spec.slice_groups![task.slice];
  const selection = selectionOf(registry, spec);
  const joinKeys = [...new Set(spec.groups.flatMap((g) => g.joinKeys))];
  const strings = Object.fromEntries(
    selection.views.flatMap((v) =>
      v.view.joinKeys.filter((k) => v.view.keyTypes[k] === "STRING").map((k) => [k, "string" as const]),
    ),
  );
  const table = await readParquet(services.scratch.buffer(file.key, file.size), {
    name: file.key,
    columns: spec.entity_columns,
    dtypes: strings,
    rowGroups: { start, end },
  });
  const times = new Set(spec.time_columns as string[] | undefined);
  const raw = Object.fromEntries(
    spec.entity_columns.map((n) => [n, table.columns[n].map((v) => jsonValue(v, times.has(n)))]),
  );
  const first = spec.slice_starts![task.slice];
  const df = parseEntityDf(raw, joinKeys, MAX_JOB_ROWS);
  checkKeys(selection, raw, df.numRows, first);
  const columns = { ...raw, [EVENT_TIMESTAMP]: Array.from(df.ts) };
  const split = await writeSlice(
    services,
    { project: job.project, id: job.id },
    spec.groups,
    columns,
    task.slice,
    first,
  );
  const measures = { files_read: 0, rows_scanned: 0, started_ms: started, ended_ms: Date.now() };
  return { rowsRead: df.numRows, rowsWritten: df.numRows, output: { ...measures, ...split } };
}

/** Plans and sends the shards from the splits' counts (idempotent: re-adding tasks changes nothing). */
export async function afterSplits(services: Services, job: Job): Promise<void> {
  const spec = job.spec as HistoricalSpec;
  const splits = new Map<number, SliceSplit>();
  for (const t of await getTasks(services.db, job.id)) {
    if (t.status !== "done" || !t.task_id.startsWith("split-")) continue;
    splits.set(Number(t.task_id.slice("split-".length)), t.output as unknown as SliceSplit);
  }
  if (splits.size < spec.slices) return; // not every split is done yet
  const slices = Array.from({ length: spec.slices }, (_, s) => splits.get(s)!);
  const plan: JobPlan = { parts: slices.map((s) => s.parts) };
  await services.scratch.putJson(services.scratch.jobFileKey(job.project, job.id, jobFiles.plan()), plan);
  const tasks = shardTasks(job.project, job.id, planShards(spec.groups.map((_, g) => slices.map((s) => s.counts[g]))));
  if (tasks.length === 0) {
    await sendCombine(services, job.project, job.id, Date.now());
    return;
  }
  const lease = isoAfter(Date.now(), QUEUE_WAIT_MS);
  await addTasks(
    services.db,
    job.id,
    tasks.map((t) => ({ id: t.task_id, message: t, leaseUntil: lease })),
  );
  await sendTasks(services.queues.fanout, tasks);
}
