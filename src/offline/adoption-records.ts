/** The adoption records of users' files (see `adoption.ts`), in D1. */
import { and, eq, inArray } from "drizzle-orm";
import type { Database } from "../db/database";
import { offlineAdoptedFiles } from "../db/offline-tables";

export type AdoptionRecord = typeof offlineAdoptedFiles.$inferSelect;

/** The records of `paths`, by path. */
export async function adoptionRecords(
  db: Database,
  project: string,
  paths: readonly string[],
): Promise<Map<string, AdoptionRecord>> {
  const found = new Map<string, AdoptionRecord>();
  for (let i = 0; i < paths.length; i += 50) {
    const rows = await db
      .select()
      .from(offlineAdoptedFiles)
      .where(and(eq(offlineAdoptedFiles.project, project), inArray(offlineAdoptedFiles.path, paths.slice(i, i + 50))));
    for (const r of rows) found.set(r.path, r);
  }
  return found;
}

/** Creates or replaces a record. */
export async function saveAdoption(db: Database, record: AdoptionRecord): Promise<void> {
  await db
    .insert(offlineAdoptedFiles)
    .values(record)
    .onConflictDoUpdate({
      target: [offlineAdoptedFiles.project, offlineAdoptedFiles.path],
      set: {
        source: record.source,
        bytes: record.bytes,
        rows: record.rows,
        rows_done: record.rows_done,
        rows_skipped: record.rows_skipped,
        files: record.files,
        updated_at: record.updated_at,
      },
    });
}

export async function deleteAdoption(db: Database, project: string, path: string): Promise<void> {
  await db
    .delete(offlineAdoptedFiles)
    .where(and(eq(offlineAdoptedFiles.project, project), eq(offlineAdoptedFiles.path, path)));
}

/** The bucketed files a record says its file became. */
export function adoptedFiles(record: AdoptionRecord): string[] {
  const files = JSON.parse(record.files) as unknown;
  return Array.isArray(files) ? files.filter((f): f is string => typeof f === "string") : [];
}
