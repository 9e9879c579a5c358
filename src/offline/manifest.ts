/**
 * The file manifest in D1: every Parquet file of a batch source that reads
 * may open, with its row count, size and event-time range, so reads prune
 * files by time without listing or opening R2 objects.
 */
import { and, eq, gte, inArray, isNull, lte, or, sql } from "drizzle-orm";
import type { Database } from "../db/database";
import { offlineFiles, offlineSkippedFiles } from "../db/offline-tables";

export type ManifestFile = typeof offlineFiles.$inferSelect;
export type FileOrigin = "push" | "ingest" | "adopted" | "discovered" | "compaction";

/** Records files; a file already recorded (a retried write) is left as it is. */
export async function recordFiles(db: Database, files: readonly ManifestFile[]): Promise<void> {
  if (files.length === 0) return;
  // D1 caps bound parameters per statement: insert in slices.
  const slices: ManifestFile[][] = [];
  for (let i = 0; i < files.length; i += 8) slices.push(files.slice(i, i + 8));
  await db.batch(
    slices.map((slice) => db.insert(offlineFiles).values(slice).onConflictDoNothing()) as [never, ...never[]],
  );
}

/**
 * Files of a source whose event-time range overlaps [minTs, maxTs] (either
 * bound optional) and, given `buckets`, that hold rows of those buckets (a
 * file of every bucket always does), oldest first.
 */
export async function filesOverlapping(
  db: Database,
  project: string,
  source: string,
  minTs?: number,
  maxTs?: number,
  buckets?: readonly number[],
): Promise<ManifestFile[]> {
  const conditions = [eq(offlineFiles.project, project), eq(offlineFiles.source, source)];
  if (minTs !== undefined) conditions.push(gte(offlineFiles.max_event_ts, minTs));
  if (maxTs !== undefined) conditions.push(lte(offlineFiles.min_event_ts, maxTs));
  // Few buckets go into the query; many (D1 binds at most 100 parameters) are filtered here.
  const inQuery = buckets && buckets.length <= 50;
  if (buckets && inQuery) conditions.push(or(isNull(offlineFiles.bucket), inArray(offlineFiles.bucket, [...buckets]))!);
  const files = await db
    .select()
    .from(offlineFiles)
    .where(and(...conditions))
    .orderBy(offlineFiles.created_at, offlineFiles.path);
  if (!buckets || inQuery) return files;
  const wanted = new Set(buckets);
  return files.filter((f) => f.bucket === null || wanted.has(f.bucket));
}

export async function knownPaths(db: Database, project: string, paths: readonly string[]): Promise<Set<string>> {
  if (paths.length === 0) return new Set();
  const found = new Set<string>();
  for (let i = 0; i < paths.length; i += 50) {
    const rows = await db
      .select({ path: offlineFiles.path })
      .from(offlineFiles)
      .where(and(eq(offlineFiles.project, project), inArray(offlineFiles.path, paths.slice(i, i + 50))));
    for (const r of rows) found.add(r.path);
  }
  return found;
}

export async function removeFiles(db: Database, project: string, paths: readonly string[]): Promise<void> {
  for (let i = 0; i < paths.length; i += 50) {
    await db
      .delete(offlineFiles)
      .where(and(eq(offlineFiles.project, project), inArray(offlineFiles.path, paths.slice(i, i + 50))));
  }
}

/** Rows and files recorded for a source (what the offline store holds, as far as the manifest knows). */
export async function sourceTotals(
  db: Database,
  project: string,
  source: string,
): Promise<{ files: number; rows: number; bytes: number }> {
  const [row] = await db
    .select({
      files: sql<number>`count(*)`,
      rows: sql<number>`coalesce(sum(${offlineFiles.rows}), 0)`,
      bytes: sql<number>`coalesce(sum(${offlineFiles.bytes}), 0)`,
    })
    .from(offlineFiles)
    .where(and(eq(offlineFiles.project, project), eq(offlineFiles.source, source)));
  return row ?? { files: 0, rows: 0, bytes: 0 };
}

export type SkippedFile = typeof offlineSkippedFiles.$inferSelect;

/** Files discovery set aside, by path, with the size they had then. */
export async function skippedPaths(
  db: Database,
  project: string,
  paths: readonly string[],
): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  for (let i = 0; i < paths.length; i += 50) {
    const rows = await db
      .select({ path: offlineSkippedFiles.path, bytes: offlineSkippedFiles.bytes })
      .from(offlineSkippedFiles)
      .where(and(eq(offlineSkippedFiles.project, project), inArray(offlineSkippedFiles.path, paths.slice(i, i + 50))));
    for (const r of rows) found.set(r.path, r.bytes);
  }
  return found;
}

/** Records (or re-records) files discovery could not use. */
export async function recordSkipped(db: Database, files: readonly SkippedFile[]): Promise<void> {
  for (const file of files) {
    await db
      .insert(offlineSkippedFiles)
      .values(file)
      .onConflictDoUpdate({
        target: [offlineSkippedFiles.project, offlineSkippedFiles.path],
        set: { bytes: file.bytes, reason: file.reason, seen_at: file.seen_at, source: file.source },
      });
  }
}
