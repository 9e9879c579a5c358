/**
 * Starting materialization jobs: resolve each view's window, plan one scan
 * task per bucket from the file manifest, record the job, send its tasks. Also the
 * incremental form (from the end of each view's materialized interval) and
 * the estimate of a job's duration from earlier jobs' measured throughput.
 */
import type { CompiledRegistry } from "../domain/compiled-registry";
import { invalid } from "../domain/errors";
import { bucketsApply } from "../domain/bucketing";
import { estimateDurationSeconds, planBuckets } from "../domain/materialize-plan";
import { offlineSourceOf } from "../domain/source-schema";
import { isoAfter, QUEUE_WAIT_MS } from "../domain/task-lease";
import { createJob, getJob, getTasks, newJobId, throughputHistory } from "../db/jobs-store";
import { type MaterializeTask, sendTasks } from "../queues/messages";
import { finishMaterialization, type MaterializeSpec } from "./materialize-finish";
import type { Services } from "./services";

export interface StartedJob {
  id: string;
  views: string[];
  windows: Record<string, { start: number; end: number }>;
  estimatedRows: number;
  estimatedSeconds: number | null;
  tasks: number;
}

/**
 * Checks the views exist and are online (FEATURE_VIEW_NOT_FOUND names the
 * available ones); without names, every online view of the registry.
 */
export function onlineViews(registry: CompiledRegistry, names?: readonly string[] | null): string[] {
  if (!names) return [...registry.views.values()].filter((v) => v.def.online).map((v) => v.def.name);
  if (names.length === 0) throw invalid("feature_views is empty", {});
  for (const name of names) {
    if (!registry.view(name).def.online)
      throw invalid(`Feature view '${name}' is not online (online: false): nothing to materialize`, {
        feature_view: name,
      });
  }
  return [...new Set(names)];
}

export async function startMaterialization(
  services: Services,
  registry: CompiledRegistry,
  windows: Record<string, { start: number; end: number }>,
  trigger: MaterializeSpec["trigger"],
): Promise<StartedJob> {
  const views = Object.keys(windows);
  const id = newJobId("materialize");
  const tasks: MaterializeTask[] = [];
  let estimatedRows = 0;
  for (const view of views) {
    const { start, end } = windows[view];
    if (!(start <= end)) throw invalid(`The window of '${view}' ends before it starts`, { feature_view: view });
    const source = offlineSourceOf(registry, view);
    const files = await services.offline.listFiles(registry.project, source, { minTs: start, maxTs: end });
    const layout = await services.offline.layout(registry.project, source);
    const buckets = layout && bucketsApply(layout, registry.view(view).joinKeys) ? layout.buckets : null;
    estimatedRows += files.reduce((n, f) => n + f.rows, 0);
    for (const plan of planBuckets(files, buckets)) {
      tasks.push({
        kind: "materialize",
        project: registry.project,
        job_id: id,
        task_id: plan.bucket === null ? `${view}-all` : `${view}-b${plan.bucket}`,
        view,
        bucket: plan.bucket,
        files: plan.files,
        start,
        end,
      });
    }
  }
  const spec: MaterializeSpec = { trigger, windows, feature_views: views };
  const lease = isoAfter(Date.now(), QUEUE_WAIT_MS);
  await createJob(services.db, {
    id,
    project: registry.project,
    kind: "materialize",
    spec,
    tasks: tasks.map((t) => ({ id: t.task_id, message: t, leaseUntil: lease })),
    estimatedRows,
  });
  if (tasks.length === 0) {
    // Nothing in the window: the job is done, and the interval still advances.
    await finishMaterialization(services.db, (await getJob(services.db, id))!, await getTasks(services.db, id));
  } else await sendTasks(services.queues.tasks, tasks);
  return {
    id,
    views,
    windows,
    estimatedRows,
    estimatedSeconds: estimateDurationSeconds(estimatedRows, await throughputHistory(services.db, registry.project)),
    tasks: tasks.length,
  };
}

/**
 * Windows for incremental materialization: from just after each view's
 * materialized end, or, for a view never materialized, from `end - ttl`
 * (all history when ttl is 0), up to `end`.
 */
export async function incrementalWindows(
  services: Services,
  registry: CompiledRegistry,
  views: readonly string[],
  end: number,
): Promise<Record<string, { start: number; end: number }>> {
  const ends = await services.registry.materializedEnds(registry.project);
  const windows: Record<string, { start: number; end: number }> = {};
  for (const name of views) {
    const previous = ends.get(name);
    const ttl = registry.view(name).def.ttl_seconds;
    const start = previous ? Date.parse(previous) + 1 : ttl > 0 ? end - ttl * 1000 : 0;
    windows[name] = { start: Math.min(start, end), end };
  }
  return windows;
}
