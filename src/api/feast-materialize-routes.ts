/**
 * Feast-compatible materialization: `POST .../feast/materialize` and
 * `POST .../feast/materialize-incremental` with the request shapes of Feast's
 * feature server (sdk/python/feast/feature_server.py), which Feast's own
 * client posts when its online store is `remote`
 * (`FeatureStore.materialize(...)` → `_delegate_remote_materialize`).
 *
 * Contracts:
 * - Feast's server answers once the data is online, and its client relies on
 *   that. Larder's materialization is a queued job, so these routes start it
 *   and wait for it (services/materialize-wait.ts: D1 reads with sleeps in
 *   between, little CPU), then answer as Feast does: 200 with a JSON `null`
 *   when the job completed (its id in the `x-larder-materialization-id`
 *   header), or a Feast error when it did not. The wait is bounded by
 *   FEAST_MATERIALIZE_WAIT_SECONDS (600 by default). A job with nothing in
 *   its window is completed before the first read.
 * - The error statuses are chosen for Feast's HTTP session, which re-posts a
 *   POST answered 429, 500, 502, 503 or 504 up to `connection_retries` (3)
 *   times and then raises `RetryError` without the body
 *   (permissions/client/http_auth_requests_wrapper.py). A re-post would
 *   start another job (beside one still running) and hide the reason, so:
 *   a failed job answers 424 (Failed Dependency: the request depended on the
 *   job, which failed), FeastError naming the failed tasks and why (the tasks
 *   were already retried by the queue); a job still running at the bound
 *   answers 408, FeastError saying the job goes on and where its status is.
 *   Feast's client then raises `RuntimeError: Remote materialization failed
 *   (424|408): <that error>`.
 * - `?async=true` (Feast's `run_async=True`) answers 202 at once with
 *   Feast's `{"status": "accepted", "feature_views": [...]}`, plus the job id
 *   and its progress URL. `?force=` is accepted and ignored: Larder has no
 *   MATERIALIZING state, and overlapping jobs are safe (newest wins).
 * - `/materialize`: `start_ts` and `end_ts` are required unless
 *   `disable_event_timestamp` is true, which means Feast's default window,
 *   1970-01-01 to now (Feast's `_parse_materialize_timestamps`); `start_ts`
 *   must be before `end_ts`, as in Feast. `feature_views` null or absent
 *   means every online view. `version` (Feast's feature-view versions) is
 *   refused with a 400: Larder's views have none.
 */
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import { invalid } from "../domain/errors";
import { parseTimestamp } from "../domain/timestamps";
import type { AppEnv } from "../http/app-env";
import { authenticate, requireScope } from "../http/auth";
import { jsonBody, jsonResponse } from "../schemas/common";
import { FeastNull, feastError, feastErrors } from "../schemas/feast";
import {
  FeastMaterializeAccepted,
  FeastMaterializeIncrementalRequest,
  FeastMaterializeRequest,
  feastMaterializeFlags,
} from "../schemas/feast-materialize";
import { onlineViews } from "../services/materialize";
import { materializeIncremental, materializeWindow } from "../services/materialize-requests";
import { waitForJob } from "../services/materialize-wait";
import { FeastAnswerError } from "./feast-errors";
import { bodyAsJson } from "./feast-routes";
import { type FeastScope, scopeRequest } from "./feast-scope";
import { registryOf } from "./router";

type Started = Awaited<ReturnType<typeof materializeWindow>> | null;

function timestamp(name: string, value: string): number {
  const ms = parseTimestamp(value);
  if (ms === undefined)
    throw invalid(`Invalid timestamp format: ${name} is not a timestamp (${value})`, { field: name });
  return ms;
}

/** The window of a MaterializeRequest, as Feast's `_parse_materialize_timestamps` reads it. */
function materializeWindowOf(body: {
  start_ts?: string | null;
  end_ts?: string | null;
  disable_event_timestamp: boolean;
}) {
  if (body.disable_event_timestamp) return { start: 0, end: Date.now() };
  if (!body.start_ts || !body.end_ts) {
    throw invalid("start_ts and end_ts are required when disable_event_timestamp is False", {
      fields: ["start_ts", "end_ts"],
    });
  }
  const start = timestamp("start_ts", body.start_ts);
  const end = timestamp("end_ts", body.end_ts);
  if (start >= end) throw invalid(`start_ts (${body.start_ts}) must be before end_ts (${body.end_ts})`, {});
  return { start, end };
}

