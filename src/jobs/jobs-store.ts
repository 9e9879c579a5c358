/**
 * Jobs and their tasks in D1. A job's counters move only when a task is
 * completed for the first time (the task row's status guards the counter in
 * the same transaction), so a retried or redelivered task never counts twice.
 */
import { and, eq } from "drizzle-orm";
import type { RegistryDb } from "../registry/d1-registry";
import { jobs, jobTasks } from "../registry/jobs-schema";

export type Job = typeof jobs.$inferSelect;
export type JobTask = typeof jobTasks.$inferSelect;
export type JobKind = "materialize" | "historical";
export type JobStatus = "queued" | "in_progress" | "completed" | "failed";

export function newJobId(kind: JobKind): string {
  return `${kind === "materialize" ? "mat" : "hist"}_${Date.now().toString(36)}${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
}

export async function createJob(
  db: RegistryDb,
  job: {
    id: string;
    project: string;
    kind: JobKind;
    spec: Record<string, unknown>;
    taskIds: string[];
    estimatedRows?: number | null;
  },
): Promise<void> {
  const now = new Date().toISOString();
  const statements = [
    db.insert(jobs).values({
      id: job.id,
      project: job.project,
      kind: job.kind,
      status: job.taskIds.length === 0 ? "completed" : "queued",
      spec: job.spec,
      tasks_total: job.taskIds.length,
      estimated_rows: job.estimatedRows ?? null,
      errors: [],
      created_at: now,
      completed_at: job.taskIds.length === 0 ? now : null,
    }),
  ];
  for (let i = 0; i < job.taskIds.length; i += 10) {
    statements.push(
      db
        .insert(jobTasks)
        .values(
          job.taskIds
            .slice(i, i + 10)
            .map((task_id) => ({ job_id: job.id, task_id, status: "queued", updated_at: now })),
        ) as never,
    );
  }
  await db.batch(statements as [never, ...never[]]);
}

export async function getJob(db: RegistryDb, id: string): Promise<Job | undefined> {
  const [row] = await db.select().from(jobs).where(eq(jobs.id, id));
  return row;
}

export async function getTasks(db: RegistryDb, jobId: string): Promise<JobTask[]> {
  return db.select().from(jobTasks).where(eq(jobTasks.job_id, jobId));
}

/** Marks a task's first attempt as started (job → in_progress) and counts the attempt. */
export async function startTask(d1: D1Database, jobId: string, taskId: string): Promise<void> {
  const now = new Date().toISOString();
  await d1.batch([
    d1
      .prepare(
        "UPDATE jobs SET status = 'in_progress', started_at = COALESCE(started_at, ?) WHERE id = ? AND status = 'queued'",
      )
      .bind(now, jobId),
    d1
      .prepare("UPDATE job_tasks SET attempts = attempts + 1, updated_at = ? WHERE job_id = ? AND task_id = ?")
      .bind(now, jobId, taskId),
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
  d1: D1Database,
  jobId: string,
  taskId: string,
  result: TaskResult,
): Promise<{ firstTime: boolean; job: Job }> {
  const now = new Date().toISOString();
  const [bump] = await d1.batch([
    d1
      .prepare(
        "UPDATE jobs SET tasks_done = tasks_done + 1, rows_read = rows_read + ?, rows_written = rows_written + ? WHERE id = ? AND EXISTS (SELECT 1 FROM job_tasks WHERE job_id = ? AND task_id = ? AND status = 'queued')",
      )
      .bind(result.rowsRead, result.rowsWritten, jobId, jobId, taskId),
    d1
      .prepare(
        "UPDATE job_tasks SET status = 'done', rows_read = ?, rows_written = ?, output = ?, error = NULL, updated_at = ? WHERE job_id = ? AND task_id = ? AND status = 'queued'",
      )
      .bind(result.rowsRead, result.rowsWritten, JSON.stringify(result.output ?? {}), now, jobId, taskId),
  ]);
  const job = await d1.prepare("SELECT * FROM jobs WHERE id = ?").bind(jobId).first<Record<string, unknown>>();
  return { firstTime: (bump.meta.changes ?? 0) > 0, job: parseJobRow(job!) };
}

/** Notes a failed attempt (the task will be retried). */
export async function noteTaskError(d1: D1Database, jobId: string, taskId: string, reason: string): Promise<void> {
  await d1
    .prepare("UPDATE job_tasks SET error = ?, updated_at = ? WHERE job_id = ? AND task_id = ?")
    .bind(reason, new Date().toISOString(), jobId, taskId)
    .run();
}

/** A task out of retries: the task and its job end failed, the reason recorded once. */
export async function failTask(d1: D1Database, jobId: string, taskId: string, reason: string): Promise<void> {
  const now = new Date().toISOString();
  const error = JSON.stringify({ task: taskId, reason });
  await d1.batch([
    d1
      .prepare(
        "UPDATE jobs SET tasks_failed = tasks_failed + 1, status = 'failed', completed_at = COALESCE(completed_at, ?), errors = json_insert(errors, '$[#]', json(?)) WHERE id = ? AND EXISTS (SELECT 1 FROM job_tasks WHERE job_id = ? AND task_id = ? AND status = 'queued')",
      )
      .bind(now, error, jobId, jobId, taskId),
    d1
      .prepare(
        "UPDATE job_tasks SET status = 'failed', error = ?, updated_at = ? WHERE job_id = ? AND task_id = ? AND status = 'queued'",
      )
      .bind(reason, now, jobId, taskId),
  ]);
}

export async function finishJob(db: RegistryDb, jobId: string, result: Record<string, unknown>): Promise<void> {
  await db
    .update(jobs)
    .set({ status: "completed", result, completed_at: new Date().toISOString() })
    .where(and(eq(jobs.id, jobId), eq(jobs.status, "in_progress")));
}

/** A raw `jobs` row (from a prepared statement) in drizzle's shape. */
function parseJobRow(row: Record<string, unknown>): Job {
  const json = (v: unknown) => (typeof v === "string" ? JSON.parse(v) : v);
  return { ...(row as unknown as Job), spec: json(row.spec), result: json(row.result), errors: json(row.errors) ?? [] };
}

/** Adds tasks to a running job (a task that fans out); re-adding the same ids changes nothing. */
export async function addTasks(d1: D1Database, jobId: string, taskIds: readonly string[]): Promise<void> {
  if (taskIds.length === 0) return;
  const now = new Date().toISOString();
  const statements = taskIds.map((id) =>
    d1
      .prepare(
        "INSERT OR IGNORE INTO job_tasks (job_id, task_id, status, attempts, rows_read, rows_written, updated_at) VALUES (?, ?, 'queued', 0, 0, 0, ?)",
      )
      .bind(jobId, id, now),
  );
  statements.push(
    d1
      .prepare("UPDATE jobs SET tasks_total = (SELECT COUNT(*) FROM job_tasks WHERE job_id = ?) WHERE id = ?")
      .bind(jobId, jobId),
  );
  await d1.batch(statements);
}
