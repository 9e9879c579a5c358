/**
 * The MATERIALIZE queues' consumer: runs each task, records it done once
 * (`completeTask`), and lets the last shard of a job trigger the job's
 * finishing step. A task that throws is retried with backoff (its error noted
 * on the task); after its retries the dead-letter consumer ends the job
 * `failed` with the error recorded.
 */
import {
  completeTask,
  failTask,
  finishJob,
  getJob,
  getTasks,
  type Job,
  noteTaskError,
  startTask,
  type TaskResult,
} from "../db/jobs-store";
import { sendTasks, type TaskMessage } from "../queues/messages";
import { combineShards, type HistoricalSpec, runShard } from "./historical-jobs";
import { finishMaterialization } from "./materialize-finish";
import { runMaterializeTask } from "./materialize-tasks";
import type { Services } from "./services";

/** Backoff for a failed task's next try: 2, 4, 8… seconds, at most a minute. */
function retryDelaySeconds(attempts: number): number {
  return Math.min(60, 2 ** Math.max(1, attempts));
}

async function runTask(services: Services, job: Job, task: TaskMessage): Promise<TaskResult> {
  const registry = await services.registry.fresh(task.project);
  switch (task.kind) {
    case "historical-shard":
      return runShard(services, registry, job.spec as HistoricalSpec, task);
    case "historical-combine": {
      const { exportId, rows } = await combineShards(services, registry, job.spec as HistoricalSpec, task.job_id);
      return { rowsRead: 0, rowsWritten: 0, output: { export_id: exportId, rows } };
    }
    case "materialize":
    case "materialize-write":
      return runMaterializeTask(services, registry, task);
  }
}

/** What follows a task's first completion: the combine step, or the job's end. */
async function afterCompletion(services: Services, job: Job, task: TaskMessage, result: TaskResult): Promise<void> {
  if (task.kind === "historical-shard" && job.tasks_done === job.tasks_total - 1) {
    const combine = { kind: "historical-combine", project: task.project, job_id: task.job_id, task_id: "combine" };
    await sendTasks(services.queues.fanout, [combine as TaskMessage]);
  } else if (task.kind === "historical-combine") {
    await finishJob(services.db, job.id, result.output ?? {});
  } else if ((task.kind === "materialize" || task.kind === "materialize-write") && job.tasks_done === job.tasks_total) {
    await finishMaterialization(services.db, job, await getTasks(services.db, job.id));
  }
}

export async function consumeTasks(batch: MessageBatch<TaskMessage>, services: Services): Promise<void> {
  const { db } = services;
  for (const message of batch.messages) {
    const task = message.body;
    try {
      const job = await getJob(db, task.job_id);
      if (!job || job.status === "failed" || job.status === "completed") {
        message.ack(); // nothing left to do for this job
        continue;
      }
      await startTask(db, task.job_id, task.task_id);
      const result = await runTask(services, job, task);
      const { firstTime, job: after } = await completeTask(db, task.job_id, task.task_id, result);
      if (firstTime) await afterCompletion(services, after, task, result);
      message.ack();
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      console.error(`task ${task.job_id}/${task.task_id} failed (attempt ${message.attempts}): ${reason}`);
      await noteTaskError(db, task.job_id, task.task_id, reason).catch(() => undefined);
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
    }
  }
}

/** Tasks out of retries: their job ends failed, with the last error seen. */
export async function consumeDeadTasks(batch: MessageBatch<TaskMessage>, services: Services): Promise<void> {
  for (const message of batch.messages) {
    const task = message.body;
    const tasks = await getTasks(services.db, task.job_id);
    const lastError = tasks.find((t) => t.task_id === task.task_id)?.error ?? "the task ran out of retries";
    await failTask(services.db, task.job_id, task.task_id, `${lastError} (after ${message.attempts} attempt(s))`);
    message.ack();
  }
}
