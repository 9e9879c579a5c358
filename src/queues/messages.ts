/** Messages of the MATERIALIZE queue: one task of a job each. */

export interface HistoricalShardTask {
  kind: "historical-shard";
  project: string;
  job_id: string;
  task_id: string;
  /** The view group (an index into the job's spec) and the bucket whose files and entity rows it joins. */
  group: number;
  bucket: number;
  /** The slices (ascending) whose rows of that bucket it joins. */
  slices: number[];
}

/** Splits one slice (a run of whole row groups) of a Parquet entity_df into per-(group, bucket) key files. */
export interface HistoricalSplitTask {
  kind: "historical-split";
  project: string;
  job_id: string;
  task_id: string;
  slice: number;
}

export interface HistoricalCombineTask {
  kind: "historical-combine";
  project: string;
  job_id: string;
  task_id: string;
}

export interface MaterializeTask {
  kind: "materialize";
  project: string;
  job_id: string;
  task_id: string;
  view: string;
  /** The bucket this task reads (null: the whole source, for a view its layout does not apply to). */
  bucket: number | null;
  /** Manifest files (R2 keys) this task reads: the bucket's files in the window when the job started. */
  files: string[];
  /** Epoch ms, inclusive. */
  start: number;
  end: number;
}

/** Writes one chunk of the latest records a scan task found (parked in R2). */
export interface MaterializeWriteTask {
  kind: "materialize-write";
  project: string;
  job_id: string;
  task_id: string;
  view: string;
  /** R2 key of the chunk's records. */
  records: string;
}

export type TaskMessage =
  | HistoricalSplitTask
  | HistoricalShardTask
  | HistoricalCombineTask
  | MaterializeTask
  | MaterializeWriteTask;

/** Queues accept at most 100 messages per sendBatch. */
export async function sendTasks(queue: Queue, tasks: readonly TaskMessage[]): Promise<void> {
  for (let i = 0; i < tasks.length; i += 100) {
    await queue.sendBatch(tasks.slice(i, i + 100).map((body) => ({ body, contentType: "json" as const })));
  }
}

const TASK_KINDS = new Set([
  "historical-split",
  "historical-shard",
  "historical-combine",
  "materialize",
  "materialize-write",
]);

/** Whether a queue message body is a task this consumer knows (kind, ids and the fields its kind needs). */
export function isTaskMessage(body: unknown): body is TaskMessage {
  if (!body || typeof body !== "object") return false;
  const t = body as Record<string, unknown>;
  if (!TASK_KINDS.has(t.kind as string)) return false;
  if (typeof t.project !== "string" || typeof t.job_id !== "string" || typeof t.task_id !== "string") return false;
  switch (t.kind) {
    case "historical-shard":
      return (
        Number.isInteger(t.group) &&
        Number.isInteger(t.bucket) &&
        Array.isArray(t.slices) &&
        t.slices.every((s) => Number.isInteger(s))
      );
    case "historical-split":
      return Number.isInteger(t.slice);
    case "materialize":
      return (
        typeof t.view === "string" && Array.isArray(t.files) && typeof t.start === "number" && typeof t.end === "number"
      );
    case "materialize-write":
      return typeof t.view === "string" && typeof t.records === "string";
    default:
      return true;
  }
}
