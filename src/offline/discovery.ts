/**
 * Discovery: Parquet files users dropped under a batch source's path are
 * found by listing it, checked from their footers, and adopted into the
 * bucketed layout (see `adoption.ts`), at most `rowBudget` rows per call, so
 * a call's memory and CPU stay bounded; a large file is adopted over several
 * calls (the cron's, or repeated scans), its rows readable slice by slice.
 *
 * A file that cannot be used (not Parquet, damaged, no timestamp column, no
 * rows, a value that does not fit its dtype) is set aside with its reason and
 * reported once; it is looked at again only when its size changes. A file
 * whose size changes after adoption is adopted anew, its earlier rows
 * removed. R2 failures stop the call (the next one goes on).
 */
import type { BucketLayout } from "../domain/bucketing";
import { LarderError } from "../domain/errors";
import type { SourceSchema } from "../domain/source-schema";
import type { Database } from "../db/database";
import { adoptedFiles, adoptionRecords, type AdoptionRecord, deleteAdoption, saveAdoption } from "./adoption-records";
import { adoptSlice, type UserFile } from "./adoption";
import { inBucketedLayout, sourceLocation } from "./layout";
import { knownPaths, type ManifestFile, recordSkipped, removeFiles, type SkippedFile, skippedPaths } from "./manifest";
import { parquetSummary } from "./parquet-metadata";
import { r2AsyncBuffer } from "./r2-buffer";

/** Rows one discovery call adopts at most. */
export const ADOPT_ROWS_PER_CALL = 300_000;

/** What one discovery did. */
export interface Discovery {
  /** Users' files this call adopted rows of (the file's own path, rows and time range). */
  found: ManifestFile[];
  /** Bucketed files the adopted rows became. */
  files: ManifestFile[];
  /** Files whose adoption goes on in later calls. */
  adopting: { path: string; rows: number; rows_done: number }[];
  unreadable: { path: string; reason: string }[];
}

export interface DiscoveryTarget {
  project: string;
  schema: SourceSchema;
  externalPrefixes: readonly string[];
  /** The layout adopted rows are written in (fixed on the source's first write). */
  layout: () => Promise<BucketLayout>;
}

async function listCandidates(bucket: R2Bucket, target: DiscoveryTarget): Promise<UserFile[]> {
  const { project, schema } = target;
  const location = sourceLocation(project, schema.source.path, target.externalPrefixes);
  const candidates: UserFile[] = [];
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix: location.key, cursor, limit: 1000 });
    for (const obj of page.objects) {
      // A source naming one file reads that object only, not others that merely start with its name.
      const wanted = location.kind === "file" ? obj.key === location.key : /\.parquet$/i.test(obj.key);
      if (wanted && !inBucketedLayout(project, schema.source.name, obj.key))
        candidates.push({ key: obj.key, size: obj.size, uploaded: obj.uploaded.getTime() });
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor && candidates.length < 10_000);
  return candidates;
}

