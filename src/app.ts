/**
 * The Hono app: request context, body limit, auth, one router per resource,
 * and the one place (`onError`) where failures become HTTP responses.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./env";
import { LarderError, toHttpError } from "./errors";
import { requestContext } from "./http/request-context";
import { authenticate } from "./auth/middleware";
import { router } from "./api/context";
import { healthRoutes, configRoutes } from "./api/system-routes";
import { registryRoutes } from "./api/registry-routes";
import { applyRoutes } from "./api/apply-routes";
import { onlineRoutes } from "./api/online-routes";
import { pushRoutes } from "./api/push-routes";
import { ingestRoutes } from "./api/ingest-routes";
import { feastRoutes } from "./api/feast-routes";
import { exportRoutes, historicalRoutes } from "./api/historical-routes";
import { materializeRoutes } from "./api/materialize-routes";
import { feastMaterializeRoutes } from "./api/feast-materialize-routes";

export const API_BASE = "/api/v1/features";

/** Bodies over MAX_BODY_BYTES (default 10 MB) get PAYLOAD_TOO_LARGE before any handler reads them. */
function limitBody(): MiddlewareHandler<AppEnv> {
  // One limiter per configured size, built once, not per request.
  const limiters = new Map<number, MiddlewareHandler<AppEnv>>();
  return (c, next) => {
    const maxSize = Number(c.env.MAX_BODY_BYTES || 10 * 1024 * 1024);
    let limiter = limiters.get(maxSize);
    if (!limiter) {
      limiter = bodyLimit({
        maxSize,
        onError: () => {
          throw new LarderError("PAYLOAD_TOO_LARGE", `Request body is over the ${maxSize}-byte limit`, {
            max_bytes: maxSize,
          });
        },
      });
      limiters.set(maxSize, limiter);
    }
    return limiter(c, next);
  };
}

export function buildApp(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.use("*", requestContext());
  app.use("*", limitBody());

  const api = router();
  api.route("/", healthRoutes);
  api.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Larder feature store",
      version: "1.0.0",
      description: "Feast Feature Store API on one Cloudflare Worker",
    },
    servers: [{ url: API_BASE }],
    security: [{ bearerAuth: [] }],
  });
  api.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
  });
  api.route("/", exportRoutes); // signed links: no bearer token
  api.route("/", feastMaterializeRoutes);
  api.route("/", feastRoutes); // Feast-compatible: /feast/health is open, the rest authenticate inside the router
  // Everything below needs a valid bearer token.
  api.use("*", authenticate());
  api.route("/", configRoutes);
  api.route("/", registryRoutes);
  api.route("/", applyRoutes);
  api.route("/", onlineRoutes);
  api.route("/", pushRoutes);
  api.route("/", historicalRoutes);
  api.route("/", materializeRoutes);
  api.route("/", ingestRoutes);
  app.route(API_BASE, api);

  app.notFound((c) => {
    throw new LarderError("NOT_FOUND", `No route ${c.req.method} ${new URL(c.req.url).pathname}`, {
      method: c.req.method,
      path: new URL(c.req.url).pathname,
    });
  });
  app.onError((err, c) => {
    const { status, body } = toHttpError(err, c.get("requestId") ?? "unknown");
    c.header("x-request-id", body.request_id);
    if (c.get("timing")) c.header("Server-Timing", c.get("timing").header());
    return c.json(body, status as 400);
  });
  return app;
}
