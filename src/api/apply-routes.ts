/** POST /apply (single view or many objects, dry run, replace) and POST /refresh-registry. */
import { createRoute, type z } from "@hono/zod-openapi";
import { requireScope } from "../http/auth";
import { measure } from "../http/request-context";
import { contentsFromApply } from "../registry/normalize";
import { commonErrors, conflict, jsonBody, jsonResponse, notFound, ProjectQuery, tooLarge } from "../schemas/common";
import { ApplyRequest, ApplyResponse, RefreshResponse } from "../schemas/registry";
import { router } from "./router";

export const applyRoutes = router();
const write = requireScope("registry:write");

applyRoutes.openapi(
  createRoute({
    method: "post",
    path: "/apply",
    tags: ["registry"],
    summary: "Apply feature definitions (atomic; dry_run returns the plan)",
    middleware: [write] as const,
    request: { query: ProjectQuery, ...jsonBody(ApplyRequest) },
    responses: {
      200: jsonResponse(ApplyResponse, "Applied, or planned on a dry run"),
      ...commonErrors,
      ...conflict,
      ...tooLarge,
    },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const project = c.get("project");
    const incoming = contentsFromApply(body);
    const { registry } = c.get("services");
    const options = { replace: body.replace, dryRun: body.dry_run };
    const outcome = await measure(c, "d1", registry.apply(project, incoming, options));
    const response: z.infer<typeof ApplyResponse> = {
      status: body.dry_run ? "planned" : "success",
      registered_at: outcome.at,
      dry_run: body.dry_run,
      registry_version: outcome.version,
      plan: outcome.plan,
      warnings: outcome.warnings,
    };
    if (body.feature_view) {
      // The specification's single-view answer: ready once values have been materialized.
      const view = body.feature_view.name;
      const materializedUntil = (await registry.materializedEnds(project)).get(view) ?? null;
      response.feature_view = view;
      response.online_store_ready = body.feature_view.online && materializedUntil !== null;
      response.materialization_required = body.feature_view.online && materializedUntil === null;
    }
    return c.json(response, 200);
  },
);

applyRoutes.openapi(
  createRoute({
    method: "post",
    path: "/refresh-registry",
    tags: ["registry"],
    summary: "Rebuild the registry snapshot from D1 under a new version",
    middleware: [write] as const,
    request: { query: ProjectQuery },
    responses: { 200: jsonResponse(RefreshResponse, "Refreshed"), ...commonErrors, ...notFound, ...conflict },
  }),
  async (c) => {
    const { registry, warnings } = await measure(c, "d1", c.get("services").registry.refresh(c.get("project")));
    return c.json(
      {
        status: "success" as const,
        feature_views_count: registry.views.size,
        entities_count: registry.entities.size,
        feature_services_count: registry.services.size,
        refreshed_at: registry.builtAt,
        registry_version: registry.version,
        warnings,
      },
      200,
    );
  },
);
