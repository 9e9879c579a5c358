// The bench registry (project `bench`): one entity, one batch source, two
// push sources, and two online views fed by them (4 and 50 features).
import { entityId, featureSchema, onlineKey } from "./data.mjs";

export const PROJECT = "bench";
export const JOIN_KEY = "user_id";

export const VIEWS = {
  v4: { name: "bench_v4", push: "bench_push_v4", schema: featureSchema(4) },
  v50: { name: "bench_v50", push: "bench_push_v50", schema: featureSchema(50) },
};

/** The POST /apply body. */
export function registryBody() {
  return {
    entities: [{ name: "bench_user", join_keys: [JOIN_KEY], value_type: "STRING", description: "Bench entity" }],
    data_sources: [
      {
        name: "bench_events",
        type: "batch",
        path: "r2://larder-offline/bench_events/",
        timestamp_field: "event_timestamp",
      },
    ],
    push_sources: Object.values(VIEWS).map((v) => ({
      name: v.push,
      batch_source: "bench_events",
      description: `Feeds ${v.name}`,
    })),
    feature_views: Object.values(VIEWS).map((v) => ({
      name: v.name,
      entities: ["bench_user"],
      schema: v.schema,
      source: v.push,
      ttl_seconds: 30 * 86400,
      online: true,
      tags: { suite: "bench" },
    })),
  };
}

/** `view:feature` references of every feature of `view`. */
export const refs = (view) => view.schema.map((f) => `${view.name}:${f.name}`);

/**
 * The KV key of entity `i` in `view`: its push source's record, where the
 * bench's pushes put the data (an online read also asks for the entity's
 * materialization record, which the bench never writes: see bench/run.mjs).
 */
export const keyOf = (view, i) => onlineKey(PROJECT, view.name, JOIN_KEY, entityId(i), view.push);
