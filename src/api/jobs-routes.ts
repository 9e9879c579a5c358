/**
 * GET /jobs: the request's project's materialization and historical jobs,
 * newest first (`kind`, `status`, `limit`).
 *
 * Scope: `registry:read`. The list is operational metadata about the
 * project's views (which were materialized or read, when, how many rows,
 * how long, what failed): the same kind of facts as the stats route
 * (last materialization, freshness), which `registry:read` guards too, and
 * what an observer (a dashboard, the console) needs without being able to
 * start jobs (`materialize`) or read training data (`offline:read`). It
 * holds no feature values and no download link: a historical job's signed
 * link stays behind `offline:read` on its own status route.
 */
import { createRoute } from "@hono/zod-openapi";
import { requireScope } from "../http/auth";
import { measure } from "../http/request-context";
import { commonErrors, jsonResponse } from "../schemas/common";
import { JobsQuery, JobsResponse } from "../schemas/jobs";
import { listJobs } from "../services/jobs-list";
import { router } from "./router";

export const jobsRoutes = router();

jobsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/jobs",
    tags: ["materialization"],
    summary: "The project's materialization and historical jobs, newest first",
    middleware: [requireScope("registry:read")] as const,
    request: { query: JobsQuery },
    responses: { 200: jsonResponse(JobsResponse, "Jobs, newest first"), ...commonErrors },
  }),
  async (c) => {
    const { kind, status, limit } = c.req.valid("query");
    return c.json(await measure(c, "d1", listJobs(c.get("services"), c.get("project"), { kind, status, limit })), 200);
  },
);
