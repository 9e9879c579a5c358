/**
 * The three use cases of the `Features` entrypoint, on the same service
 * functions the HTTP routes call: `readOnlineFeatures`, `pushRows`,
 * `joinHistorical`. Inputs are validated with the routes' zod schemas;
 * answers have the routes' shapes (the historical one inline only).
 */
import type { z } from "@hono/zod-openapi";
import type { BindingHistoricalResponse } from "../client/binding";
import type * as T from "../client/types";
import type { CompiledRegistry } from "../domain/compiled-registry";
import { parseEntityDf } from "../domain/entity-df";
import { invalid } from "../domain/errors";
import { selectFeatures } from "../domain/feature-refs";
import { resultRows } from "../domain/join-output";
import { EVENT_TIMESTAMP } from "../domain/names";
import { formatTimestamp } from "../domain/timestamps";
import { HistoricalRequest } from "../schemas/historical";
import { OnlineFeaturesRequest, PushRequest } from "../schemas/online";
import { exportDtypes, joinHistorical } from "../services/historical";
import { INLINE_MAX_ROWS } from "../services/historical-request";
import { type FeatureStatus, readOnlineFeatures, rowKey } from "../services/online-read";
import { pushRows } from "../services/push";
import type { Services } from "../services/services";

/** Entity rows a binding's historical call may hold: the rows the HTTP route answers inline. */
export const BINDING_HISTORICAL_MAX_ROWS = INLINE_MAX_ROWS;

const BindingHistoricalRequest = HistoricalRequest.omit({ async: true });

/** Parses `input` with `schema`; VALIDATION_ERROR listing each issue with its path, as the routes do. */
export function parsed<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({
    path: i.path.map(String).join("."),
    message: i.message,
    code: i.code,
  }));
  const summary = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ");
  throw invalid(`Invalid request: ${summary}`, { target: "rpc", issues });
}

const elapsed = (started: number) => Math.round((performance.now() - started) * 100) / 100;

export async function onlineFeatures(
  services: Services,
  registry: CompiledRegistry,
  input: unknown,
  started: number,
): Promise<T.OnlineFeaturesResponse> {
  const body = parsed(OnlineFeaturesRequest, input);
  const selection = selectFeatures(registry, body, { onlineOnly: true });
  const result = await readOnlineFeatures(registry, services.online, selection, body.entities, Date.now());
  const features: Record<string, Record<string, unknown>> = {};
  const statuses: Record<string, Record<string, FeatureStatus>> = {};
  for (let row = 0; row < result.rowCount; row++) {
    const key = rowKey(result, row);
    features[key] = {};
    if (body.include_statuses) statuses[key] = {};
    for (const col of result.columns) {
      features[key][col.outputName] = col.values[row];
      if (body.include_statuses) statuses[key][col.outputName] = col.statuses[row];
    }
  }
  return {
    ...(body.feature_service ? { feature_service: body.feature_service } : {}),
    entities: body.entities,
    features,
    ...(body.include_statuses ? { statuses } : {}),
    metadata: {
      latency_ms: elapsed(started),
      features_count: result.columns.length,
      entities_count: result.rowCount,
      feature_views: selection.views.map((v) => v.view.def.name),
      keys_read: result.keysRead,
    },
  };
}

export async function push(
  services: Services,
  registry: CompiledRegistry,
  body: z.infer<typeof PushRequest>,
  started: number,
): Promise<T.PushResponse> {
  const outcome = await pushRows(services, registry, body.push_source_name, body.features, body.to, Date.now());
  return { ...outcome, processing_time_ms: elapsed(started) };
}

export { PushRequest };

/** The point-in-time join of a small entity_df, every row inline, no export written. */
export async function historical(
  services: Services,
  registry: CompiledRegistry,
  input: unknown,
  started: number,
): Promise<BindingHistoricalResponse> {
  const body = parsed(BindingHistoricalRequest, input);
  const selection = selectFeatures(registry, body, { onlineOnly: false });
  const joinKeys = [...new Set(selection.views.flatMap((v) => v.view.joinKeys))];
  const rows = body.entity_df[EVENT_TIMESTAMP]?.length ?? 0;
  if (rows > BINDING_HISTORICAL_MAX_ROWS) {
    throw invalid(
      `A binding's historical call takes at most ${BINDING_HISTORICAL_MAX_ROWS} entity rows; got ${rows}. Use POST /historical-features (jobs, Parquet exports) for larger sets`,
      { max_rows: BINDING_HISTORICAL_MAX_ROWS, rows },
    );
  }
  const df = parseEntityDf(body.entity_df, joinKeys, BINDING_HISTORICAL_MAX_ROWS);
  const joined = await joinHistorical(services.offline, registry, selection, df, body.full_feature_names);
  // As the HTTP route shows them inline: entity timestamps as sent, unix_timestamp features as RFC 3339.
  joined.result.data[EVENT_TIMESTAMP] = body.entity_df[EVENT_TIMESTAMP];
  for (const [name, dtype] of Object.entries(exportDtypes(registry, selection))) {
    if (dtype !== "unix_timestamp") continue;
    joined.result.data[name] = joined.result.data[name].map((v) => (typeof v === "number" ? formatTimestamp(v) : v));
  }
  return {
    ...(body.feature_service ? { feature_service: body.feature_service } : {}),
    data: resultRows(joined.result),
    metadata: {
      rows_count: df.numRows,
      features_count: selection.columns.length,
      processing_time_ms: Math.round(performance.now() - started),
      timings: { read_ms: Math.round(joined.timings.read_ms), join_ms: Math.round(joined.timings.join_ms) },
      rows_scanned: joined.rows_scanned,
      files_read: joined.files_read,
    },
  };
}
