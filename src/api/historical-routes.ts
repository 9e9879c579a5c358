/**
 * POST /historical-features (point-in-time-correct training data, inline and
 * as one signed Parquet link), GET /historical-features/{job_id}, and the
 * signed download GET /exports/{id} (mounted without bearer auth).
 */
import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../http/app-env";
import { LarderError } from "../domain/errors";
import { requireScope } from "../http/auth";
import { byteRange } from "../http/byte-range";
import { measure } from "../http/request-context";
import { EXPORT_CONTENT_TYPE } from "../offline/exports";
import {
  commonErrors,
  jsonBody,
  jsonResponse,
  notFound,
  ProjectQuery,
  rangeNotSatisfiable,
  tooLarge,
} from "../schemas/common";
import {
  HistoricalJobAccepted,
  HistoricalJobStatus,
  HistoricalHttpRequest,
  HistoricalResponse,
} from "../schemas/historical";
import { exportForLink, historicalFeatures, historicalJobStatus } from "../services/historical-request";
import { registryOf, router } from "./router";

export const historicalRoutes = router();
export const exportRoutes = router();

const canRead = requireScope("offline:read");

function origin(c: Context<AppEnv>): string {
  return new URL(c.req.url).origin;
}

historicalRoutes.openapi(
  createRoute({
    method: "post",
    path: "/historical-features",
    tags: ["offline"],
    summary: "Point-in-time-correct features for training (inline + signed Parquet link, or a job)",
    middleware: [canRead] as const,
    request: { query: ProjectQuery, ...jsonBody(HistoricalHttpRequest) },
    responses: {
      200: jsonResponse(HistoricalResponse, "Joined rows"),
      202: jsonResponse(HistoricalJobAccepted, "Accepted as a job"),
      ...commonErrors,
      ...notFound,
      ...tooLarge,
    },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const registry = await registryOf(c);
    const answer = historicalFeatures(c.get("services"), registry, body, origin(c), c.get("startedAt"));
    const { status, body: response } = await measure(c, "join", answer);
    return status === 202 ? c.json(response, 202) : c.json(response, 200);
  },
);

historicalRoutes.openapi(
  createRoute({
    method: "get",
    path: "/historical-features/{job_id}",
    tags: ["offline"],
    summary: "Status of a historical-retrieval job, with its download link when done",
    middleware: [canRead] as const,
    request: {
      params: z.object({ job_id: z.string().openapi({ param: { name: "job_id", in: "path" } }) }),
      query: ProjectQuery,
    },
    responses: { 200: jsonResponse(HistoricalJobStatus, "Job status"), ...commonErrors, ...notFound },
  }),
  async (c) => {
    const { job_id } = c.req.valid("param");
    return c.json(await historicalJobStatus(c.get("services"), c.get("project"), job_id, origin(c)), 200);
  },
);

exportRoutes.openapi(
  createRoute({
    method: "get",
    path: "/exports/{id}",
    tags: ["offline"],
    summary: "Download an export (signed link; no bearer token). Supports one Range.",
    security: [],
    request: {
      params: z.object({ id: z.string().openapi({ param: { name: "id", in: "path" } }) }),
      query: z.object({
        project: z.string().optional(),
        expires: z.string().optional(),
        signature: z.string().optional(),
      }),
    },
    responses: {
      200: {
        description: "The Parquet file",
        content: { [EXPORT_CONTENT_TYPE]: { schema: z.string().openapi({ format: "binary" }) } },
      },
      206: {
        description: "A byte range of it",
        content: { [EXPORT_CONTENT_TYPE]: { schema: z.string().openapi({ format: "binary" }) } },
      },
      403: commonErrors[403],
      404: notFound[404],
      416: rangeNotSatisfiable[416],
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const services = c.get("services");
    const record = await exportForLink(services, id, c.req.valid("query"));
    const range = byteRange(c.req.header("range"), record.bytes);
    const object = await services.exports.open(
      record,
      range && { offset: range.start, length: range.end - range.start + 1 },
    );
    if (!object) throw new LarderError("EXPORT_NOT_FOUND", `Export '${id}' is no longer stored`, { export_id: id });
    const headers = new Headers({
      "content-type": EXPORT_CONTENT_TYPE,
      "accept-ranges": "bytes",
      "content-disposition": `attachment; filename="${id}.parquet"`,
    });
    const body = c.req.method === "HEAD" ? null : object.body;
    if (range) {
      headers.set("content-range", `bytes ${range.start}-${range.end}/${record.bytes}`);
      headers.set("content-length", String(range.end - range.start + 1));
      return new Response(body, { status: 206, headers }) as never;
    }
    headers.set("content-length", String(record.bytes));
    return new Response(body, { status: 200, headers }) as never;
  },
);
