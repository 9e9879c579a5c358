/**
 * The OFFLINE_WRITES consumer: pushed rows become Parquet files of the
 * push source's batch source (one file per bucket and UTC month per batch),
 * recorded in the manifest. Each row keeps the version it was given when it
 * was pushed (the online store has the same) and carries only the features
 * it was pushed with. A group that fails is retried with backoff and,
 * after its retries, dead-lettered; rows are never dropped. File names derive
 * from the message ids, so a retried batch overwrites its own earlier
 * attempt instead of adding a copy.
 */
import { sha256Hex } from "../domain/hash";
import { CREATED_TIMESTAMP, EVENT_TIMESTAMP, WRITE_ID, WRITE_SEQUENCE } from "../domain/names";
import { type OfflineRow, type SourceSchema, sourceSchema } from "../domain/source-schema";
import { parseTimestamp } from "../domain/timestamps";
import { sequenceText } from "../domain/write-version";
import { isOfflineWriteMessage, type OfflineWriteMessage } from "../queues/offline-writes";
import type { Services } from "./services";

/** Pushed rows as offline rows; unix_timestamp values become epoch ms (the API's numbers are seconds). */
function toOfflineRows(messages: readonly Message<OfflineWriteMessage>[], schema: SourceSchema): OfflineRow[] {
  const timestampFeatures = schema.features
    .filter((f) => f.dtype === "unix_timestamp" || f.dtype === "array<unix_timestamp>")
    .map((f) => f.name);
  const toMs = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(toMs) : v === null || v === undefined ? v : (parseTimestamp(v) ?? null);
  const rows: OfflineRow[] = [];
  for (const message of messages) {
    for (const row of message.body.rows) {
      const features = { ...row.features };
      for (const name of timestampFeatures) if (Object.hasOwn(features, name)) features[name] = toMs(features[name]);
      rows.push({
        ...row.keys,
        ...features,
        [EVENT_TIMESTAMP]: row.event_ts,
        [CREATED_TIMESTAMP]: row.created_ts,
        // Messages queued before versions existed have none: they sort first among full ties.
        [WRITE_SEQUENCE]: sequenceText(row.seq),
        [WRITE_ID]: Number.isInteger(row.wid) ? row.wid : 0,
      });
    }
  }
  return rows;
}

export async function consumeOfflineWrites(batch: MessageBatch<unknown>, services: Services): Promise<void> {
  const valid: Message<OfflineWriteMessage>[] = [];
  for (const message of batch.messages) {
    if (isOfflineWriteMessage(message.body)) valid.push(message as Message<OfflineWriteMessage>);
    else {
      // Retried, then dead-lettered and parked in R2: never acknowledged unseen.
      console.error(`offline writes: message ${message.id} is not an offline write; retrying`);
      message.retry();
    }
  }
  const groups = new Map<string, Message<OfflineWriteMessage>[]>();
  for (const message of valid) {
    const key = `${message.body.project}\u0000${message.body.source}`;
    (groups.get(key) ?? groups.set(key, []).get(key)!).push(message);
  }
  for (const messages of groups.values()) {
    const { project, source } = messages[0].body;
    try {
      // Read the registry fresh: a consumer runs rarely and must see the latest schema.
      const registry = await services.registry.fresh(project);
      const schema = sourceSchema(registry, source);
      const ids = messages.map((m) => m.id).sort();
      const batchId = await sha256Hex(ids.join(","), 10);
      await services.offline.appendRows(project, schema, toOfflineRows(messages, schema), "push", {
        fileId: (part) => `push-${batchId}-${part.bucket}-${part.month}`,
      });
      for (const m of messages) m.ack();
    } catch (err) {
      console.error(
        `offline write of ${messages.length} message(s) for ${project}/${source} failed (attempt ${messages[0].attempts}): ${(err as Error).message}`,
      );
      for (const m of messages) m.retry({ delaySeconds: Math.min(300, 10 * 2 ** (m.attempts - 1)) });
    }
  }
}
