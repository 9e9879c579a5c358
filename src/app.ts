/**
 * The Hono app: request context, body limit, auth, one router per resource,
 * and the one place (`onError`) where failures become HTTP responses.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import { LarderError } from "./domain/errors";
import type { AppEnv } from "./http/app-env";
import { authenticate } from "./http/auth";
import { consolePage, toConsole } from "./http/console";
import { limitBody } from "./http/body-limit";
import { toHttpError } from "./http/error-response";
import { requestContext } from "./http/request-context";
import { router } from "./api/router";
import { healthRoutes, configRoutes } from "./api/system-routes";
import { registryRoutes } from "./api/registry-routes";
import { applyRoutes } from "./api/apply-routes";
import { onlineRoutes } from "./api/online-routes";
import { pushRoutes } from "./api/push-routes";
import { ingestRoutes } from "./api/ingest-routes";
import { feastRouter } from "./api/feast-router";
import { FEAST_SCOPES } from "./api/feast-scope";
import { exportRoutes, historicalRoutes } from "./api/historical-routes";
import { materializeRoutes } from "./api/materialize-routes";
import { jobsRoutes } from "./api/jobs-routes";

export const API_BASE = "/api/v1/features";

export function buildApp(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>();
  app.use("*", ...requestContext());
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
  // Feast-compatible, under /feast/ and /projects/{project}/feast/: health is open, the rest authenticate inside.
  for (const scope of FEAST_SCOPES) api.route("/", feastRouter(scope));
  // Everything below needs a valid bearer token.
  api.use("*", authenticate());
  api.route("/", configRoutes);
  api.route("/", registryRoutes);
  api.route("/", applyRoutes);
  api.route("/", onlineRoutes);
  api.route("/", pushRoutes);
  api.route("/", historicalRoutes);
  api.route("/", materializeRoutes);
  api.route("/", jobsRoutes);
  api.route("/", ingestRoutes);
  app.route(API_BASE, api);
  // The web console: static assets, except its own routes (src/http/console.ts).
  app.get("/", toConsole);
  app.get("/console/*", consolePage);

  app.notFound((c) => {
    throw new LarderError("NOT_FOUND", `No route ${c.req.method} ${new URL(c.req.url).pathname}`, {
      method: c.req.method,
      path: new URL(c.req.url).pathname,
    });
  });
  app.onError((err, c) => {
    const { status, body, headers } = toHttpError(err, c.get("requestId") ?? "unknown");
    return c.json(body, status, headers);
  });
  return app;
}
