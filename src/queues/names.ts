/**
 * The queues Larder produces to and consumes, by name: the contract with
 * wrangler.toml (a unit test checks that it declares exactly these). The
 * queue handler dispatches on these names exactly; a batch from any other
 * queue is logged and retried, never acknowledged unseen.
 */
export const QUEUES = {
  /** Tasks that requests, the cron and the watchdog start. */
  tasks: "larder-materialize",
  /** Tasks that tasks start (a consumer never sends to the queue it consumes). */
  fanout: "larder-materialize-fanout",
  /** Pushed rows on their way to Parquet. */
  offlineWrites: "larder-offline-writes",
  /** Tasks of either task queue that ran out of retries. */
  tasksDeadLetter: "larder-materialize-dlq",
  /** Pushed rows that ran out of retries. */
  offlineWritesDeadLetter: "larder-offline-writes-dlq",
} as const;
