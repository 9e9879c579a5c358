/**
 * Feast-compatible materialization: `POST /feast/materialize` and
 * `POST /feast/materialize-incremental` with the request shapes of Feast's
 * feature server (`start_ts`, `end_ts`, optional `feature_views`). Feast
 * answers once the work is done; Larder's materialization is a queued job,
 * so these answer 200 as soon as it is started, with the job's id and
 * progress URL in the body (Feast clients ignore the body).
 */
import { createRoute, z } from "@hono/zod-openapi";
import { invalid } from "../errors";
import { authenticate, requireScope } from "../auth/middleware";
import { parseTimestamp } from "../domain/timestamps";
import { registryDb } from "../registry/d1-registry";
import { incrementalWindows, onlineViews, startMaterialization } from "../materialize/service";
import { feastErrorHandler } from "./feast-errors";
import { bodyAsJson } from "./feast-routes";
import { startedResponse } from "./materialize-routes";
import { feastErrors } from "./schemas/feast";
import { MaterializeResponse } from "./schemas/materialize";
import { jsonBody, jsonResponse, ProjectQuery } from "./schemas/common";
import { registryOf, router } from "./context";

export const feastMaterializeRoutes = router();
feastMaterializeRoutes.onError(feastErrorHandler);

const FeastMaterializeRequest = z
  .object({
    start_ts: z.string().openapi({ example: "2024-06-01T00:00:00" }),
    end_ts: z.string().openapi({ example: "2024-06-30T23:59:59" }),
    feature_views: z.array(z.string()).nullish(),
    disable_event_timestamp: z.boolean().optional(),
  })
  .openapi("FeastMaterializeRequest");

const FeastMaterializeIncrementalRequest = z
  .object({
    end_ts: z.string().openapi({ example: "2024-06-30T23:59:59" }),
    feature_views: z.array(z.string()).nullish(),
  })
  .openapi("FeastMaterializeIncrementalRequest");

function timestamp(name: string, value: string): number {
  const ms = parseTimestamp(value);
  if (ms === undefined) throw invalid(`${name} is not a timestamp`, { field: name });
  return ms;
}

feastMaterializeRoutes.openapi(
  createRoute({
    method: "post",
    path: "/feast/materialize",
    tags: ["feast"],
    summary: "Feast materialize: start a job for [start_ts, end_ts]",
    middleware: [authenticate(), requireScope("materialize"), bodyAsJson()] as const,
    request: { query: ProjectQuery, ...jsonBody(FeastMaterializeRequest) },
    responses: { 200: jsonResponse(MaterializeResponse, "Job started"), ...feastErrors },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const registry = await registryOf(c);
    const start = body.disable_event_timestamp ? 0 : timestamp("start_ts", body.start_ts);
    const end = body.disable_event_timestamp ? Date.now() : timestamp("end_ts", body.end_ts);
    if (start > end) throw invalid("start_ts is after end_ts", {});
    const views = onlineViews(registry, body.feature_views);
    const job = await startMaterialization(
      { db: registryDb(c.env.DB), queue: c.env.MATERIALIZE },
      registry,
      Object.fromEntries(views.map((v) => [v, { start, end }])),
      "api",
    );
    return c.json(startedResponse(job), 200);
  },
);

feastMaterializeRoutes.openapi(
  createRoute({
    method: "post",
    path: "/feast/materialize-incremental",
    tags: ["feast"],
    summary: "Feast materialize-incremental: from each view's last materialized end to end_ts",
    middleware: [authenticate(), requireScope("materialize"), bodyAsJson()] as const,
    request: { query: ProjectQuery, ...jsonBody(FeastMaterializeIncrementalRequest) },
    responses: { 200: jsonResponse(MaterializeResponse, "Job started"), ...feastErrors },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const registry = await registryOf(c);
    const views = onlineViews(registry, body.feature_views);
    const db = registryDb(c.env.DB);
    const job = await startMaterialization(
      { db, queue: c.env.MATERIALIZE },
      registry,
      await incrementalWindows(db, registry, views, timestamp("end_ts", body.end_ts)),
      "incremental",
    );
    return c.json(startedResponse(job), 200);
  },
);
