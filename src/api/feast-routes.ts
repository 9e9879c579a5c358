/**
 * Feast-compatible routes under `/feast/`: the request and response shapes of
 * Feast's Python feature server (`feast serve`, sdk/python/feast/feature_server.py),
 * so Feast's `remote` online store (`online_store: {type: remote, path:
 * https://<worker>/api/v1/features/feast}`) and scripts written against
 * `feast serve` can use Larder. The same core functions as the Larder routes
 * do the work (selectFeatures, readOnlineFeatures, and the push service's
 * feastPush and writeToOnlineStore); this file only translates shapes.
 *
 * Each route is added once per scope (feast-scope.ts): under `/feast/` for
 * the default project and under `/projects/{project}/feast/` for a named one.
 *
 * Contracts:
 * - `GET .../feast/health`: 200 with an empty body, no token (Feast's health
 *   has no auth dependency). Feast answers 503 before its registry is loaded;
 *   Larder loads the registry snapshot per request, so there is no such state.
 * - The POST routes need the bearer token like every Larder route, and take
 *   the body as JSON whatever its Content-Type: older Feast clients posted
 *   `data=json.dumps(...)` with no Content-Type (FastAPI reads that as JSON).
 * - get-online-features ignores `entities` columns no requested view joins
 *   on (domain/feast-entities.ts) and writes values by dtype
 *   (feast-response.ts). push answers an empty 200, write-to-online-store a
 *   JSON `null`, as Feast's server does.
 * - Every failure answers Feast's error detail (see feast-errors.ts); the
 *   router's `onError` applies to each of these routes when mounted with
 *   `route()` (Hono wraps a sub-app's handlers with its error handler), and
 *   authentication runs inside the router so 401s are shaped the same way.
 * - `allow_registry_cache`, `transform_on_write` and
 *   `include_feature_view_version_metadata` are accepted and ignored.
 */
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { assertCanPush } from "../auth/scopes";
import { feastEntityColumns } from "../domain/feast-entities";
import { selectFeatures } from "../domain/feature-refs";
import type { AppEnv } from "../http/app-env";
import { authenticate, requireAnyScope, requireScope } from "../http/auth";
import { measure } from "../http/request-context";
import { readOnlineFeatures } from "../services/online-read";
import { feastPush, writeToOnlineStore } from "../services/push";
import { jsonBody, jsonResponse } from "../schemas/common";
import {
  feastErrors,
  feastPushNotFound,
  FeastNull,
  FeastOnlineFeaturesRequest,
  FeastOnlineFeaturesResponse,
  FeastPushRequest,
  FeastWriteToOnlineStoreRequest,
} from "../schemas/feast";
import { columnDtypes, feastOnlineResponseText } from "./feast-response";
import { type FeastScope, scopeRequest } from "./feast-scope";
import { registryOf } from "./router";

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

/** Health, get-online-features, push and write-to-online-store for one scope. */
export function addFeastServingRoutes(app: OpenAPIHono<AppEnv>, scope: FeastScope): void {
  const path = (route: string) => `${scope.prefix}/feast${route}`;
  const tags = scope.tags;

  app.openapi(
    createRoute({
      method: "get",
      path: path("/health"),
      tags,
      summary: "Feast feature-server health: an empty 200, no auth",
      security: [],
      request: scope.params ? { params: scope.params } : {},
      responses: { 200: { description: "Alive. The body is empty, as Feast's /health answers." } },
    }),
    (c) => c.body(null, 200),
  );

  app.openapi(
    createRoute({
      method: "post",
      path: path("/get-online-features"),
      tags,
      summary: "Feast get-online-features: column-oriented values, statuses and event timestamps (ttl applied on read)",
      middleware: [authenticate(), ...scope.project, requireScope("online:read"), bodyAsJson()] as const,
      request: { ...scopeRequest(scope), ...jsonBody(FeastOnlineFeaturesRequest) },
      responses: {
        200: jsonResponse(
          FeastOnlineFeaturesResponse,
          "Feast's GetOnlineFeaturesResponse as JSON; float features with a decimal point, unix_timestamp features as epoch seconds",
        ),
        ...feastErrors,
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const registry = await registryOf(c);
      const selection = selectFeatures(registry, body, { onlineOnly: true });
      const { entities } = feastEntityColumns(registry, selection, body.entities);
      const store = c.get("services").online;
      const result = await measure(c, "kv", readOnlineFeatures(registry, store, selection, entities, Date.now()));
      const text = feastOnlineResponseText(result, Object.keys(entities), columnDtypes(selection));
      // The declared JSON, written as text so floats keep their decimal point: typed routes expect c.json.
      return c.body(text, 200, { "content-type": "application/json" }) as never;
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: path("/push"),
      tags,
      summary: "Feast push: a columnar df to a push source, all rows or none",
      description:
        "Rows are validated like POST /push-features, but one bad row rejects the whole request and nothing is written (Feast fails the whole push). " +
        "`to` defaults to `online`, as in Feast; online needs online:write, offline needs offline:write.",
      middleware: [
        authenticate(),
        ...scope.project,
        requireAnyScope(["online:write", "offline:write"]),
        bodyAsJson(),
      ] as const,
      request: { ...scopeRequest(scope), ...jsonBody(FeastPushRequest) },
      responses: {
        200: { description: "Pushed. The body is empty, as Feast's /push answers." },
        ...feastErrors,
        ...feastPushNotFound,
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      assertCanPush(c.get("principal"), c.get("project"), body.to);
      const registry = await registryOf(c);
      await measure(c, "write", feastPush(c.get("services"), registry, body, Date.now()));
      return c.body(null, 200);
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: path("/write-to-online-store"),
      tags,
      summary: "Feast write-to-online-store: a columnar df written to one view's online store, all rows or none",
      description:
        "Each row replaces the stored record of its entity when it is newer (event timestamp, then created timestamp): " +
        "features of the view that the df lacks are not kept, and read back as null with status NULL_VALUE. " +
        "Older rows are skipped (newest wins). Nothing goes to the offline store. Used by Feast's remote online store for materialization.",
      middleware: [authenticate(), ...scope.project, requireScope("online:write"), bodyAsJson()] as const,
      request: { ...scopeRequest(scope), ...jsonBody(FeastWriteToOnlineStoreRequest) },
      responses: { 200: jsonResponse(FeastNull, "Written (JSON null, as Feast answers)"), ...feastErrors },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const registry = await registryOf(c);
      await measure(c, "kv", writeToOnlineStore(c.get("services"), registry, body, Date.now()));
      return c.json(null, 200);
    },
  );
}
