/**
 * The MATERIALIZE queue consumer: runs each task, records it done once
 * (`completeTask`), and lets the last shard of a job trigger the job's
 * finishing step. A task that throws is retried with backoff (its error noted
 * on the task); after its retries the dead-letter consumer ends the job
 * `failed` with the error recorded.
 */
import type { Bindings } from "../env";
import { registryDb } from "../registry/d1-registry";
import { currentRegistry } from "../registry/snapshot";
import { combineShards, runShard, type HistoricalSpec } from "../offline/historical-jobs";
import { runMaterializeTask, finishMaterialization } from "../materialize/run-task";
import {
  completeTask,
  failTask,
  finishJob,
  getJob,
  getTasks,
  noteTaskError,
  startTask,
  type Job,
  type TaskResult,
} from "./jobs-store";
import { sendTasks, type TaskMessage } from "./messages";

/** Backoff for a failed task's next try: 2, 4, 8… seconds, at most a minute. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(60, 2 ** Math.max(1, attempts));
}

async function runTask(env: Bindings, job: Job, task: TaskMessage): Promise<TaskResult> {
  const deps = { bucket: env.OFFLINE_STORE, db: registryDb(env.DB) };
  const registry = await currentRegistry(env.REGISTRY_CACHE, task.project, 0);
  switch (task.kind) {
    case "historical-shard":
      return runShard(deps, registry, job.spec as HistoricalSpec, task);
    case "historical-combine": {
      const { exportId, rows } = await combineShards(deps, registry, job.spec as HistoricalSpec, task.job_id);
      return { rowsRead: 0, rowsWritten: 0, output: { export_id: exportId, rows } };
    }
    case "materialize":
    case "materialize-write":
      return runMaterializeTask(
        { ...deps, kv: env.ONLINE_STORE, queue: env.MATERIALIZE_FANOUT, d1: env.DB },
        registry,
        task,
      );
  }
}

/** What follows a task's first completion: the combine step, or the job's end. */
async function afterCompletion(env: Bindings, job: Job, task: TaskMessage, result: TaskResult): Promise<void> {
  const db = registryDb(env.DB);
  if (task.kind === "historical-shard" && job.tasks_done === job.tasks_total - 1) {
    await sendTasks(env.MATERIALIZE_FANOUT, [
      { kind: "historical-combine", project: task.project, job_id: task.job_id, task_id: "combine" },
    ]);
  } else if (task.kind === "historical-combine") {
    await finishJob(db, job.id, result.output ?? {});
  } else if ((task.kind === "materialize" || task.kind === "materialize-write") && job.tasks_done === job.tasks_total) {
    await finishMaterialization(db, job, await getTasks(db, job.id));
  }
}

export async function consumeTasks(batch: MessageBatch<TaskMessage>, env: Bindings): Promise<void> {
  const db = registryDb(env.DB);
  for (const message of batch.messages) {
    const task = message.body;
    try {
      const job = await getJob(db, task.job_id);
      if (!job || job.status === "failed" || job.status === "completed") {
        message.ack(); // nothing left to do for this job
        continue;
      }
      await startTask(env.DB, task.job_id, task.task_id);
      const result = await runTask(env, job, task);
      const { firstTime, job: after } = await completeTask(env.DB, task.job_id, task.task_id, result);
      if (firstTime) await afterCompletion(env, after, task, result);
      message.ack();
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      console.error(`task ${task.job_id}/${task.task_id} failed (attempt ${message.attempts}): ${reason}`);
      await noteTaskError(env.DB, task.job_id, task.task_id, reason).catch(() => undefined);
      message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
    }
  }
}

/** Tasks out of retries: their job ends failed, with the last error seen. */
export async function consumeDeadTasks(batch: MessageBatch<TaskMessage>, env: Bindings): Promise<void> {
  const db = registryDb(env.DB);
  for (const message of batch.messages) {
    const task = message.body;
    const tasks = await getTasks(db, task.job_id);
    const lastError = tasks.find((t) => t.task_id === task.task_id)?.error ?? "the task ran out of retries";
    await failTask(env.DB, task.job_id, task.task_id, `${lastError} (after ${message.attempts} attempt(s))`);
    message.ack();
  }
}
