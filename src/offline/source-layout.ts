/**
 * The bucket layout of each batch source, recorded in D1 when the source is
 * first written (see `domain/bucketing.ts`): its bucket count and keys never
 * change afterwards, so a row's bucket is stable for the life of its files.
 */
import { and, eq } from "drizzle-orm";
import type { BucketLayout } from "../domain/bucketing";
import type { SourceSchema } from "../domain/source-schema";
import type { Database } from "../db/database";
import { offlineSources } from "../db/offline-tables";

function toLayout(row: { buckets: number; bucket_keys: string }): BucketLayout {
  return { buckets: row.buckets, keys: row.bucket_keys ? row.bucket_keys.split(",") : [] };
}

/** The source's recorded layout, or null when it was never written. */
export async function storedLayout(db: Database, project: string, source: string): Promise<BucketLayout | null> {
  const [row] = await db
    .select()
    .from(offlineSources)
    .where(and(eq(offlineSources.project, project), eq(offlineSources.source, source)));
  return row ? toLayout(row) : null;
}

/**
 * The layout writes must use: the recorded one, or (first write) `buckets`
 * buckets over the schema's bucket keys, recorded so every later write and
 * concurrent first write agrees (the first insert wins).
 */
export async function layoutForWrite(
  db: Database,
  project: string,
  schema: SourceSchema,
  buckets: number,
): Promise<BucketLayout> {
  const stored = await storedLayout(db, project, schema.source.name);
  if (stored) return stored;
  const keys = schema.bucketKeys;
  await db
    .insert(offlineSources)
    .values({
      project,
      source: schema.source.name,
      buckets: keys.length === 0 ? 1 : buckets,
      bucket_keys: keys.join(","),
      created_at: new Date().toISOString(),
    })
    .onConflictDoNothing();
  return (await storedLayout(db, project, schema.source.name))!;
}
