/**
 * The jobs watchdog: no job stays `in_progress` forever. It runs on every
 * cron run (all jobs) and whenever a job's status is read (that job).
 *
 * - A task still queued whose lease ran out (domain/task-lease.ts) has lost
 *   its message (a killed consumer, a dropped delivery): its stored message is
 *   sent again, up to MAX_RESENDS times; then the job fails, naming the task.
 * - A historical job whose shards are all done but whose combine step was
 *   never sent (the last shard's invocation died after recording itself) gets
 *   its combine step; one whose splits are all done but whose shards were
 *   never planned (the last split's invocation died) gets them.
 * - A job whose tasks are all done but which did not end (the finishing step
 *   died) is finished.
 * Tasks are idempotent and counted once, so a re-send of a live task only
 * repeats work.
 */
import { isoAfter, MAX_RESENDS, QUEUE_WAIT_MS } from "../domain/task-lease";
import { failJob, finishJob, getJob, getTasks } from "../db/jobs-store";
import { combinesDue, expiredTasks, leaseTask, unfinishedJobs } from "../db/task-store";
import { isTaskMessage, sendTasks } from "../queues/messages";
import { finishMaterialization } from "./materialize-finish";
import type { Services } from "./services";
import { sendCombine } from "./historical-jobs";
import { afterSplits } from "./historical-split";

export interface HealReport {
  resent: number;
  failed: number;
  finished: number;
}

/** Heals every job (or only `jobId`) as of `now`; returns what it did. */
export async function healJobs(services: Services, now: number, jobId?: string): Promise<HealReport> {
  const report: HealReport = { resent: 0, failed: 0, finished: 0 };
  const iso = new Date(now).toISOString();
  const failedJobs = new Set<string>();
  for (const task of await expiredTasks(services.db, iso, jobId)) {
    if (failedJobs.has(task.job_id)) continue;
    if (task.resends >= MAX_RESENDS || !isTaskMessage(task.message)) {
      const why = isTaskMessage(task.message)
        ? `was sent again ${task.resends} time(s) and never finished within its lease (its queue messages were lost, or it keeps being cut off)`
        : "has no message to send again";
      await failJob(services.db, task.job_id, { task: task.task_id, reason: `task ${task.task_id} ${why}` }, iso);
      failedJobs.add(task.job_id);
      report.failed++;
      continue;
    }
    console.warn(`watchdog: task ${task.job_id}/${task.task_id} outlived its lease; sending it again`);
    await sendTasks(services.queues.tasks, [task.message]);
    await leaseTask(services.db, task.job_id, task.task_id, isoAfter(now, QUEUE_WAIT_MS), true);
    report.resent++;
  }
  for (const job of await unfinishedJobs(services.db, jobId)) {
    // Every task done: the step after the last one did not happen; it is safe to repeat.
    if (job.kind === "materialize") await finishMaterialization(services.db, job, await getTasks(services.db, job.id));
    else {
      const combine = (await getTasks(services.db, job.id)).find((t) => t.task_id === "combine");
      await finishJob(services.db, job.id, combine?.output ?? {});
    }
    report.finished++;
  }
  for (const job of await combinesDue(services.db, jobId)) {
    // A Parquet entity_df's splits all done but no shard planned: that step (after the last split) was lost.
    const tasks = await getTasks(services.db, job.id);
    const row = await getJob(services.db, job.id);
    if (row && tasks.some((t) => t.task_id.startsWith("split-")) && !tasks.some((t) => t.task_id.startsWith("shard-")))
      await afterSplits(services, row);
    else await sendCombine(services, job.project, job.id, now);
    report.resent++;
  }
  return report;
}
