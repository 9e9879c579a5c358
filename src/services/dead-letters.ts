/**
 * The OFFLINE_WRITES dead-letter consumer: pushed rows that exhausted their
 * retries are parked in R2 (`dead-letter/offline-writes/<message id>.json`)
 * with the reason, never dropped; an operator can re-ingest them.
 */
import { isOfflineWriteMessage } from "../queues/offline-writes";
import type { Services } from "./services";

export async function parkDeadOfflineWrites(batch: MessageBatch<unknown>, services: Services): Promise<void> {
  for (const message of batch.messages) {
    const record = {
      message_id: message.id,
      attempts: message.attempts,
      parked_at: new Date().toISOString(),
      body: message.body,
    };
    const key = await services.scratch.parkDeadLetter("offline-writes", message.id, record);
    const body = message.body;
    const what = isOfflineWriteMessage(body)
      ? `${body.rows.length} rows, ${body.project}/${body.source}`
      : "not an offline write";
    console.error(`offline write ${message.id} (${what}) dead-lettered to ${key}`);
    message.ack();
  }
}
