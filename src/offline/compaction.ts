/**
 * Compaction (the cron's): merges a bucket's files into fewer, larger files
 * in the writer's order (UTC day, entity key, event time), keeping every
 * row, its version and what it carried, so no read's answer changes.
 *
 * What is merged (`planCompaction`, pure), per bucket and UTC month:
 * - a month that is over: all its files, once it has two or more, into files
 *   of at most COMPACT_ROWS_PER_FILE rows (the common case: one file per
 *   bucket and month);
 * - the current month: small files (under COMPACT_SMALL_FILE_BYTES) of one
 *   UTC day, once a day has COMPACT_MIN_SMALL_FILES of them, so the hourly
 *   incremental materialization still reads only the recent days.
 * One run merges at most COMPACT_MAX_ROWS_PER_RUN rows per source: a cron
 * invocation's memory and CPU stay bounded; the next run goes on.
 *
 * The new file is recorded before the old ones go: a crash in between leaves
 * duplicates of identical version (harmless to every read), which the next
 * merge of that bucket removes.
 */
import type { OfflineRow, SourceSchema } from "../domain/source-schema";
import { CREATED_TIMESTAMP, EVENT_TIMESTAMP, WRITE_ID, WRITE_SEQUENCE } from "../domain/names";
import { identityBuilder } from "../domain/entity-key";
import { partitionDate, partitionMonth } from "./layout";
import type { ManifestFile } from "./manifest";
import type { RowChunk } from "./offline-read";

export const COMPACT_SMALL_FILE_BYTES = 1024 * 1024;
export const COMPACT_MIN_SMALL_FILES = 4;
export const COMPACT_ROWS_PER_FILE = 100_000;
export const COMPACT_MAX_ROWS_PER_RUN = 400_000;

export interface CompactionGroup {
  bucket: number;
  /** `YYYY-MM` (a month that is over) or `YYYY-MM-DD` (a day of the current month). */
  period: string;
  files: ManifestFile[];
}

/** Splits files (oldest first) into runs of at most `maxRows` rows; runs of one file are dropped. */
function runsOf(files: readonly ManifestFile[], maxRows: number): ManifestFile[][] {
  const runs: ManifestFile[][] = [];
  let current: ManifestFile[] = [];
  let rows = 0;
  for (const file of files) {
    if (current.length > 0 && rows + file.rows > maxRows) {
      runs.push(current);
      current = [];
      rows = 0;
    }
    current.push(file);
    rows += file.rows;
  }
  if (current.length > 0) runs.push(current);
  return runs.filter((run) => run.length > 1);
}

/** What one compaction run merges; see the module comment. Pure. */
export function planCompaction(files: readonly ManifestFile[], now: number): CompactionGroup[] {
  const thisMonth = partitionMonth(now);
  const byPeriod = new Map<string, CompactionGroup>();
  for (const file of files) {
    if (file.bucket === null || file.origin === "discovered") continue;
    const month = partitionMonth(file.min_event_ts);
    const open = month >= thisMonth;
    if (open && file.bytes >= COMPACT_SMALL_FILE_BYTES) continue;
    const period = open ? partitionDate(file.min_event_ts) : month;
    const id = `${file.bucket}/${period}`;
    let group = byPeriod.get(id);
    if (!group) {
      group = { bucket: file.bucket, period, files: [] };
      byPeriod.set(id, group);
    }
    group.files.push(file);
  }
  const planned: CompactionGroup[] = [];
  let budget = COMPACT_MAX_ROWS_PER_RUN;
  const groups = [...byPeriod.values()].sort((a, b) =>
    a.period < b.period ? -1 : a.period > b.period ? 1 : a.bucket - b.bucket,
  );
  for (const group of groups) {
    const needed = group.period.length === 7 ? 2 : COMPACT_MIN_SMALL_FILES;
    if (group.files.length < needed) continue;
    for (const run of runsOf(group.files, COMPACT_ROWS_PER_FILE)) {
      const rows = run.reduce((n, f) => n + f.rows, 0);
      if (rows > budget) return planned;
      budget -= rows;
      planned.push({ bucket: group.bucket, period: group.period, files: run });
    }
  }
  return planned;
}

/**
 * The rows of read chunks as offline rows again: each keeps its version and
 * carries exactly the features it carried; rows of identical key and version
 * (copies a crash left) are kept once. Pure.
 */
export function rowsToRewrite(
  schema: SourceSchema,
  chunks: readonly RowChunk[],
  features: readonly string[],
): OfflineRow[] {
  const keyNames = schema.joinKeys.map((k) => k.name);
  const types = Object.fromEntries(schema.joinKeys.map((k) => [k.name, k.type]));
  const seen = new Set<string>();
  const rows: OfflineRow[] = [];
  for (const chunk of chunks) {
    const cols = chunk.columns;
    const identity = identityBuilder(keyNames, types, (k) => cols[k]);
    for (let i = 0; i < chunk.numRows; i++) {
      const id = `${String(identity(i))}\u0000${cols[EVENT_TIMESTAMP][i]}\u0000${cols[CREATED_TIMESTAMP][i]}\u0000${cols[WRITE_SEQUENCE][i]}\u0000${cols[WRITE_ID][i]}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const row: OfflineRow = {};
      for (const k of keyNames) row[k] = cols[k][i];
      row[EVENT_TIMESTAMP] = cols[EVENT_TIMESTAMP][i];
      row[CREATED_TIMESTAMP] = cols[CREATED_TIMESTAMP][i];
      row[WRITE_SEQUENCE] = cols[WRITE_SEQUENCE][i];
      row[WRITE_ID] = cols[WRITE_ID][i];
      for (const f of features) if (!chunk.carries[f] || chunk.carries[f][i]) row[f] = cols[f][i];
      rows.push(row);
    }
  }
  return rows;
}
