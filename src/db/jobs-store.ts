/**
 * Jobs in D1: a job and its task rows are created together; the task
 * lifecycle (start, complete, fail, leases) is in task-store.ts.
 */
import { and, desc, eq, isNotNull } from "drizzle-orm";
import type { Database } from "./database";
import { jobs, jobTasks } from "./job-tables";

export type Job = typeof jobs.$inferSelect;
export type JobTask = typeof jobTasks.$inferSelect;
export type JobKind = "materialize" | "historical";

/** A task as a job records it: its id, the message that runs it, and its lease (null: not sent yet). */
export interface NewTask {
  id: string;
  message: object;
  leaseUntil: string | null;
}

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
    tasks: NewTask[];
    estimatedRows?: number | null;
  },
): Promise<void> {
  const now = new Date().toISOString();
  const taskIds = job.tasks.map((t) => t.id);
  const statements = [
    db.insert(jobs).values({
      id: job.id,
      project: job.project,
      kind: job.kind,
      status: taskIds.length === 0 ? "completed" : "queued",
      spec: job.spec,
      tasks_total: taskIds.length,
      estimated_rows: job.estimatedRows ?? null,
      errors: [],
      created_at: now,
      completed_at: taskIds.length === 0 ? now : null,
    }),
  ];
  for (let i = 0; i < job.tasks.length; i += 10) {
    const rows = job.tasks.slice(i, i + 10).map((t) => ({
      job_id: job.id,
      task_id: t.id,
      status: "queued",
      updated_at: now,
      message: t.message as Record<string, unknown>,
      lease_until: t.leaseUntil,
    }));
    statements.push(db.insert(jobTasks).values(rows) as never);
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

/** Ends a job completed with `result`, unless it has left `fromStatus` (default in_progress) meanwhile. */
export async function finishJob(
  db: Database,
  jobId: string,
  result: Record<string, unknown>,
  fromStatus = "in_progress",
  now = new Date().toISOString(),
  /** What went wrong without failing the job (rows skipped), kept in its errors. */
  errors: { task: string; reason: string }[] = [],
): Promise<void> {
  await db
    .update(jobs)
    .set({ status: "completed", result, completed_at: now, ...(errors.length > 0 ? { errors } : {}) })
    .where(and(eq(jobs.id, jobId), eq(jobs.status, fromStatus)));
}

/** A raw `jobs` row (from a prepared statement) in drizzle's shape. */
export function parseJobRow(row: Record<string, unknown>): Job {
  const json = (v: unknown) => (typeof v === "string" ? JSON.parse(v) : v);
  return { ...(row as unknown as Job), spec: json(row.spec), result: json(row.result), errors: json(row.errors) ?? [] };
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

/**
 * At most `limit` jobs of `project` (optionally of one kind and state),
 * newest first (ties by id, so pages are stable). Uses the jobs_by_project
 * index.
 */
export async function listProjectJobs(
  db: Database,
  project: string,
  filter: { kind?: JobKind; status?: string; limit: number },
): Promise<Job[]> {
  const conditions = [eq(jobs.project, project)];
  if (filter.kind) conditions.push(eq(jobs.kind, filter.kind));
  if (filter.status) conditions.push(eq(jobs.status, filter.status));
  return db
    .select()
    .from(jobs)
    .where(and(...conditions))
    .orderBy(desc(jobs.created_at), desc(jobs.id))
    .limit(filter.limit);
}

/** Ends a queued or running job failed, with `reason` recorded (no-op for a job that already ended). */
export async function failJob(db: Database, jobId: string, error: { task: string; reason: string }, now: string) {
  await db.$client
    .prepare(
      "UPDATE jobs SET status = 'failed', completed_at = ?, errors = json_insert(errors, '$[#]', json(?)) WHERE id = ? AND status IN ('queued', 'in_progress')",
    )
    .bind(now, JSON.stringify(error), jobId)
    .run();
}
