/**
 * What a historical job's status reports of its work, from what its tasks
 * measured and recorded on their task rows (`output`: files_read,
 * rows_scanned, started_ms, ended_ms; see historical-shard.ts): offline rows
 * decoded and files read, summed over done tasks, and per phase (`split`,
 * `shards`, `combine`) its wall time (first task start to last task end) and
 * summed task time. The JSON form's split runs in the start request: its
 * time is the spec's `split_ms` (no tasks). A phase with no done task yet
 * reports nulls.
 */
import type { JobTask } from "../db/jobs-store";

export interface PhaseTiming {
  tasks: number;
  wall_ms: number | null;
  task_ms: number | null;
}

export interface JobWork {
  rows_scanned: number;
  files_read: number;
  timings: { split: PhaseTiming; shards: PhaseTiming; combine: PhaseTiming };
}

type Phase = keyof JobWork["timings"];

function phaseOf(taskId: string): Phase {
  if (taskId === "combine") return "combine";
  return taskId.startsWith("split-") ? "split" : "shards";
}

const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);

export function jobWork(tasks: readonly JobTask[], spec: { split_ms?: unknown }): JobWork {
  let rowsScanned = 0;
  let filesRead = 0;
  const spans: Record<Phase, { tasks: number; first: number; last: number; sum: number }> = {
    split: { tasks: 0, first: Infinity, last: -Infinity, sum: 0 },
    shards: { tasks: 0, first: Infinity, last: -Infinity, sum: 0 },
    combine: { tasks: 0, first: Infinity, last: -Infinity, sum: 0 },
  };
  for (const task of tasks) {
    const out = task.output ?? {};
    const phase = spans[phaseOf(task.task_id)];
    phase.tasks++;
    if (task.status !== "done") continue;
    rowsScanned += num(out.rows_scanned);
    filesRead += num(out.files_read);
    const started = num(out.started_ms);
    const ended = num(out.ended_ms);
    if (started === 0 || ended === 0) continue;
    phase.first = Math.min(phase.first, started);
    phase.last = Math.max(phase.last, ended);
    phase.sum += ended - started;
  }
  const timing = (p: Phase): PhaseTiming => {
    const s = spans[p];
    const done = s.last >= s.first;
    return { tasks: s.tasks, wall_ms: done ? s.last - s.first : null, task_ms: done ? s.sum : null };
  };
  const split = timing("split");
  if (split.tasks === 0 && typeof spec.split_ms === "number") {
    split.wall_ms = spec.split_ms;
    split.task_ms = spec.split_ms;
  }
  return {
    rows_scanned: rowsScanned,
    files_read: filesRead,
    timings: { split, shards: timing("shards"), combine: timing("combine") },
  };
}
