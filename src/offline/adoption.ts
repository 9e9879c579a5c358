/**
 * Adoption of a user's Parquet file (dropped under a batch source's path, in
 * any layout) into the bucketed layout: it is read once, a slice of whole row
 * groups (about ADOPT_ROWS_PER_SLICE rows) per step, and each slice is
 * rewritten by bucket and month like an ingest. Reads only ever open the
 * bucketed files, so no task reads more than its bucket's share, and the
 * user's file is left as it is.
 *
 * - Versions: row r of the file gets the sequence `writeSequence(uploaded, r)`
 *   (`uploaded`: the object's upload time in R2) and the write id of a hash of
 *   its key, so a replayed step writes the same rows, and a file uploaded
 *   later wins full ties over an earlier one.
 * - Carried features: the feature columns the file has (a missing column is
 *   not carried, so it does not null out what other files gave).
 * - A row without a join key or event time is skipped and counted
 *   (`rows_skipped`); a value that does not fit its feature's dtype sets the
 *   whole file aside, its adopted rows removed (never a partial file).
 * - Steps are idempotent: a slice's files have names derived from the path,
 *   slice and part, so a retried step overwrites what it wrote before.
 */
import type { BucketLayout } from "../domain/bucketing";
import { identityBuilder } from "../domain/entity-key";
import { hash32 } from "../domain/hash";
import { CREATED_TIMESTAMP, EVENT_TIMESTAMP, WRITE_ID, WRITE_SEQUENCE } from "../domain/names";
import type { Dtype } from "../domain/dtypes";
import type { OfflineRow, SourceSchema } from "../domain/source-schema";
import { parseTimestamp } from "../domain/timestamps";
import { writeIdOf, writeSequence } from "../domain/write-version";
import type { Database } from "../db/database";
import { appendBucketed } from "./offline-append";
import type { ManifestFile } from "./manifest";
import { readParquetMetadata } from "./parquet-metadata";
import { readParquet } from "./parquet-read";
import { r2AsyncBuffer } from "./r2-buffer";

export const ADOPT_ROWS_PER_SLICE = 100_000;

export interface UserFile {
  key: string;
  size: number;
  /** Upload time in R2, epoch ms. */
  uploaded: number;
}

export interface SliceOutcome {
  /** Rows of the file read so far (after this slice), and in all. */
  rowsDone: number;
  rows: number;
  rowsSkipped: number;
  files: ManifestFile[];
}

/** The row groups from the one starting at row `rowsDone`, up to about ADOPT_ROWS_PER_SLICE rows. */
function sliceGroups(groupRows: readonly number[], rowsDone: number): { start: number; end: number; firstRow: number } {
  let row = 0;
  let start = 0;
  while (start < groupRows.length && row + groupRows[start] <= rowsDone) row += groupRows[start++];
  let end = start;
  let rows = 0;
  while (end < groupRows.length && (end === start || rows + groupRows[end] <= ADOPT_ROWS_PER_SLICE))
    rows += groupRows[end++];
  return { start, end, firstRow: row };
}

/** Adopts the next slice of `file` (from row `rowsDone`); VALIDATION_ERROR for a file that cannot be adopted. */
export async function adoptSlice(
  bucket: R2Bucket,
  db: Database,
  target: { project: string; schema: SourceSchema; layout: BucketLayout },
  file: UserFile,
  rowsDone: number,
): Promise<SliceOutcome> {
  const { schema } = target;
  const buffer = r2AsyncBuffer(bucket, file.key, file.size);
  const metadata = await readParquetMetadata(buffer, { name: file.key });
  const groupRows = metadata.row_groups.map((g) => Number(g.num_rows));
  const rows = groupRows.reduce((a, b) => a + b, 0);
  const slice = sliceGroups(groupRows, rowsDone);
  const names = new Set(metadata.schema.map((el) => el.name));
  const tsColumn = schema.source.timestamp_field;
  const createdColumn = schema.source.created_timestamp_column;
  const created = createdColumn && names.has(createdColumn) ? createdColumn : null;
  const features = schema.features.map((f) => f.name).filter((f) => names.has(f));
  const keyNames = schema.joinKeys.map((k) => k.name);
  const dtypes: Record<string, Dtype> = Object.fromEntries(schema.features.map((f) => [f.name, f.dtype]));
  for (const key of schema.joinKeys) if (key.type === "STRING") dtypes[key.name] = "string";
  const table = await readParquet(buffer, {
    name: file.key,
    metadata,
    columns: [...new Set([...keyNames, tsColumn, ...(created ? [created] : []), ...features])],
    dtypes,
    rowGroups: { start: slice.start, end: slice.end },
  });
  const cols = table.columns;
  const identity = identityBuilder(
    keyNames,
    Object.fromEntries(schema.joinKeys.map((k) => [k.name, k.type])),
    (k) => cols[k],
  );
  const writeId = writeIdOf(hash32(file.key));
  const out: OfflineRow[] = [];
  let skipped = 0;
  // Time columns of a time type read as epoch ms; text ones as the API reads text (RFC 3339).
  const instant = (v: unknown) => (typeof v === "number" ? v : typeof v === "string" ? parseTimestamp(v) : undefined);
  for (let i = 0; i < table.numRows; i++) {
    const ts = instant(cols[tsColumn][i]);
    if (typeof identity(i) !== "string" || ts === undefined || !Number.isFinite(ts)) {
      skipped++;
      continue;
    }
    const row: OfflineRow = {};
    for (const k of keyNames) row[k] = cols[k][i];
    row[EVENT_TIMESTAMP] = ts;
    row[CREATED_TIMESTAMP] = created ? (instant(cols[created][i]) ?? null) : null;
    row[WRITE_SEQUENCE] = writeSequence(file.uploaded, slice.firstRow + i);
    row[WRITE_ID] = writeId;
    for (const f of features) row[f] = cols[f][i] ?? null;
    out.push(row);
  }
  const tag = hash32(`${file.key}\u0000${file.size}`).toString(36);
  const files = await appendBucketed(bucket, db, target, out, "adopted", {
    fileId: (part) => `adopt-${tag}-${slice.firstRow}-${part.bucket}-${part.month}`,
  });
  const done = slice.firstRow + table.numRows;
  return { rowsDone: Math.max(done, rowsDone), rows, rowsSkipped: skipped, files };
}
