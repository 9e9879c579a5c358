/**
 * The lifecycle of a job's tasks in D1. A job's counters move only when a
 * task is completed for the first time (the task row's status guards the
 * counter in the same transaction), so a retried, redelivered or re-sent
 * task never counts twice. Each task row keeps its queue message and a lease
 * (see domain/task-lease.ts), which the watchdog uses to re-send lost ones.
 */
import type { Database } from "./database";
import { type Job, type JobTask, type NewTask, parseJobRow } from "./jobs-store";

/** Marks an attempt of a task as started (job → in_progress), counts it and renews its lease. */
export async function startTask(db: Database, jobId: string, taskId: string, leaseUntil: string): Promise<void> {
  const now = new Date().toISOString();
  await db.$client.batch([
    db.$client
      .prepare(
        "UPDATE jobs SET status = 'in_progress', started_at = COALESCE(started_at, ?) WHERE id = ? AND status = 'queued'",
      )
      .bind(now, jobId),
    db.$client
      .prepare(
        "UPDATE job_tasks SET attempts = attempts + 1, updated_at = ?, lease_until = ? WHERE job_id = ? AND task_id = ?",
      )
      .bind(now, leaseUntil, jobId, taskId),
  ]);
}

export interface TaskResult {
  rowsRead: number;
  rowsWritten: number;
  output?: Record<string, unknown>;
}

/**
 * Records a task as done. Returns whether this call completed it (false for
 * a redelivery of a done task) and the job's counters afterwards.
 */
export async function completeTask(
  db: Database,
  jobId: string,
  taskId: string,
  result: TaskResult,
): Promise<{ firstTime: boolean; job: Job }> {
  const now = new Date().toISOString();
  const [bump] = await db.$client.batch([
    db.$client
      .prepare(
        "UPDATE jobs SET tasks_done = tasks_done + 1, rows_read = rows_read + ?, rows_written = rows_written + ? WHERE id = ? AND EXISTS (SELECT 1 FROM job_tasks WHERE job_id = ? AND task_id = ? AND status = 'queued')",
      )
      .bind(result.rowsRead, result.rowsWritten, jobId, jobId, taskId),
    db.$client
      .prepare(
        "UPDATE job_tasks SET status = 'done', rows_read = ?, rows_written = ?, output = ?, error = NULL, updated_at = ? WHERE job_id = ? AND task_id = ? AND status = 'queued'",
      )
      .bind(result.rowsRead, result.rowsWritten, JSON.stringify(result.output ?? {}), now, jobId, taskId),
  ]);
  const job = await db.$client.prepare("SELECT * FROM jobs WHERE id = ?").bind(jobId).first<Record<string, unknown>>();
  return { firstTime: (bump.meta.changes ?? 0) > 0, job: parseJobRow(job!) };
}

/** Notes a failed attempt (the task will be retried after its delay, which its lease now covers). */
export async function noteTaskError(
  db: Database,
  jobId: string,
  taskId: string,
  reason: string,
  leaseUntil: string,
): Promise<void> {
  await db.$client
    .prepare("UPDATE job_tasks SET error = ?, updated_at = ?, lease_until = ? WHERE job_id = ? AND task_id = ?")
    .bind(reason, new Date().toISOString(), leaseUntil, jobId, taskId)
    .run();
}

/** A task out of retries: the task and its job end failed, the reason recorded once. */
export async function failTask(db: Database, jobId: string, taskId: string, reason: string): Promise<void> {
  const now = new Date().toISOString();
  const error = JSON.stringify({ task: taskId, reason });
  await db.$client.batch([
    db.$client
      .prepare(
        "UPDATE jobs SET tasks_failed = tasks_failed + 1, status = 'failed', completed_at = COALESCE(completed_at, ?), errors = json_insert(errors, '$[#]', json(?)) WHERE id = ? AND EXISTS (SELECT 1 FROM job_tasks WHERE job_id = ? AND task_id = ? AND status = 'queued')",
      )
      .bind(now, error, jobId, jobId, taskId),
    db.$client
      .prepare(
        "UPDATE job_tasks SET status = 'failed', error = ?, updated_at = ? WHERE job_id = ? AND task_id = ? AND status = 'queued'",
      )
      .bind(reason, now, jobId, taskId),
  ]);
}

