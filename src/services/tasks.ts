/**
 * The MATERIALIZE queues' consumer: runs each task, records it done once
 * (`completeTask`), and lets the last shard of a job trigger the job's
 * finishing step. A task that throws is retried with backoff (its error noted
 * on the task, its lease extended past the retry); after its retries the
 * dead-letter consumer ends the job `failed` with the error recorded. A
 * message that is not a task is logged and retried, so it reaches the
 * dead-letter queue rather than vanish. A split task that finds the user's
 * Parquet entity_df invalid (VALIDATION_ERROR) fails its job at once: a retry
 * would read the same rows.
 */
import { LarderError } from "../domain/errors";
import { isoAfter, QUEUE_WAIT_MS, runningLeaseMs } from "../domain/task-lease";
import { getJob, getTasks, type Job } from "../db/jobs-store";
import { completeTask, failTask, noteTaskError, startTask, type TaskResult } from "../db/task-store";
import { finishJob } from "../db/jobs-store";
import { isTaskMessage, type TaskMessage } from "../queues/messages";
import { combineShards } from "./historical-combine";
import { type HistoricalSpec, sendCombine } from "./historical-jobs";
import { afterSplits, runSplit } from "./historical-split";
import { runShard } from "./historical-shard";
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
    case "historical-split":
      return runSplit(services, registry, job, task);
    case "historical-shard":
      return runShard(services, registry, job.spec as HistoricalSpec, task);
    case "historical-combine":
      return combineShards(services, registry, job.spec as HistoricalSpec, task.job_id);
    case "materialize":
    case "materialize-write":
      return runMaterializeTask(services, registry, task);
  }
}

export { sendCombine };

/** What follows a job's last task: the combine step, or the job's end. */
async function afterTasks(services: Services, job: Job, task: { kind: string }, output?: Record<string, unknown>) {
  if (task.kind === "historical-split" && job.tasks_done === job.tasks_total - 1) {
    await afterSplits(services, job);
  } else if (task.kind === "historical-shard" && job.tasks_done === job.tasks_total - 1) {
    await sendCombine(services, job.project, job.id, Date.now());
  } else if (task.kind === "historical-combine") {
    await finishJob(services.db, job.id, output ?? {});
  } else if ((task.kind === "materialize" || task.kind === "materialize-write") && job.tasks_done === job.tasks_total) {
    await finishMaterialization(services.db, job, await getTasks(services.db, job.id));
  }
}

async function consumeOne(services: Services, message: Message<unknown>): Promise<void> {
  const { db } = services;
  const task = message.body;
  if (!isTaskMessage(task)) {
    console.error(`task queue: message ${message.id} is not a task (${JSON.stringify(task)?.slice(0, 200)}); retrying`);
    message.retry();
    return;
  }
  try {
    const job = await getJob(db, task.job_id);
    if (!job || job.status === "failed" || job.status === "completed") {
      message.ack(); // nothing left to do for this job
      return;
    }
    await startTask(db, task.job_id, task.task_id, isoAfter(Date.now(), runningLeaseMs(task.kind)));
    const result = await runTask(services, job, task);
    const { firstTime, job: after } = await completeTask(db, task.job_id, task.task_id, result);
    if (firstTime) await afterTasks(services, after, task, result.output);
    message.ack();
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    if (task.kind === "historical-split" && err instanceof LarderError && err.code === "VALIDATION_ERROR") {
      // The user's entity_df file is wrong (a bad timestamp or key type): a retry reads the same rows.
      await failTask(db, task.job_id, task.task_id, reason);
      message.ack();
      return;
    }
    const delay = retryDelaySeconds(message.attempts);
    console.error(`task ${task.job_id}/${task.task_id} failed (attempt ${message.attempts}): ${reason}`);
    const lease = isoAfter(Date.now(), delay * 1000 + QUEUE_WAIT_MS);
    try {
      await noteTaskError(db, task.job_id, task.task_id, reason, lease);
    } catch (noteErr) {
      // The retry below still counts the attempt; the task row only misses its last error.
      console.error(`task ${task.job_id}/${task.task_id}: recording the error failed too: ${String(noteErr)}`);
    }
    message.retry({ delaySeconds: delay });
  }
}

export async function consumeTasks(batch: MessageBatch<unknown>, services: Services): Promise<void> {
  for (const message of batch.messages) await consumeOne(services, message);
}

/** Tasks out of retries: their job ends failed, with the last error seen. Anything else is kept in R2. */
export async function consumeDeadTasks(batch: MessageBatch<unknown>, services: Services): Promise<void> {
  for (const message of batch.messages) {
    const task = message.body;
    if (!isTaskMessage(task)) {
      const record = {
        message_id: message.id,
        attempts: message.attempts,
        body: task,
        parked_at: new Date().toISOString(),
      };
      const key = await services.scratch.parkDeadLetter("tasks", message.id, record);
      console.error(`task dead-letter queue: message ${message.id} is not a task; parked at ${key}`);
      message.ack();
      continue;
    }
    const tasks = await getTasks(services.db, task.job_id);
    const lastError = tasks.find((t) => t.task_id === task.task_id)?.error ?? "the task ran out of retries";
    await failTask(services.db, task.job_id, task.task_id, `${lastError} (after ${message.attempts} attempt(s))`);
    message.ack();
  }
}
