/**
 * POST /materialize, POST /materialize-incremental,
 * GET /materialization-status/{id} and GET /feature-views/{name}/stats.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { and, eq } from "drizzle-orm";
import type { Context } from "hono";
import type { AppEnv } from "../env";
import { invalid, LarderError } from "../errors";
import { assertAllowed, requireScope } from "../auth/middleware";
import { formatTimestamp, parseTimestamp } from "../domain/timestamps";
import { onlinePrefix } from "../domain/entity-key";
import { registryDb } from "../registry/d1-registry";
import { featureStats } from "../registry/jobs-schema";
import { currentRegistry } from "../registry/snapshot";
import { getJob } from "../jobs/jobs-store";
import { sourceTotals } from "../offline/manifest";
import { offlineSourceOf } from "../offline/historical";
import { incrementalWindows, onlineViews, startMaterialization, type StartedJob } from "../materialize/service";
import { commonErrors, jsonBody, jsonResponse, notFound, ProjectQuery } from "./schemas/common";
import {
  FeatureViewStats,
  MaterializationStatus,
  MaterializeIncrementalRequest,
  MaterializeRequest,
  MaterializeResponse,
} from "./schemas/materialize";
import { registryOf, router } from "./context";

export const materializeRoutes = router();

function timestampField(name: string, value: string | undefined, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  const ms = parseTimestamp(value);
  if (ms === undefined)
    throw invalid(`${name} is not a timestamp: use RFC 3339, e.g. 2024-06-01T00:00:00Z`, { field: name });
  return ms;
}

/** The registry of the body's `project` (checked against the token) or the request's. */
export async function registryForBody(c: Context<AppEnv>, project: string | undefined) {
  if (!project || project === c.get("project")) return registryOf(c);
  assertAllowed(c.get("principal"), "materialize", project);
  return currentRegistry(c.env.REGISTRY_CACHE, project, Number(c.env.REGISTRY_CACHE_TTL_MS || 5000));
}

export function startedResponse(job: StartedJob) {
  const ranges = Object.fromEntries(
    Object.entries(job.windows).map(([v, w]) => [v, { start: formatTimestamp(w.start), end: formatTimestamp(w.end) }]),
  );
  const all = Object.values(job.windows);
  return {
    materialization_id: job.id,
    status: (job.tasks === 0 ? "completed" : "queued") as "completed" | "queued",
    feature_views: job.views,
    time_range: {
      start: formatTimestamp(Math.min(...all.map((w) => w.start))),
      end: formatTimestamp(Math.max(...all.map((w) => w.end))),
    },
    time_ranges: ranges,
    estimated_rows: job.estimatedRows,
    estimated_duration_seconds: job.estimatedSeconds,
    progress_url: `/api/v1/features/materialization-status/${job.id}`,
  };
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
    if (start > end)
      throw invalid("start_date is after end_date", { start_date: body.start_date, end_date: body.end_date });
    const views = onlineViews(registry, body.feature_views);
    const job = await c
      .get("timing")
      .measure("d1", () =>
        startMaterialization(
          { db: registryDb(c.env.DB), queue: c.env.MATERIALIZE },
          registry,
          Object.fromEntries(views.map((v) => [v, { start, end }])),
          "api",
        ),
      );
    return c.json(startedResponse(job), 202);
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
    const views = onlineViews(registry, body.feature_views);
    const db = registryDb(c.env.DB);
    const job = await startMaterialization(
      { db, queue: c.env.MATERIALIZE },
      registry,
      await incrementalWindows(db, registry, views, end),
      "incremental",
    );
    return c.json(startedResponse(job), 202);
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
    const job = await getJob(registryDb(c.env.DB), id);
    if (job?.kind !== "materialize" || job.project !== c.get("project")) {
      throw new LarderError("MATERIALIZATION_NOT_FOUND", `Materialization '${id}' not found`, {
        materialization_id: id,
      });
    }
    const end = job.completed_at ? Date.parse(job.completed_at) : Date.now();
    return c.json(
      {
        materialization_id: job.id,
        status: job.status as "queued" | "in_progress" | "completed" | "failed",
        feature_views: (job.spec as { feature_views: string[] }).feature_views,
        rows_materialized: job.rows_written,
        rows_read: job.rows_read,
        duration_seconds: Math.round((end - Date.parse(job.created_at)) / 100) / 10,
        completed_at: job.completed_at,
        errors: job.errors,
        progress: {
          tasks_done: job.tasks_done,
          tasks_total: job.tasks_total,
          tasks_failed: job.tasks_failed,
          fraction: job.tasks_total ? job.tasks_done / job.tasks_total : 1,
        },
      },
      200,
    );
  },
);

/** Online records of a view, counted by listing KV; null past `maxPages` pages. */
async function countOnline(kv: KVNamespace, prefix: string, maxPages = 200): Promise<number | null> {
  let count = 0;
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const list: KVNamespaceListResult<unknown> = await kv.list({ prefix, cursor, limit: 1000 });
    count += list.keys.length;
    if (list.list_complete) return count;
    cursor = list.cursor;
  }
  return null;
}

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
    registry.view(name);
    const db = registryDb(c.env.DB);
    const [row] = await db
      .select()
      .from(featureStats)
      .where(and(eq(featureStats.project, registry.project), eq(featureStats.view, name)));
    const stats = (row?.stats ?? null) as {
      entities_seen?: number;
      max_event_ts?: number | null;
      completed_at?: string;
      feature_stats?: Record<string, z.infer<typeof FeatureViewStats>["statistics"]["feature_stats"][string]>;
    } | null;
    const [online, offline] = await Promise.all([
      countOnline(c.env.ONLINE_STORE, onlinePrefix(registry.project, name)),
      sourceTotals(db, registry.project, offlineSourceOf(registry, name)),
    ]);
    return c.json(
      {
        feature_view: name,
        statistics: {
          total_entities: stats?.entities_seen ?? null,
          online_store_records: online,
          offline_store_records: Number(offline.rows),
          last_materialization: stats?.completed_at ?? null,
          freshness_seconds:
            stats?.max_event_ts != null ? Math.max(0, Math.round((Date.now() - stats.max_event_ts) / 1000)) : null,
          feature_stats: stats?.feature_stats ?? {},
        },
      },
      200,
    );
  },
);