/** Adds tasks to a running job (a task that fans out); re-adding the same ids changes nothing. */
export async function addTasks(db: Database, jobId: string, tasks: readonly NewTask[]): Promise<void> {
  if (tasks.length === 0) return;
  const now = new Date().toISOString();
  const statements = tasks.map((t) =>
    db.$client
      .prepare(
        "INSERT OR IGNORE INTO job_tasks (job_id, task_id, status, attempts, rows_read, rows_written, updated_at, message, lease_until, resends) VALUES (?, ?, 'queued', 0, 0, 0, ?, ?, ?, 0)",
      )
      .bind(jobId, t.id, now, JSON.stringify(t.message), t.leaseUntil),
  );
  statements.push(
    db.$client
      .prepare("UPDATE jobs SET tasks_total = (SELECT COUNT(*) FROM job_tasks WHERE job_id = ?) WHERE id = ?")
      .bind(jobId, jobId),
  );
  await db.$client.batch(statements);
}

/** Tasks still queued, of jobs still queued or running, whose lease ran out before `now` (of one job, or all). */
export async function expiredTasks(db: Database, now: string, jobId?: string): Promise<JobTask[]> {
  const sql =
    "SELECT t.* FROM job_tasks t JOIN jobs j ON j.id = t.job_id WHERE j.status IN ('queued', 'in_progress') AND t.status = 'queued' AND t.lease_until IS NOT NULL AND t.lease_until < ?1" +
    (jobId ? " AND t.job_id = ?2" : "") +
    " LIMIT 500";
  const bound = jobId ? db.$client.prepare(sql).bind(now, jobId) : db.$client.prepare(sql).bind(now);
  const rows = (await bound.all<Record<string, unknown>>()).results;
  return rows.map((r) => ({
    ...(r as unknown as JobTask),
    message: typeof r.message === "string" ? JSON.parse(r.message) : null,
  }));
}

/** Records a re-send of a task's message (or its first send, for one waiting on others) with its new lease. */
export async function leaseTask(db: Database, jobId: string, taskId: string, leaseUntil: string, resent: boolean) {
  await db.$client
    .prepare(
      "UPDATE job_tasks SET lease_until = ?, resends = resends + ?, updated_at = ? WHERE job_id = ? AND task_id = ?",
    )
    .bind(leaseUntil, resent ? 1 : 0, new Date().toISOString(), jobId, taskId)
    .run();
}

/** Jobs still running whose every task is done (a finishing step that did not happen). */
export async function unfinishedJobs(db: Database, jobId?: string): Promise<Job[]> {
  const sql =
    "SELECT * FROM jobs WHERE status IN ('queued', 'in_progress') AND tasks_total > 0 AND tasks_done = tasks_total" +
    (jobId ? " AND id = ?1" : "") +
    " LIMIT 100";
  const bound = jobId ? db.$client.prepare(sql).bind(jobId) : db.$client.prepare(sql);
  return (await bound.all<Record<string, unknown>>()).results.map(parseJobRow);
}

/** Historical jobs whose shards are all done while their combine step was never sent (of one job, or all). */
export async function combinesDue(db: Database, jobId?: string): Promise<{ id: string; project: string }[]> {
  const sql =
    "SELECT j.id, j.project FROM jobs j JOIN job_tasks t ON t.job_id = j.id AND t.task_id = 'combine' WHERE j.kind = 'historical' AND j.status IN ('queued', 'in_progress') AND j.tasks_done = j.tasks_total - 1 AND t.status = 'queued' AND t.lease_until IS NULL" +
    (jobId ? " AND j.id = ?1" : "") +
    " LIMIT 100";
  const bound = jobId ? db.$client.prepare(sql).bind(jobId) : db.$client.prepare(sql);
  return (await bound.all<{ id: string; project: string }>()).results;
}
