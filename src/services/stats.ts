/**
 * Feature view statistics (GET /feature-views/{name}/stats): what the last
 * materialization measured, the online records counted by listing, the
 * offline rows from the manifest. A figure the system does not have is null.
 */
import type { CompiledRegistry } from "../domain/compiled-registry";
import { onlinePrefix } from "../domain/entity-key";
import type { FeatureDescription } from "../domain/feature-profile";
import { offlineSourceOf } from "../domain/source-schema";
import { viewStats } from "../db/stats-store";
import type { Services } from "./services";

interface StoredStats {
  entities_seen?: number;
  max_event_ts?: number | null;
  completed_at?: string;
  feature_stats?: Record<string, FeatureDescription>;
}

/** Online listing pages counted before giving up (null): 200 pages of 1,000 keys. */
const MAX_COUNT_PAGES = 200;

export async function featureViewStats(services: Services, registry: CompiledRegistry, name: string, now: number) {
  registry.view(name);
  const [stored, online, offline] = await Promise.all([
    viewStats(services.db, registry.project, name) as Promise<StoredStats | null>,
    services.online.countEntities(onlinePrefix(registry.project, name), MAX_COUNT_PAGES),
    services.offline.sourceTotals(registry.project, offlineSourceOf(registry, name)),
  ]);
  const maxEventTs = stored?.max_event_ts;
  return {
    feature_view: name,
    statistics: {
      total_entities: stored?.entities_seen ?? null,
      online_store_records: online,
      offline_store_records: Number(offline.rows),
      last_materialization: stored?.completed_at ?? null,
      freshness_seconds: maxEventTs != null ? Math.max(0, Math.round((now - maxEventTs) / 1000)) : null,
      feature_stats: stored?.feature_stats ?? {},
    },
  };
}
