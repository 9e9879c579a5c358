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
