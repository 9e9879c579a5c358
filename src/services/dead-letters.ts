/**
 * The OFFLINE_WRITES dead-letter consumer: pushed rows that exhausted their
 * retries are parked in R2 (`dead-letter/offline-writes/<message id>.json`)
 * with the reason, never dropped; an operator can re-ingest them.
 */
import type { OfflineWriteMessage } from "../queues/offline-writes";
import type { Services } from "./services";

export async function parkDeadOfflineWrites(
  batch: MessageBatch<OfflineWriteMessage>,
  services: Services,
): Promise<void> {
  for (const message of batch.messages) {
    const record = {
      message_id: message.id,
      attempts: message.attempts,
      parked_at: new Date().toISOString(),
      body: message.body,
    };
    const key = await services.scratch.parkDeadLetter("offline-writes", message.id, record);
    const { rows, project, source } = message.body;
    console.error(`offline write ${message.id} (${rows.length} rows, ${project}/${source}) dead-lettered to ${key}`);
    message.ack();
  }
}
