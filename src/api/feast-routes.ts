/**
 * Feast-compatible routes under `/feast/`: the request and response shapes of
 * Feast's Python feature server (`feast serve`, sdk/python/feast/feature_server.py),
 * so Feast's `remote` online store (`online_store: {type: remote, path:
 * https://<worker>/api/v1/features/feast}`) and scripts written against
 * `feast serve` can use Larder. The same core functions as the Larder routes
 * do the work (selectFeatures, readOnlineFeatures, and the push service's
 * feastPush and writeToOnlineStore); this file only translates shapes.
 *
 * Contracts:
 * - `GET /feast/health`: 200 with an empty body, no token (Feast's health has
 *   no auth dependency). Feast answers 503 before its registry is loaded;
 *   Larder loads the registry snapshot per request, so there is no such state.
 * - The POST routes need the bearer token like every Larder route, and take
 *   the body as JSON whatever its Content-Type: Feast's remote client posts
 *   `data=json.dumps(...)` with no Content-Type (FastAPI reads that as JSON).
 * - Every failure answers Feast's error detail (see feast-errors.ts); the
 *   router's `onError` applies to each of these routes when mounted with
 *   `route()` (Hono wraps a sub-app's handlers with its error handler), and
 *   authentication runs inside this router so 401s are shaped the same way.
 * - `allow_registry_cache` and `transform_on_write` are accepted and ignored.
 */
import { createRoute } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { assertCanPush } from "../auth/scopes";
import { selectFeatures } from "../domain/feature-refs";
import type { AppEnv } from "../http/app-env";
import { authenticate, requireAnyScope, requireScope } from "../http/auth";
import { measure } from "../http/request-context";
import { readOnlineFeatures } from "../services/online-read";
import { feastPush, writeToOnlineStore } from "../services/push";
import { jsonBody, jsonResponse, ProjectQuery } from "../schemas/common";
import {
  feastErrors,
  feastPushNotFound,
  FeastNull,
  FeastOnlineFeaturesRequest,
  FeastOnlineFeaturesResponse,
  FeastPushRequest,
  FeastWriteToOnlineStoreRequest,
} from "../schemas/feast";
import { feastErrorHandler } from "./feast-errors";
import { feastOnlineResponse } from "./feast-response";
import { registryOf, router } from "./router";

export const feastRoutes = router();
feastRoutes.onError(feastErrorHandler);

/** Reads the body as JSON whatever Content-Type says (or omits), as FastAPI does for Feast's clients. */
export function bodyAsJson(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.header("content-type") !== "application/json") {
      const headers = new Headers(c.req.raw.headers);
      headers.set("content-type", "application/json");
      c.req.raw = new Request(c.req.raw, { headers });
    }
    await next();
  };
}

const TAGS = ["feast"];

feastRoutes.openapi(
  createRoute({
    method: "get",
    path: "/feast/health",
    tags: TAGS,
    summary: "Feast feature-server health: an empty 200, no auth",
    security: [],
    responses: { 200: { description: "Alive. The body is empty, as Feast's /health answers." } },
  }),
  (c) => c.body(null, 200),
);

feastRoutes.openapi(
  createRoute({
    method: "post",
    path: "/feast/get-online-features",
    tags: TAGS,
    summary: "Feast get-online-features: column-oriented values, statuses and event timestamps (ttl applied on read)",
    middleware: [authenticate(), requireScope("online:read"), bodyAsJson()] as const,
    request: { query: ProjectQuery, ...jsonBody(FeastOnlineFeaturesRequest) },
    responses: {
      200: jsonResponse(FeastOnlineFeaturesResponse, "Feast's GetOnlineFeaturesResponse as JSON"),
      ...feastErrors,
    },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const registry = await registryOf(c);
    const selection = selectFeatures(registry, body, { onlineOnly: true });
    const store = c.get("services").online;
    const result = await measure(c, "kv", readOnlineFeatures(registry, store, selection, body.entities, Date.now()));
    return c.json(feastOnlineResponse(result, Object.keys(body.entities)), 200);
  },
);

feastRoutes.openapi(
  createRoute({
    method: "post",
    path: "/feast/push",
    tags: TAGS,
    summary: "Feast push: a columnar df to a push source, all rows or none",
    description:
      "Rows are validated like POST /push-features, but one bad row rejects the whole request and nothing is written (Feast fails the whole push). " +
      "`to` defaults to `online`, as in Feast; online needs online:write, offline needs offline:write.",
    middleware: [authenticate(), requireAnyScope(["online:write", "offline:write"]), bodyAsJson()] as const,
    request: { query: ProjectQuery, ...jsonBody(FeastPushRequest) },
    responses: {
      200: jsonResponse(FeastNull, "Pushed (JSON null, as Feast answers)"),
      ...feastErrors,
      ...feastPushNotFound,
    },
  }),
  async (c) => {
    const body = c.req.valid("json");
    assertCanPush(c.get("principal"), c.get("project"), body.to);
    const registry = await registryOf(c);
    await measure(c, "write", feastPush(c.get("services"), registry, body, Date.now()));
    return c.json(null, 200);
  },
);

feastRoutes.openapi(
  createRoute({
    method: "post",
    path: "/feast/write-to-online-store",
    tags: TAGS,
    summary: "Feast write-to-online-store: a columnar df written to one view's online store, all rows or none",
    description:
      "Each row replaces the stored record of its entity when it is newer (event timestamp, then created timestamp): " +
      "features of the view that the df lacks are not kept, and read back as null with status NULL_VALUE. " +
      "Older rows are skipped (newest wins). Nothing goes to the offline store. Used by Feast's remote online store for materialization.",
    middleware: [authenticate(), requireScope("online:write"), bodyAsJson()] as const,
    request: { query: ProjectQuery, ...jsonBody(FeastWriteToOnlineStoreRequest) },
    responses: { 200: jsonResponse(FeastNull, "Written (JSON null, as Feast answers)"), ...feastErrors },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const registry = await registryOf(c);
    await measure(c, "kv", writeToOnlineStore(c.get("services"), registry, body, Date.now()));
    return c.json(null, 200);
  },
);
