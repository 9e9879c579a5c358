/**
 * Feast-compatible routes under `/feast/`: the request and response shapes of
 * Feast's Python feature server (`feast serve`, sdk/python/feast/feature_server.py),
 * so Feast's `remote` online store (`online_store: {type: remote, path:
 * https://<worker>/api/v1/features/feast}`) and scripts written against
 * `feast serve` can use Larder. The same core functions as the Larder routes
 * do the work (selectFeatures, readOnlineFeatures, pushRows,
 * validatePushRows, KvOnlineStore); this file only translates shapes.
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
import type { AppEnv } from "../env";
import { invalid } from "../errors";
import { authenticate, requireScope } from "../auth/middleware";
import { selectFeatures } from "../domain/feature-refs";
import { KvOnlineStore } from "../online/kv-store";
import { readOnlineFeatures } from "../online/read";
import { pushTarget, validatePushRows, type PushTarget } from "../online/push";
import { pushRows } from "../online/push-service";
import { jsonBody, jsonResponse, ProjectQuery } from "./schemas/common";
import {
  feastErrors,
  feastPushNotFound,
  FeastNull,
  FeastOnlineFeaturesRequest,
  FeastOnlineFeaturesResponse,
  FeastPushRequest,
  FeastWriteToOnlineStoreRequest,
} from "./schemas/feast";
import { feastErrorHandler } from "./feast-errors";
import { feastOnlineResponse } from "./feast-response";
import { dfRows, pushLayout, rowsRejected, viewLayout } from "./feast-df";
import { assertCanPush } from "./push-routes";
import { registryOf, router } from "./context";

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
    const store = new KvOnlineStore(c.env.ONLINE_STORE);
    const result = await c
      .get("timing")
      .measure("kv", () => readOnlineFeatures(registry, store, selection, body.entities, Date.now()));
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
    middleware: [authenticate(), bodyAsJson()] as const,
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
    const target = pushTarget(registry, body.push_source_name);
    const rows = dfRows(body.df, pushLayout(registry, target));
    if (rows.length > 0) {
      const deps = { store: new KvOnlineStore(c.env.ONLINE_STORE), offlineQueue: c.env.OFFLINE_WRITES };
      const outcome = await c
        .get("timing")
        .measure("write", () => pushRows(deps, registry, target, rows, body.to, Date.now(), { allOrNothing: true }));
      if (outcome.errors.length > 0) throw rowsRejected(outcome.errors, rows.length);
    }
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
    const view = registry.view(body.feature_view_name);
    if (!view.def.online)
      throw invalid(`Feature view '${view.def.name}' is not online (online: false)`, { feature_view: view.def.name });
    const rows = dfRows(body.df, viewLayout(registry, view));
    if (rows.length === 0) return c.json(null, 200);
    // The view as the only target: the push row rules (keys, timestamps, dtypes) apply unchanged.
    const target: PushTarget = {
      source: { name: view.def.source, type: "push", batch_source: view.def.source, description: "", tags: {} },
      views: [view],
      joinKeys: view.joinKeys,
    };
    const { accepted, errors } = validatePushRows(registry, target, rows, Date.now());
    if (errors.length > 0) throw rowsRejected(errors, rows.length);
    // A df row carries the view's columns: replace (merge: false) rather than layer over the stored record.
    const writes = accepted.flatMap((r) => r.writes.map((w) => ({ ...w, merge: false })));
    await c.get("timing").measure("kv", () => new KvOnlineStore(c.env.ONLINE_STORE).write(writes));
    return c.json(null, 200);
  },
);
