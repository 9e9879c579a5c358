/**
 * Discovery: Parquet files users dropped under a batch source's prefix join
 * the manifest, with row counts and event-time ranges read from their
 * footers (one or two ranged reads each), so reads can prune them.
 */
import { LarderError } from "../domain/errors";
import type { SourceSchema } from "../domain/source-schema";
import type { Database } from "../db/database";
import { keyPartitionDate, sourceLocation } from "./layout";
import { knownPaths, type ManifestFile, recordFiles, recordSkipped, type SkippedFile, skippedPaths } from "./manifest";
import { parquetSummary } from "./parquet-metadata";
import { r2AsyncBuffer } from "./r2-buffer";

/** What one discovery did: the files it added, and the ones it set aside (each reported once). */
export interface Discovery {
  files: ManifestFile[];
  unreadable: { path: string; reason: string }[];
}

/**
 * Adds up to `maxFiles` Parquet files under the source's path that the
 * manifest does not know yet, read from their footers. A file that cannot be
 * used (not Parquet, damaged, no timestamp column, no rows) is set aside with
 * its reason and reported once; it is looked at again only when its size
 * changes. It never stops the others. R2 failures do (they are retried later).
 */
export async function discoverFiles(
  bucket: R2Bucket,
  db: Database,
  project: string,
  schema: SourceSchema,
  externalPrefixes: readonly string[],
  maxFiles = 200,
): Promise<Discovery> {
  const location = sourceLocation(project, schema.source.path, externalPrefixes);
  const candidates: { key: string; size: number }[] = [];
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix: location.key, cursor, limit: 1000 });
    for (const obj of page.objects) {
      // A source naming one file reads that object only, not others that merely start with its name.
      const wanted = location.kind === "file" ? obj.key === location.key : /\.parquet$/i.test(obj.key);
      if (wanted) candidates.push({ key: obj.key, size: obj.size });
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor && candidates.length < 10_000);
  const keys = candidates.map((c) => c.key);
  const known = await knownPaths(db, project, keys);
  const skipped = await skippedPaths(db, project, keys);
  const fresh = candidates.filter((c) => !known.has(c.key) && skipped.get(c.key) !== c.size).slice(0, maxFiles);
  const now = new Date().toISOString();
  const files: ManifestFile[] = [];
  const setAside: SkippedFile[] = [];
  for (const candidate of fresh) {
    const outcome = await examine(bucket, schema, candidate);
    if ("reason" in outcome) {
      setAside.push({
        project,
        source: schema.source.name,
        path: candidate.key,
        bytes: candidate.size,
        reason: outcome.reason,
        seen_at: now,
      });
      continue;
    }
    files.push({ ...outcome.file, project, source: schema.source.name, origin: "discovered", created_at: now });
  }
  await recordFiles(db, files);
  await recordSkipped(db, setAside);
  for (const s of setAside)
    console.warn(`discovery: ${project}/${schema.source.name}: set aside ${s.path}: ${s.reason}`);
  return { files, unreadable: setAside.map((s) => ({ path: s.path, reason: s.reason })) };
}

type Examined = { file: Omit<ManifestFile, "project" | "source" | "origin" | "created_at"> } | { reason: string };

/** What the manifest records of one file, from its footer; or why it cannot be used. */
async function examine(
  bucket: R2Bucket,
  schema: SourceSchema,
  candidate: { key: string; size: number },
): Promise<Examined> {
  const ts = schema.source.timestamp_field;
  let summary: Awaited<ReturnType<typeof parquetSummary>>;
  try {
    summary = await parquetSummary(r2AsyncBuffer(bucket, candidate.key, candidate.size), {
      name: candidate.key,
      timestampColumn: ts,
    });
  } catch (err) {
    if (err instanceof LarderError && err.code === "VALIDATION_ERROR") return { reason: err.message };
    throw err;
  }
  if (summary.numRows === 0) return { reason: "it has no rows" };
  const names = new Set(summary.columns.map((c) => c.name));
  if (!names.has(ts)) return { reason: `it has no timestamp column '${ts}' (the source's timestamp_field)` };
  // Without statistics, fall back to the partition date in the key, or to "any time".
  const date = keyPartitionDate(candidate.key);
  const dayStart = date ? Date.parse(`${date}T00:00:00Z`) : undefined;
  const createdName = schema.source.created_timestamp_column;
  return {
    file: {
      path: candidate.key,
      rows: summary.numRows,
      bytes: candidate.size,
      min_event_ts: summary.minTs ?? dayStart ?? Number.MIN_SAFE_INTEGER,
      max_event_ts: summary.maxTs ?? (dayStart !== undefined ? dayStart + 86_399_999 : Number.MAX_SAFE_INTEGER),
      timestamp_column: ts,
      created_column: createdName && names.has(createdName) ? createdName : null,
    },
  };
}
