/**
 * Appending rows to a batch source in the bucketed layout: rows are split by
 * bucket and UTC month (one file per part, see `layout.ts`), each file
 * written to R2 and then recorded in the manifest (a file is never in the
 * manifest without its object); on failure, the objects written so far are
 * removed, so a later scan cannot mistake them for a user's files.
 */
import { type BucketLayout, bucketBuilder } from "../domain/bucketing";
import { invalid } from "../domain/errors";
import { CREATED_TIMESTAMP, EVENT_TIMESTAMP, WRITE_ID, WRITE_SEQUENCE } from "../domain/names";
import type { OfflineRow, SourceSchema } from "../domain/source-schema";
import { newWriteId, writeSequence } from "../domain/write-version";
import type { Database } from "../db/database";
import { bucketFileKey, newFileId, partitionMonth } from "./layout";
import { type FileOrigin, type ManifestFile, recordFiles } from "./manifest";
import { offlineColumns, writeParquet } from "./parquet-write";

const PARALLEL_PUTS = 6;

export interface AppendOptions {
  /** Deterministic file ids per part, so a retried write overwrites its own files; ULIDs by default. */
  fileId?: (part: { bucket: number; month: string }) => string;
  /**
   * For rows without a version: row i of `rows` gets `writeSequence(now, i)`
   * and `writeId` (by default: now, and a new random write id).
   */
  stamp?: { now: number; writeId: number };
}

/** Rows with a version each: as given when they have one, else stamped (copies; the input is not modified). */
function stamped(rows: readonly OfflineRow[], stamp: AppendOptions["stamp"]): readonly OfflineRow[] {
  if (rows.every((r) => r[WRITE_SEQUENCE] !== undefined && r[WRITE_ID] !== undefined)) return rows;
  stamp ??= { now: Date.now(), writeId: newWriteId() };
  return rows.map((row, i) =>
    row[WRITE_SEQUENCE] !== undefined && row[WRITE_ID] !== undefined
      ? row
      : { ...row, [WRITE_SEQUENCE]: writeSequence(stamp!.now, i), [WRITE_ID]: stamp!.writeId },
  );
}

/** Rows grouped by (bucket, month), in first-seen order; VALIDATION_ERROR for a row with no bucket. */
export function splitByPart(
  schema: SourceSchema,
  layout: BucketLayout,
  rows: readonly OfflineRow[],
): Map<string, { bucket: number; month: string; rows: OfflineRow[] }> {
  const types = Object.fromEntries(schema.joinKeys.map((k) => [k.name, k.type]));
  const columns = new Map<string, unknown[]>();
  const bucketOf = bucketBuilder(layout, types, (key) => {
    let col = columns.get(key);
    if (!col) {
      col = rows.map((r) => r[key]);
      columns.set(key, col);
    }
    return col;
  });
  const parts = new Map<string, { bucket: number; month: string; rows: OfflineRow[] }>();
  for (let i = 0; i < rows.length; i++) {
    const bucket = bucketOf(i);
    if (bucket < 0)
      throw invalid(`Row ${i} has a missing or ill-typed join key (${layout.keys.join(", ")})`, { row: i });
    const month = partitionMonth(rows[i][EVENT_TIMESTAMP] as number);
    const id = `${bucket}/${month}`;
    let part = parts.get(id);
    if (!part) {
      part = { bucket, month, rows: [] };
      parts.set(id, part);
    }
    part.rows.push(rows[i]);
  }
  return parts;
}

function eventRange(rows: readonly OfflineRow[]): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const row of rows) {
    const ts = row[EVENT_TIMESTAMP] as number;
    if (ts < min) min = ts;
    if (ts > max) max = ts;
  }
  return [min, max];
}

/** Writes and records the rows' files; returns the manifest entries. */
export async function appendBucketed(
  bucket: R2Bucket,
  db: Database,
  target: { project: string; schema: SourceSchema; layout: BucketLayout },
  rows: readonly OfflineRow[],
  origin: FileOrigin,
  options: AppendOptions = {},
): Promise<ManifestFile[]> {
  const { project, schema, layout } = target;
  const parts = splitByPart(schema, layout, stamped(rows, options.stamp));
  const columns = offlineColumns(schema.joinKeys, schema.features);
  const now = new Date().toISOString();
  const files: ManifestFile[] = [];
  const written: string[] = [];
  const writeOne = async (part: { bucket: number; month: string; rows: OfflineRow[] }) => {
    const metadata = {
      "larder.source": schema.source.name,
      "larder.origin": origin,
      "larder.bucket": `${part.bucket}`,
    };
    const bytes = writeParquet(columns, part.rows, { metadata });
    const id = options.fileId ? options.fileId(part) : newFileId();
    const path = bucketFileKey(project, schema.source.name, { ...part, buckets: layout.buckets }, id);
    written.push(path);
    await bucket.put(path, bytes, { httpMetadata: { contentType: "application/vnd.apache.parquet" } });
    const [min, max] = eventRange(part.rows);
    files.push({
      project,
      source: schema.source.name,
      path,
      rows: part.rows.length,
      bytes: bytes.byteLength,
      min_event_ts: min,
      max_event_ts: max,
      timestamp_column: EVENT_TIMESTAMP,
      created_column: CREATED_TIMESTAMP,
      origin,
      created_at: now,
      bucket: part.bucket,
    });
  };
  try {
    // A Worker keeps at most six connections open at once: write six parts at a time.
    const all = [...parts.values()];
    for (let i = 0; i < all.length; i += PARALLEL_PUTS)
      await Promise.all(all.slice(i, i + PARALLEL_PUTS).map(writeOne));
    await recordFiles(db, files);
  } catch (err) {
    await Promise.allSettled(written.map((path) => bucket.delete(path)));
    throw err;
  }
  return files;
}
