/**
 * The OFFLINE_WRITES dead-letter consumer: pushed rows that exhausted their
 * retries are parked in R2 (`dead-letter/offline-writes/<message id>.json`)
 * with the reason, never dropped; an operator can re-ingest them.
 */
import type { OfflineWriteMessage } from "../online/offline-forward";

export const DEAD_LETTER_PREFIX = "dead-letter/offline-writes/";

export async function parkDeadOfflineWrites(batch: MessageBatch<OfflineWriteMessage>, bucket: R2Bucket): Promise<void> {
  for (const message of batch.messages) {
    const key = `${DEAD_LETTER_PREFIX}${message.id}.json`;
    await bucket.put(
      key,
      JSON.stringify({
        message_id: message.id,
        attempts: message.attempts,
        parked_at: new Date().toISOString(),
        body: message.body,
      }),
      {
        httpMetadata: { contentType: "application/json" },
      },
    );
    console.error(
      `offline write ${message.id} (${message.body.rows.length} rows, ${message.body.project}/${message.body.source}) dead-lettered to ${key}`,
    );
    message.ack();
  }
}
