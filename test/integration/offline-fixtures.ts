/** Writes offline history straight through the offline store contract. */
import { env } from "cloudflare:workers";
import { registryDb } from "../../src/registry/d1-registry";
import { currentRegistry } from "../../src/registry/snapshot";
import { appendRows } from "../../src/offline/offline-store";
import { sourceSchema } from "../../src/offline/source-schema";

export const DAY = 86_400_000;
export const HOUR = 3_600_000;

export async function appendHistory(source: string, rows: Record<string, unknown>[], project = "ai_etl") {
  const registry = await currentRegistry(env.REGISTRY_CACHE, project, 0);
  return appendRows(
    { bucket: env.OFFLINE_STORE, db: registryDb(env.DB) },
    project,
    sourceSchema(registry, source),
    rows,
    "ingest",
  );
}
