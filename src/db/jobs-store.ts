/**
 * Jobs and their tasks in D1. A job's counters move only when a task is
 * completed for the first time (the task row's status guards the counter in
 * the same transaction), so a retried or redelivered task never counts twice.
 */
import { and, desc, eq, isNotNull } from "drizzle-orm";
import type { Database } from "./database";
import { jobs, jobTasks } from "./job-tables";

export type Job = typeof jobs.$inferSelect;
export type JobTask = typeof jobTasks.$inferSelect;
export type JobKind = "materialize" | "historical";

export function newJobId(kind: JobKind): string {
  return `${kind === "materialize" ? "mat" : "hist"}_${Date.now().toString(36)}${crypto.randomUUID().replaceAll("-", "").slice(0, 10)}`;
}

export async function createJob(
  db: Database,
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

export async function getJob(db: Database, id: string): Promise<Job | undefined> {
  const [row] = await db.select().from(jobs).where(eq(jobs.id, id));
  return row;
}

export async function getTasks(db: Database, jobId: string): Promise<JobTask[]> {
  return db.select().from(jobTasks).where(eq(jobTasks.job_id, jobId));
}

/** Marks a task's first attempt as started (job → in_progress) and counts the attempt. */
export async function startTask(db: Database, jobId: string, taskId: string): Promise<void> {
  const now = new Date().toISOString();
  await db.$client.batch([
    db.$client
      .prepare(
        "UPDATE jobs SET status = 'in_progress', started_at = COALESCE(started_at, ?) WHERE id = ? AND status = 'queued'",
      )
      .bind(now, jobId),
    db.$client
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

/** Notes a failed attempt (the task will be retried). */
export async function noteTaskError(db: Database, jobId: string, taskId: string, reason: string): Promise<void> {
  await db.$client
    .prepare("UPDATE job_tasks SET error = ?, updated_at = ? WHERE job_id = ? AND task_id = ?")
    .bind(reason, new Date().toISOString(), jobId, taskId)
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

/** Ends a job completed with `result`, unless it has left `fromStatus` (default in_progress) meanwhile. */
export async function finishJob(
  db: Database,
  jobId: string,
  result: Record<string, unknown>,
  fromStatus = "in_progress",
  now = new Date().toISOString(),
): Promise<void> {
  await db
    .update(jobs)
    .set({ status: "completed", result, completed_at: now })
    .where(and(eq(jobs.id, jobId), eq(jobs.status, fromStatus)));
}

/** A raw `jobs` row (from a prepared statement) in drizzle's shape. */
function parseJobRow(row: Record<string, unknown>): Job {
  const json = (v: unknown) => (typeof v === "string" ? JSON.parse(v) : v);
  return { ...(row as unknown as Job), spec: json(row.spec), result: json(row.result), errors: json(row.errors) ?? [] };
}

/** Adds tasks to a running job (a task that fans out); re-adding the same ids changes nothing. */
export async function addTasks(db: Database, jobId: string, taskIds: readonly string[]): Promise<void> {
  if (taskIds.length === 0) return;
  const now = new Date().toISOString();
  const statements = taskIds.map((id) =>
    db.$client
      .prepare(
        "INSERT OR IGNORE INTO job_tasks (job_id, task_id, status, attempts, rows_read, rows_written, updated_at) VALUES (?, ?, 'queued', 0, 0, 0, ?)",
      )
      .bind(jobId, id, now),
  );
  statements.push(
    db.$client
      .prepare("UPDATE jobs SET tasks_total = (SELECT COUNT(*) FROM job_tasks WHERE job_id = ?) WHERE id = ?")
      .bind(jobId, jobId),
  );
  await db.$client.batch(statements);
}

/** Rows read and seconds taken by the project's last completed materialization jobs (for estimates). */
export async function throughputHistory(db: Database, project: string): Promise<{ rows: number; seconds: number }[]> {
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

/** Fails queued or running jobs with no task progress for `stalledMs`; returns how many. */
export async function failStalledJobs(db: Database, now: number, stalledMs: number): Promise<number> {
  const cutoff = new Date(now - stalledMs).toISOString();
  const stalled = await db.$client
    .prepare(
      "SELECT j.id FROM jobs j WHERE j.status IN ('queued', 'in_progress') AND j.created_at < ?1 AND NOT EXISTS (SELECT 1 FROM job_tasks t WHERE t.job_id = j.id AND t.updated_at >= ?1)",
    )
    .bind(cutoff)
    .all<{ id: string }>();
  const reason = JSON.stringify({
    task: "job",
    reason: `no task progressed for ${stalledMs / 60_000} minutes; the job's queue messages were lost`,
  });
  for (const { id } of stalled.results) {
    await db.$client
      .prepare(
        "UPDATE jobs SET status = 'failed', completed_at = ?, errors = json_insert(errors, '$[#]', json(?)) WHERE id = ? AND status IN ('queued', 'in_progress')",
      )
      .bind(new Date(now).toISOString(), reason, id)
      .run();
  }
  return stalled.results.length;
}