/** Finds and adopts new files; see the module comment. */
export async function discoverFiles(
  bucket: R2Bucket,
  db: Database,
  target: DiscoveryTarget,
  maxFiles = 200,
  rowBudget = ADOPT_ROWS_PER_CALL,
): Promise<Discovery> {
  const { project, schema } = target;
  const candidates = await listCandidates(bucket, target);
  const keys = candidates.map((c) => c.key);
  const legacy = await knownPaths(db, project, keys); // read in place, from before adoption existed
  const records = await adoptionRecords(db, project, keys);
  const skipped = await skippedPaths(db, project, keys);
  const todo = candidates
    .filter((c) => {
      if (legacy.has(c.key) || skipped.get(c.key) === c.size) return false;
      const record = records.get(c.key);
      return !record || record.bytes !== c.size || record.rows_done < record.rows;
    })
    .slice(0, maxFiles);
  const outcome: Discovery = { found: [], files: [], adopting: [], unreadable: [] };
  const setAside: SkippedFile[] = [];
  const now = () => new Date().toISOString();
  const drop = async (record: AdoptionRecord | undefined, path: string) => {
    if (!record) return;
    const paths = adoptedFiles(record);
    await removeFiles(db, project, paths);
    for (let i = 0; i < paths.length; i += 1000) await bucket.delete(paths.slice(i, i + 1000));
    await deleteAdoption(db, project, path);
  };
  let budget = rowBudget;
  for (const file of todo) {
    if (budget <= 0) break;
    let record = records.get(file.key);
    const unusable = async (reason: string) => {
      await drop(record, file.key);
      setAside.push({ project, source: schema.source.name, path: file.key, bytes: file.size, reason, seen_at: now() });
    };
    if (!record || record.bytes !== file.size) {
      const checked = await examine(bucket, schema, file);
      if ("reason" in checked) {
        await unusable(checked.reason);
        continue;
      }
      await drop(record, file.key);
      record = {
        project,
        source: schema.source.name,
        path: file.key,
        bytes: file.size,
        rows: checked.rows,
        rows_done: 0,
        rows_skipped: 0,
        files: "[]",
        updated_at: now(),
      };
    }
    const target2 = { project, schema, layout: await target.layout() };
    const written: ManifestFile[] = [];
    try {
      while (record.rows_done < record.rows && budget > 0) {
        const slice = await adoptSlice(bucket, db, target2, file, record.rows_done);
        budget -= slice.rowsDone - record.rows_done;
        written.push(...slice.files);
        record = {
          ...record,
          rows: slice.rows,
          rows_done: slice.rowsDone,
          rows_skipped: record.rows_skipped + slice.rowsSkipped,
          files: JSON.stringify([...new Set([...adoptedFiles(record), ...slice.files.map((f) => f.path)])]),
          updated_at: now(),
        };
        await saveAdoption(db, record);
      }
    } catch (err) {
      if (!(err instanceof LarderError && err.code === "VALIDATION_ERROR")) throw err;
      await unusable(err.message);
      continue;
    }
    outcome.files.push(...written);
    outcome.found.push(foundFile(record, written));
    if (record.rows_done < record.rows)
      outcome.adopting.push({ path: file.key, rows: record.rows, rows_done: record.rows_done });
  }
  await recordSkipped(db, setAside);
  for (const s of setAside)
    console.warn(`discovery: ${project}/${schema.source.name}: set aside ${s.path}: ${s.reason}`);
  outcome.unreadable = setAside.map((s) => ({ path: s.path, reason: s.reason }));
  return outcome;
}

/** A user's file as responses show it: its own path, the rows read, the time range of what it became. */
function foundFile(record: AdoptionRecord, written: readonly ManifestFile[]): ManifestFile {
  return {
    project: record.project,
    source: record.source,
    path: record.path,
    rows: record.rows,
    bytes: record.bytes,
    min_event_ts: Math.min(...written.map((f) => f.min_event_ts)),
    max_event_ts: Math.max(...written.map((f) => f.max_event_ts)),
    timestamp_column: "",
    created_column: null,
    origin: "adopted",
    created_at: record.updated_at,
    bucket: null,
  };
}

/** The file's row count from its footer, or why it cannot be used. */
async function examine(
  bucket: R2Bucket,
  schema: SourceSchema,
  file: UserFile,
): Promise<{ rows: number } | { reason: string }> {
  const ts = schema.source.timestamp_field;
  let summary: Awaited<ReturnType<typeof parquetSummary>>;
  try {
    summary = await parquetSummary(r2AsyncBuffer(bucket, file.key, file.size), { name: file.key, timestampColumn: ts });
  } catch (err) {
    if (err instanceof LarderError && err.code === "VALIDATION_ERROR") return { reason: err.message };
    throw err;
  }
  if (summary.numRows === 0) return { reason: "it has no rows" };
  const names = new Set(summary.columns.map((c) => c.name));
  if (!names.has(ts)) return { reason: `it has no timestamp column '${ts}' (the source's timestamp_field)` };
  const missingKey = schema.joinKeys.find((k) => !names.has(k.name));
  if (missingKey) return { reason: `it has no join key column '${missingKey.name}'` };
  return { rows: summary.numRows };
}
