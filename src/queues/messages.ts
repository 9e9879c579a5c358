/** Messages of the MATERIALIZE queue: one task of a job each. */

export interface HistoricalShardTask {
  kind: "historical-shard";
  project: string;
  job_id: string;
  task_id: string;
  shard: number;
  shards: number;
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
  /** Manifest files (R2 keys) this task reads. */
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

export type TaskMessage = HistoricalShardTask | HistoricalCombineTask | MaterializeTask | MaterializeWriteTask;

/** Queues accept at most 100 messages per sendBatch. */
export async function sendTasks(queue: Queue, tasks: readonly TaskMessage[]): Promise<void> {
  for (let i = 0; i < tasks.length; i += 100) {
    await queue.sendBatch(tasks.slice(i, i + 100).map((body) => ({ body, contentType: "json" as const })));
  }
}
