/**
 * Routes each queue's batches to its consumer, by the exact queue names of
 * the contract (src/queues/names.ts, checked against wrangler.toml). A batch
 * from a queue with no consumer is logged and retried (so it ends in a
 * dead-letter queue, or visibly stuck), never acknowledged unseen.
 */
import type { Bindings } from "./platform/bindings";
import { QUEUES } from "./queues/names";
import { parkDeadOfflineWrites } from "./services/dead-letters";
import { consumeOfflineWrites } from "./services/offline-writes";
import { servicesFor } from "./services/services";
import { consumeDeadTasks, consumeTasks } from "./services/tasks";

export async function routeQueueBatch(
  batch: MessageBatch<unknown>,
  env: Bindings,
  _ctx: ExecutionContext,
): Promise<void> {
  const services = servicesFor(env);
  switch (batch.queue) {
    case QUEUES.offlineWrites:
      return consumeOfflineWrites(batch, services);
    case QUEUES.offlineWritesDeadLetter:
      return parkDeadOfflineWrites(batch, services);
    case QUEUES.tasks:
    case QUEUES.fanout:
      return consumeTasks(batch, services);
    case QUEUES.tasksDeadLetter:
      return consumeDeadTasks(batch, services);
    default:
      console.error(
        `queue '${batch.queue}': ${batch.messages.length} message(s) arrived, but Larder has no consumer for this queue (it knows ${Object.values(QUEUES).join(", ")}); retrying them`,
      );
      batch.retryAll();
  }
}