function refuseVersion(version: string | null | undefined): void {
  if (version) {
    throw invalid(`Feature view versions are not supported: materialize without 'version' (got '${version}')`, {
      field: "version",
    });
  }
}

/** `?async=` as FastAPI reads a bool (the schema has checked the spelling). */
function asyncFlag(c: Context<AppEnv>): boolean {
  return /^(true|1|yes|on|t|y)$/i.test(c.req.query("async") ?? "");
}

/**
 * Answers a started job as Feast does: 202 at once when async, else once it
 * has ended. `null`: no online view to materialize (a project without any),
 * which Feast answers as done.
 */
async function answer(c: Context<AppEnv>, started: Started) {
  if (asyncFlag(c)) {
    return c.json(
      {
        status: "accepted" as const,
        feature_views: started?.feature_views ?? [],
        materialization_id: started?.materialization_id ?? null,
        progress_url: started?.progress_url ?? null,
      },
      202,
    );
  }
  if (!started) return c.json(null, 200);
  const id = started.materialization_id;
  const services = c.get("services");
  const waitMs = services.config.feastMaterializeWaitMs;
  const outcome = await waitForJob(services, id, { timeoutMs: waitMs });
  if (outcome.status === "failed") {
    const reasons = outcome.job.errors.map((e) => `${e.task}: ${e.reason}`).join("; ");
    throw new FeastAnswerError(424, "FeastError", `Materialization ${id} failed: ${reasons || "a task failed"}`);
  }
  if (outcome.status === "running") {
    throw new FeastAnswerError(
      408,
      "FeastError",
      `Materialization ${id} is still ${outcome.job.status} after ${waitMs / 1000} s (FEAST_MATERIALIZE_WAIT_SECONDS); ` +
        `it goes on in the background: GET ${started.progress_url}`,
    );
  }
  c.header("x-larder-materialization-id", id);
  return c.json(null, 200);
}

const responses = {
  200: jsonResponse(
    FeastNull,
    "The job completed: JSON null, as Feast answers (job id in x-larder-materialization-id)",
  ),
  202: jsonResponse(FeastMaterializeAccepted, "With ?async=true: the job started"),
  ...feastErrors,
  408: feastError("The job did not end within FEAST_MATERIALIZE_WAIT_SECONDS; it goes on (FeastError)"),
  424: feastError("The job failed (FeastError naming the failed tasks)"),
} as const;

export function addFeastMaterializeRoutes(app: OpenAPIHono<AppEnv>, scope: FeastScope): void {
  const middleware: MiddlewareHandler<AppEnv>[] = [
    authenticate(),
    ...scope.project,
    requireScope("materialize"),
    bodyAsJson(),
  ];

  app.openapi(
    createRoute({
      method: "post",
      path: `${scope.prefix}/feast/materialize`,
      tags: scope.tags,
      summary: "Feast materialize: materialize [start_ts, end_ts] and answer when the data is online",
      middleware,
      request: { ...scopeRequest(scope, feastMaterializeFlags), ...jsonBody(FeastMaterializeRequest) },
      responses,
    }),
    async (c) => {
      const body = c.req.valid("json");
      refuseVersion(body.version);
      const registry = await registryOf(c);
      const { start, end } = materializeWindowOf(body);
      if (onlineViews(registry, body.feature_views).length === 0) return answer(c, null);
      return answer(c, await materializeWindow(c.get("services"), registry, body.feature_views, start, end));
    },
  );

  app.openapi(
    createRoute({
      method: "post",
      path: `${scope.prefix}/feast/materialize-incremental`,
      tags: scope.tags,
      summary: "Feast materialize-incremental: from each view's last materialized end to end_ts, answered when online",
      middleware,
      request: { ...scopeRequest(scope, feastMaterializeFlags), ...jsonBody(FeastMaterializeIncrementalRequest) },
      responses,
    }),
    async (c) => {
      const body = c.req.valid("json");
      refuseVersion(body.version);
      const registry = await registryOf(c);
      const end = timestamp("end_ts", body.end_ts);
      if (onlineViews(registry, body.feature_views).length === 0) return answer(c, null);
      return answer(c, await materializeIncremental(c.get("services"), registry, body.feature_views, end));
    },
  );
}
