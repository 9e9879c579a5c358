/** GET /health (no auth) and GET /config (never shows a secret). */
import { createRoute } from "@hono/zod-openapi";
import { requireScope } from "../http/auth";
import { KEY_ENCODING_VERSION } from "../domain/entity-key";
import { commonErrors, jsonResponse, ProjectQuery } from "../schemas/common";
import { ConfigResponse, HealthResponse } from "../schemas/system";
import { registryOf, router } from "./router";

export const healthRoutes = router();
export const configRoutes = router();

healthRoutes.openapi(
  createRoute({
    method: "get",
    path: "/health",
    tags: ["system"],
    summary: "Liveness (no auth)",
    security: [],
    responses: { 200: jsonResponse(HealthResponse, "Alive") },
  }),
  (c) => c.json({ status: "ok" as const, time: new Date().toISOString() }, 200),
);

configRoutes.openapi(
  createRoute({
    method: "get",
    path: "/config",
    tags: ["system"],
    summary: "Configuration (no secrets)",
    middleware: [requireScope("registry:read")] as const,
    request: { query: ProjectQuery },
    responses: { 200: jsonResponse(ConfigResponse, "Configuration"), ...commonErrors },
  }),
  async (c) => {
    const registry = await registryOf(c);
    const { config } = c.get("services");
    return c.json(
      {
        project: c.get("project"),
        registry: {
          type: "d1" as const,
          binding: "DB",
          snapshot: {
            type: "kv" as const,
            binding: "REGISTRY_CACHE",
            version: registry.version,
            cache_ttl_ms: config.registryCacheTtlMs,
          },
        },
        online_store: { type: "cloudflare_kv" as const, binding: "ONLINE_STORE" },
        offline_store: {
          type: "r2" as const,
          binding: "OFFLINE_STORE",
          format: "parquet" as const,
          project_prefix: `offline/${c.get("project")}/`,
          external_prefixes: config.externalPrefixes[c.get("project")] ?? [],
        },
        problems: config.problems,
        // Whether each method is configured, never the secret itself.
        auth: {
          type: "jwt" as const,
          hs256: Boolean(config.auth.secret),
          jwks: Boolean(config.auth.jwksUrl),
          issuer: config.auth.issuer ?? null,
          audience: config.auth.audience ?? null,
        },
        entity_key_serialization_version: KEY_ENCODING_VERSION,
        feature_views_count: registry.views.size,
        entities_count: registry.entities.size,
        feature_services_count: registry.services.size,
      },
      200,
    );
  },
);
