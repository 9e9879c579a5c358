/**
 * POST /materialize, POST /materialize-incremental,
 * GET /materialization-status/{id} and GET /feature-views/{name}/stats.
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { assertAllowed } from "../auth/scopes";
import { invalid } from "../domain/errors";
import type { AppEnv } from "../http/app-env";
import { requireScope } from "../http/auth";
import { measure } from "../http/request-context";
import { commonErrors, jsonBody, jsonResponse, notFound, ProjectQuery } from "../schemas/common";
import {
  FeatureViewStats,
  MaterializationStatus,
  MaterializeIncrementalRequest,
  MaterializeRequest,
  MaterializeResponse,
} from "../schemas/materialize";
import {
  materializationStatus,
  materializeIncremental,
  materializeWindow,
  timestampField,
} from "../services/materialize-requests";
import { featureViewStats } from "../services/stats";
import { registryOf, router } from "./router";

export const materializeRoutes = router();

/** The registry of the body's `project` (checked against the token) or the request's. */
async function registryForBody(c: Context<AppEnv>, project: string | undefined) {
  if (!project || project === c.get("project")) return registryOf(c);
  assertAllowed(c.get("principal"), "materialize", project);
  return c.get("services").registry.current(project);
}

materializeRoutes.openapi(
  createRoute({
    method: "post",
    path: "/materialize",
    tags: ["materialization"],
    summary: "Materialize the latest values of a time window into the online store (a job)",
    middleware: [requireScope("materialize")] as const,
    request: { query: ProjectQuery, ...jsonBody(MaterializeRequest) },
    responses: { 202: jsonResponse(MaterializeResponse, "Job started"), ...commonErrors, ...notFound },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const registry = await registryForBody(c, body.project);
    const start = timestampField("start_date", body.start_date);
    const end = timestampField("end_date", body.end_date);
    if (start > end) {
      throw invalid("start_date is after end_date", { start_date: body.start_date, end_date: body.end_date });
    }
    const started = materializeWindow(c.get("services"), registry, body.feature_views, start, end);
    return c.json(await measure(c, "d1", started), 202);
  },
);

materializeRoutes.openapi(
  createRoute({
    method: "post",
    path: "/materialize-incremental",
    tags: ["materialization"],
    summary: "Materialize from the end of each view's last materialized interval up to end_date (default now)",
    middleware: [requireScope("materialize")] as const,
    request: { query: ProjectQuery, ...jsonBody(MaterializeIncrementalRequest) },
    responses: { 202: jsonResponse(MaterializeResponse, "Job started"), ...commonErrors, ...notFound },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const registry = await registryForBody(c, body.project);
    const end = timestampField("end_date", body.end_date, Date.now());
    return c.json(await materializeIncremental(c.get("services"), registry, body.feature_views, end), 202);
  },
);

materializeRoutes.openapi(
  createRoute({
    method: "get",
    path: "/materialization-status/{materialization_id}",
    tags: ["materialization"],
    summary: "Progress, rows and errors of a materialization job",
    middleware: [requireScope("materialize")] as const,
    request: {
      params: z.object({
        materialization_id: z.string().openapi({ param: { name: "materialization_id", in: "path" } }),
      }),
      query: ProjectQuery,
    },
    responses: { 200: jsonResponse(MaterializationStatus, "Job status"), ...commonErrors, ...notFound },
  }),
  async (c) => {
    const { materialization_id: id } = c.req.valid("param");
    return c.json(await materializationStatus(c.get("services"), c.get("project"), id), 200);
  },
);

materializeRoutes.openapi(
  createRoute({
    method: "get",
    path: "/feature-views/{name}/stats",
    tags: ["registry"],
    summary: "Statistics of a feature view, computed from what materialization read",
    middleware: [requireScope("registry:read")] as const,
    request: {
      params: z.object({ name: z.string().openapi({ param: { name: "name", in: "path" } }) }),
      query: ProjectQuery,
    },
    responses: { 200: jsonResponse(FeatureViewStats, "Statistics"), ...commonErrors, ...notFound },
  }),
  async (c) => {
    const { name } = c.req.valid("param");
    const registry = await registryOf(c);
    return c.json(await featureViewStats(c.get("services"), registry, name, Date.now()), 200);
  },
);
