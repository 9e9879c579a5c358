/**
 * Routes each queue's batches to its consumer. Queue names come from
 * wrangler.toml; a dead-letter queue is the main queue's name plus `-dlq`.
 */
import type { Bindings } from "./platform/bindings";
import type { TaskMessage } from "./queues/messages";
import type { OfflineWriteMessage } from "./queues/offline-writes";
import { parkDeadOfflineWrites } from "./services/dead-letters";
import { consumeOfflineWrites } from "./services/offline-writes";
import { servicesFor } from "./services/services";
import { consumeDeadTasks, consumeTasks } from "./services/tasks";

export async function routeQueueBatch(
  batch: MessageBatch<unknown>,
  env: Bindings,
  _ctx: ExecutionContext,
): Promise<void> {
  const name = batch.queue;
  const services = servicesFor(env);
  if (name.endsWith("offline-writes"))
    return consumeOfflineWrites(batch as MessageBatch<OfflineWriteMessage>, services);
  if (name.endsWith("offline-writes-dlq")) {
    return parkDeadOfflineWrites(batch as MessageBatch<OfflineWriteMessage>, services);
  }
  if (name.endsWith("materialize") || name.endsWith("materialize-fanout")) {
    return consumeTasks(batch as MessageBatch<TaskMessage>, services);
  }
  if (name.endsWith("materialize-dlq")) return consumeDeadTasks(batch as MessageBatch<TaskMessage>, services);
  console.warn(
    `queue ${name}: ${batch.messages.length} message(s) received; no consumer is built for it yet, acknowledging`,
  );
  batch.ackAll();
}
