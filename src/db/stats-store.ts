/** Feature statistics per view in D1: written by the last materialization, read by the stats route. */
import { and, eq } from "drizzle-orm";
import type { Database } from "./database";
import { featureStats } from "./stats-tables";

export async function saveViewStats(
  db: Database,
  project: string,
  view: string,
  jobId: string,
  stats: Record<string, unknown>,
  now: string,
): Promise<void> {
  await db
    .insert(featureStats)
    .values({ project, view, stats, job_id: jobId, updated_at: now })
    .onConflictDoUpdate({
      target: [featureStats.project, featureStats.view],
      set: { stats, job_id: jobId, updated_at: now },
    });
}

export async function viewStats(db: Database, project: string, view: string): Promise<Record<string, unknown> | null> {
  const [row] = await db
    .select()
    .from(featureStats)
    .where(and(eq(featureStats.project, project), eq(featureStats.view, view)));
  return row?.stats ?? null;
}
