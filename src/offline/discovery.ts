/**
 * Discovery: Parquet files users dropped under a batch source's prefix join
 * the manifest, with row counts and event-time ranges read from their
 * footers (one or two ranged reads each), so reads can prune them.
 */
import { LarderError } from "../domain/errors";
import type { SourceSchema } from "../domain/source-schema";
import type { Database } from "../db/database";
import { keyPartitionDate, sourceLocation } from "./layout";
import { knownPaths, recordFiles, type ManifestFile } from "./manifest";
import { parquetSummary } from "./parquet-metadata";
import { r2AsyncBuffer } from "./r2-buffer";

/** Adds Parquet files under the source's prefix that the manifest does not know yet. Returns them. */
export async function discoverFiles(
  bucket: R2Bucket,
  db: Database,
  project: string,
  schema: SourceSchema,
  externalPrefixes: readonly string[],
  maxFiles = 200,
): Promise<ManifestFile[]> {
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
  const known = await knownPaths(
    db,
    project,
    candidates.map((c) => c.key),
  );
  const fresh = candidates.filter((c) => !known.has(c.key)).slice(0, maxFiles);
  const now = new Date().toISOString();
  const files: ManifestFile[] = [];
  for (const candidate of fresh) {
    const summary = await parquetSummary(r2AsyncBuffer(bucket, candidate.key, candidate.size), {
      name: candidate.key,
      timestampColumn: schema.source.timestamp_field,
    });
    if (summary.numRows === 0) continue;
    const names = new Set(summary.columns.map((c) => c.name));
    if (!names.has(schema.source.timestamp_field)) {
      throw new LarderError(
        "VALIDATION_ERROR",
        `Offline file '${candidate.key}' has no timestamp column '${schema.source.timestamp_field}'`,
        { file: candidate.key },
      );
    }
    // Without statistics, fall back to the partition date in the key, or to "any time".
    const date = keyPartitionDate(candidate.key);
    const dayStart = date ? Date.parse(`${date}T00:00:00Z`) : undefined;
    const created =
      schema.source.created_timestamp_column && names.has(schema.source.created_timestamp_column)
        ? schema.source.created_timestamp_column
        : null;
    files.push({
      project,
      source: schema.source.name,
      path: candidate.key,
      rows: summary.numRows,
      bytes: candidate.size,
      min_event_ts: summary.minTs ?? dayStart ?? Number.MIN_SAFE_INTEGER,
      max_event_ts: summary.maxTs ?? (dayStart !== undefined ? dayStart + 86_399_999 : Number.MAX_SAFE_INTEGER),
      timestamp_column: schema.source.timestamp_field,
      created_column: created,
      origin: "discovered",
      created_at: now,
    });
  }
  await recordFiles(db, files);
  return files;
}
