/**
 * Pushed rows on their way to the offline store: accepted rows are sent to
 * the OFFLINE_WRITES queue (a queue send is all the hot path may do), whose
 * consumer appends them as Parquet to the push source's batch source.
 */
import type { AcceptedRow } from "../domain/push-rows";

export interface PushedRow {
  keys: Record<string, unknown>;
  /** Epoch ms. */
  event_ts: number;
  created_ts: number | null;
  /** The row's write sequence and write id, as the online store got them. */
  seq: string;
  wid: number;
  /** Only the features the row carried. */
  features: Record<string, unknown>;
}

export interface OfflineWriteMessage {
  kind: "push";
  project: string;
  /** The batch source the rows are appended to. */
  source: string;
  push_id: string;
  rows: PushedRow[];
}

/** Queue messages may hold 128 KB; stay well under it. */
const MESSAGE_BUDGET_BYTES = 96 * 1024;

/** Splits the rows into messages that each fit a queue message. Pure. */
export function offlineMessages(
  project: string,
  source: string,
  pushId: string,
  rows: readonly AcceptedRow[],
): OfflineWriteMessage[] {
  const messages: OfflineWriteMessage[] = [];
  let current: PushedRow[] = [];
  let size = 0;
  for (const row of rows) {
    const offline: PushedRow = {
      keys: row.joinValues,
      event_ts: row.eventTs,
      created_ts: row.createdTs,
      seq: row.seq,
      wid: row.wid,
      features: row.features,
    };
    const rowSize = JSON.stringify(offline).length + 1;
    if (current.length > 0 && size + rowSize > MESSAGE_BUDGET_BYTES) {
      messages.push({ kind: "push", project, source, push_id: pushId, rows: current });
      current = [];
      size = 0;
    }
    current.push(offline);
    size += rowSize;
  }
  if (current.length > 0) messages.push({ kind: "push", project, source, push_id: pushId, rows: current });
  return messages;
}

/** Sends the messages; each send is one message so none can exceed a batch's size limit. */
export async function forwardOffline(queue: Queue, messages: readonly OfflineWriteMessage[]): Promise<void> {
  await Promise.all(messages.map((body) => queue.send(body, { contentType: "json" })));
}

/** Whether a queue message body is an offline write (a push's rows for one batch source). */
export function isOfflineWriteMessage(body: unknown): body is OfflineWriteMessage {
  if (!body || typeof body !== "object") return false;
  const m = body as Record<string, unknown>;
  return (
    m.kind === "push" &&
    typeof m.project === "string" &&
    typeof m.source === "string" &&
    typeof m.push_id === "string" &&
    Array.isArray(m.rows) &&
    m.rows.every((r) => r && typeof r === "object" && typeof (r as { event_ts?: unknown }).event_ts === "number")
  );
}
