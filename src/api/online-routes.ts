/**
 * Online reads: POST /online-features and the entity shortcuts
 * /pipeline-features, /user-features, /connector-features. The hot path:
 * registry from the isolate-cached snapshot, values from KV, nothing else.
 */
import { createRoute } from "@hono/zod-openapi";
import type { Context } from "hono";
import { selectFeatures } from "../domain/feature-refs";
import { formatTimestamp } from "../domain/timestamps";
import type { AppEnv } from "../http/app-env";
import { requireScope } from "../http/auth";
import { elapsedMs, measure } from "../http/request-context";
import { readOnlineFeatures, rowKey, type FeatureStatus, type OnlineReadResult } from "../services/online-read";
import { commonErrors, jsonBody, jsonResponse, notFound, ProjectQuery, tooLarge } from "../schemas/common";
import {
  EntityFeaturesResponse,
  entityFeaturesRequest,
  OnlineFeaturesRequest,
  OnlineFeaturesResponse,
} from "../schemas/online";
import { registryOf, router } from "./router";

export const onlineRoutes = router();
const canRead = requireScope("online:read");

interface ReadParams {
  feature_service?: string;
  features?: string[];
  entities: Record<string, (string | number)[]>;
  full_feature_names: boolean;
}

/** Runs a read and shapes it as `{features: {entity: {name: value}}, statuses?, event_timestamps?, metadata}`. */
async function readKeyedByEntity(
  c: Context<AppEnv>,
  params: ReadParams,
  includeStatuses: boolean,
  includeTimestamps = false,
) {
  const registry = await registryOf(c);
  const selection = selectFeatures(registry, params, { onlineOnly: true });
  const store = c.get("services").online;
  const result = await measure(c, "kv", readOnlineFeatures(registry, store, selection, params.entities, Date.now()));
  // Keyed by entity values, which may be any text ("__proto__" included): objects without a prototype.
  const features: Record<string, Record<string, unknown>> = Object.create(null);
  const statuses: Record<string, Record<string, FeatureStatus>> = Object.create(null);
  const timestamps: Record<string, Record<string, string | null>> = Object.create(null);
  const columns = result.columns;
  for (let row = 0; row < result.rowCount; row++) {
    const key = rowKey(result, row);
    const values: Record<string, unknown> = {};
    for (const col of columns) values[col.outputName] = col.values[row];
    features[key] = values;
    if (includeStatuses) {
      const rowStatuses: Record<string, FeatureStatus> = {};
      for (const col of columns) rowStatuses[col.outputName] = col.statuses[row];
      statuses[key] = rowStatuses;
    }
    if (includeTimestamps) {
      const rowTimes: Record<string, string | null> = {};
      for (const col of columns) {
        const ms = col.eventTimestamps[row];
        rowTimes[col.outputName] = ms === null || ms === undefined ? null : formatTimestamp(ms);
      }
      timestamps[key] = rowTimes;
    }
  }
  return {
    features,
    ...(includeStatuses ? { statuses } : {}),
    ...(includeTimestamps ? { event_timestamps: timestamps } : {}),
    metadata: metadata(
      c,
      result,
      selection.views.map((v) => v.view.def.name),
    ),
  };
}

function metadata(c: Context<AppEnv>, result: OnlineReadResult, views: string[]) {
  return {
    latency_ms: elapsedMs(c),
    features_count: result.columns.length,
    entities_count: result.rowCount,
    feature_views: views,
    keys_read: result.keysRead,
  };
}

onlineRoutes.openapi(
  createRoute({
    method: "post",
    path: "/online-features",
    tags: ["online"],
    summary: "Online features for inference (TTL applied on read)",
    middleware: [canRead] as const,
    request: { query: ProjectQuery, ...jsonBody(OnlineFeaturesRequest) },
    responses: {
      200: jsonResponse(OnlineFeaturesResponse, "Feature values by entity"),
      ...commonErrors,
      ...notFound,
      ...tooLarge,
    },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const shaped = await readKeyedByEntity(c, body, body.include_statuses, body.include_event_timestamps);
    return c.json(
      {
        ...(body.feature_service ? { feature_service: body.feature_service } : {}),
        entities: body.entities,
        ...shaped,
      },
      200,
    );
  },
);

interface ShortcutBody {
  features?: string[];
  full_feature_names: boolean;
  include_statuses: boolean;
  [ids: string]: unknown;
}

/** One route per entity shortcut of API.md item 8. */
const SHORTCUTS = [
  {
    path: "/pipeline-features",
    ids: "pipeline_ids",
    joinKey: "pipeline_id",
    view: "pipeline",
    example: ["pipe_001", "pipe_002"],
    features: ["pipeline:success_rate_7d", "pipeline:avg_duration_7d"],
  },
  {
    path: "/user-features",
    ids: "user_ids",
    joinKey: "user_id",
    view: "user",
    example: ["user_123", "user_456"],
    features: ["user:pipelines_created_30d", "user:total_data_processed_gb"],
  },
  {
    path: "/connector-features",
    ids: "connector_ids",
    joinKey: "connector_id",
    view: "connector",
    example: ["conn_pg_001", "conn_ch_002"],
    features: ["connector:uptime_percentage_7d", "connector:error_rate_7d"],
  },
] as const;

for (const shortcut of SHORTCUTS) {
  const schema = entityFeaturesRequest(shortcut.ids, [...shortcut.example], [...shortcut.features]).openapi(
    `${shortcut.view}FeaturesRequest`,
  );
  onlineRoutes.openapi(
    createRoute({
      method: "post",
      path: shortcut.path,
      tags: ["online"],
      summary: `Online features of ${shortcut.view} entities (view '${shortcut.view}')`,
      middleware: [canRead] as const,
      request: { query: ProjectQuery, ...jsonBody(schema) },
      responses: {
        200: jsonResponse(EntityFeaturesResponse, "Feature values by id"),
        ...commonErrors,
        ...notFound,
        ...tooLarge,
      },
    }),
    async (c) => {
      const body = c.req.valid("json") as unknown as ShortcutBody;
      const ids = body[shortcut.ids] as (string | number)[];
      // Without a features list: every feature of the entity's view.
      const features =
        body.features ??
        (await registryOf(c)).view(shortcut.view).def.features.map((f) => `${shortcut.view}:${f.name}`);
      const params: ReadParams = {
        features,
        entities: { [shortcut.joinKey]: ids },
        full_feature_names: body.full_feature_names,
      };
      return c.json(await readKeyedByEntity(c, params, body.include_statuses), 200);
    },
  );
}
