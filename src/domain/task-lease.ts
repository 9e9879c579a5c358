/**
 * Task leases: how long a job's task may take before the watchdog takes its
 * queue message for lost and sends it again (tasks are idempotent, so a
 * second delivery of a live task only repeats work). Pure.
 *
 * A task's lease is LEASE_MULTIPLE times its expected duration once it has
 * started, and QUEUE_WAIT_MS (a backlog's worth) while it waits in the queue;
 * a failed attempt extends it by its retry delay. After MAX_RESENDS
 * re-sends the job fails, saying which task never finished.
 */
export type TaskKind =
  | "materialize"
  | "materialize-write"
  | "historical-split"
  | "historical-shard"
  | "historical-combine";

/** What one task of each kind is sized to take (see materialize-plan.ts and historical-jobs.ts). */
export const EXPECTED_TASK_MS: Record<TaskKind, number> = {
  materialize: 60_000,
  "materialize-write": 30_000,
  "historical-split": 30_000,
  "historical-shard": 60_000,
  "historical-combine": 120_000,
};
export const LEASE_MULTIPLE = 5;
/** How long a sent task may wait for a consumer before it counts as lost. */
export const QUEUE_WAIT_MS = 10 * 60_000;
export const MAX_RESENDS = 3;

/** The lease of a task that has just started running. */
export function runningLeaseMs(kind: TaskKind): number {
  return LEASE_MULTIPLE * EXPECTED_TASK_MS[kind];
}

export function isoAfter(now: number, ms: number): string {
  return new Date(now + ms).toISOString();
}
