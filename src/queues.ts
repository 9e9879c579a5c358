/**
 * Routes each queue's batches to its consumer. Queue names come from
 * wrangler.toml; a dead-letter queue is the main queue's name plus `-dlq`.
 */
import type { Bindings } from "./env";
import type { OfflineWriteMessage } from "./online/offline-forward";
import { consumeOfflineWrites } from "./offline/offline-writes-consumer";
import { parkDeadOfflineWrites } from "./offline/dead-letters";
import { consumeDeadTasks, consumeTasks } from "./jobs/task-consumer";
import type { TaskMessage } from "./jobs/messages";

export async function routeQueueBatch(
  batch: MessageBatch<unknown>,
  env: Bindings,
  _ctx: ExecutionContext,
): Promise<void> {
  const name = batch.queue;
  if (name.endsWith("offline-writes")) return consumeOfflineWrites(batch as MessageBatch<OfflineWriteMessage>, env);
  if (name.endsWith("offline-writes-dlq"))
    return parkDeadOfflineWrites(batch as MessageBatch<OfflineWriteMessage>, env.OFFLINE_STORE);
  if (name.endsWith("materialize") || name.endsWith("materialize-fanout"))
    return consumeTasks(batch as MessageBatch<TaskMessage>, env);
  if (name.endsWith("materialize-dlq")) return consumeDeadTasks(batch as MessageBatch<TaskMessage>, env);
  console.warn(
    `queue ${name}: ${batch.messages.length} message(s) received; no consumer is built for it yet, acknowledging`,
  );
  batch.ackAll();
}
