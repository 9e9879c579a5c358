/** Writes offline history straight through the offline store contract. */
import { env } from "cloudflare:workers";
import { sourceSchema } from "../../src/domain/source-schema";
import { servicesFor } from "../../src/services/services";

export const DAY = 86_400_000;
export const HOUR = 3_600_000;

export async function appendHistory(source: string, rows: Record<string, unknown>[], project = "ai_etl") {
  const services = servicesFor(env);
  const registry = await services.registry.fresh(project);
  return services.offline.appendRows(project, sourceSchema(registry, source), rows, "ingest");
}

/**
 * Fixes a source's bucket layout before its first write, as an operator's
 * OFFLINE_BUCKETS would: tests of job mechanics use one bucket, so a job's
 * tasks are the ones they count.
 */
export async function useBuckets(source: string, buckets: number, project = "ai_etl") {
  const registry = await servicesFor(env).registry.fresh(project);
  const keys = sourceSchema(registry, source).bucketKeys.join(",");
  await env.DB.prepare(
    "INSERT INTO offline_sources (project, source, buckets, bucket_keys, created_at) VALUES (?, ?, ?, ?, ?)",
  )
    .bind(project, source, buckets, keys, new Date().toISOString())
    .run();
}
