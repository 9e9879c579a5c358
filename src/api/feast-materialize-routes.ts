/**
 * Feast-compatible materialization: `POST /feast/materialize` and
 * `POST /feast/materialize-incremental` with the request shapes of Feast's
 * feature server (`start_ts`, `end_ts`, optional `feature_views`). Feast
 * answers once the work is done; Larder's materialization is a queued job,
 * so these answer 200 as soon as it is started, with the job's id and
 * progress URL in the body (Feast clients ignore the body).
 */
import { createRoute } from "@hono/zod-openapi";
import { invalid } from "../domain/errors";
import { parseTimestamp } from "../domain/timestamps";
import { authenticate, requireScope } from "../http/auth";
import { jsonBody, jsonResponse, ProjectQuery } from "../schemas/common";
import { FeastMaterializeIncrementalRequest, FeastMaterializeRequest, feastErrors } from "../schemas/feast";
import { MaterializeResponse } from "../schemas/materialize";
import { materializeIncremental, materializeWindow } from "../services/materialize-requests";
import { feastErrorHandler } from "./feast-errors";
import { bodyAsJson } from "./feast-routes";
import { registryOf, router } from "./router";

export const feastMaterializeRoutes = router();
feastMaterializeRoutes.onError(feastErrorHandler);

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
    return c.json(await materializeWindow(c.get("services"), registry, body.feature_views, start, end), 200);
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
    const end = timestamp("end_ts", body.end_ts);
    return c.json(await materializeIncremental(c.get("services"), registry, body.feature_views, end), 200);
  },
);
