/**
 * Starting materialization jobs: resolve each view's window, plan scan tasks
 * from the file manifest, record the job, send its tasks. Also the
 * incremental form (from the end of each view's materialized interval) and
 * the estimate of a job's duration from earlier jobs' measured throughput.
 */
import { and, desc, eq, isNotNull } from "drizzle-orm";
import { invalid } from "../errors";
import type { CompiledRegistry } from "../domain/compiled-registry";
import { materializedEnds, type RegistryDb } from "../registry/d1-registry";
import { jobs } from "../registry/jobs-schema";
import { filesOverlapping } from "../offline/manifest";
import { offlineSourceOf } from "../offline/historical";
import { createJob, getJob, getTasks, newJobId } from "../jobs/jobs-store";
import { sendTasks, type MaterializeTask } from "../jobs/messages";
import { estimateDurationSeconds, groupFiles } from "./plan";
import { finishMaterialization, type MaterializeSpec } from "./run-task";

export interface MaterializeDeps {
  db: RegistryDb;
  queue: Queue;
}

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

async function throughputHistory(db: RegistryDb, project: string): Promise<{ rows: number; seconds: number }[]> {
  const done = await db
    .select({ rows: jobs.rows_read, started: jobs.started_at, completed: jobs.completed_at })
    .from(jobs)
    .where(
      and(
        eq(jobs.project, project),
        eq(jobs.kind, "materialize"),
        eq(jobs.status, "completed"),
        isNotNull(jobs.started_at),
      ),
    )
    .orderBy(desc(jobs.created_at))
    .limit(20);
  return done
    .filter((j) => j.completed && j.started && j.rows > 0)
    .map((j) => ({ rows: j.rows, seconds: (Date.parse(j.completed!) - Date.parse(j.started!)) / 1000 }))
    .filter((j) => j.seconds > 0);
}

export async function startMaterialization(
  deps: MaterializeDeps,
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
    const files = await filesOverlapping(deps.db, registry.project, offlineSourceOf(registry, view), start, end);
    estimatedRows += files.reduce((s, f) => s + f.rows, 0);
    groupFiles(files).forEach((group, i) => {
      tasks.push({
        kind: "materialize",
        project: registry.project,
        job_id: id,
        task_id: `${view}-${i}`,
        view,
        files: group,
        start,
        end,
      });
    });
  }
  const spec: MaterializeSpec = { trigger, windows, feature_views: views };
  await createJob(deps.db, {
    id,
    project: registry.project,
    kind: "materialize",
    spec,
    taskIds: tasks.map((t) => t.task_id),
    estimatedRows,
  });
  if (tasks.length === 0) {
    // Nothing in the window: the job is done, and the interval still advances.
    await finishMaterialization(deps.db, (await getJob(deps.db, id))!, await getTasks(deps.db, id));
  } else await sendTasks(deps.queue, tasks);
  return {
    id,
    views,
    windows,
    estimatedRows,
    estimatedSeconds: estimateDurationSeconds(estimatedRows, await throughputHistory(deps.db, registry.project)),
    tasks: tasks.length,
  };
}

/**
 * Windows for incremental materialization: from just after each view's
 * materialized end, or, for a view never materialized, from `end - ttl`
 * (all history when ttl is 0), up to `end`.
 */
export async function incrementalWindows(
  db: RegistryDb,
  registry: CompiledRegistry,
  views: readonly string[],
  end: number,
): Promise<Record<string, { start: number; end: number }>> {
  const ends = await materializedEnds(db, registry.project);
  const windows: Record<string, { start: number; end: number }> = {};
  for (const name of views) {
    const previous = ends.get(name);
    const ttl = registry.view(name).def.ttl_seconds;
    const start = previous ? Date.parse(previous) + 1 : ttl > 0 ? end - ttl * 1000 : 0;
    windows[name] = { start: Math.min(start, end), end };
  }
  return windows;
}
