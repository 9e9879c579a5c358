/**
 * Errors of the Feast-compatible routes in Feast's form.
 *
 * Feast's feature server answers a `FeastError` with
 * `JSONResponse(status_code=exc.http_status_code(), content=exc.to_error_detail())`,
 * where `to_error_detail()` is `json.dumps({"module", "class", "message"})`: a
 * *string*, so the body is that JSON text encoded once more as a JSON string.
 * Feast's REST client (`rest_error_handler.py`) runs
 * `FeastError.from_error_detail(response.json())`, which imports
 * `module.class` (only `feast.*` modules) and raises it with the message.
 * This file reproduces that body exactly, so a Feast client re-raises e.g.
 * `FeatureViewNotFoundException` for a Larder error.
 *
 * Mapping (Larder code → Feast class, status):
 * - FEATURE_VIEW_NOT_FOUND → FeatureViewNotFoundException, 404 (Feast's message text)
 * - FEATURE_SERVICE_NOT_FOUND → FeatureServiceNotFoundException, 404 (Feast's text)
 * - PUSH_SOURCE_NOT_FOUND → PushSourceNotFoundException, 422 (Feast's text and status)
 * - ENTITY_NOT_FOUND → EntityNotFoundException, 404 (an `entities` column no
 *   requested view joins on is ignored, as Feast ignores it: see
 *   domain/feast-entities.ts)
 * - DATA_SOURCE_NOT_FOUND → DataSourceObjectNotFoundException, 404
 * - FEATURE_NOT_FOUND → FeastObjectNotFoundException (the base of Feast's
 *   not-found errors; Feast itself raises a plain KeyError here), 404
 * - FORBIDDEN → FeastPermissionError, 403 (message prefixed like Feast's)
 * - a bare-name collision → FeatureNameCollisionError, 400
 * - a `FeastAnswerError` (an answer only a Feast route gives: a failed or
 *   unfinished synchronous materialization, an unsupported operation) → its
 *   own class and status
 * - everything else → FeastError with Larder's status (400, 401, 413, 500, ...)
 *   and message. Feast answers many bad inputs with a 500 (ValueError,
 *   KeyError) or FastAPI's 422 `{"detail": [...]}`; Larder keeps a 4xx that
 *   says what to fix, in the error-detail form.
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ErrorCode, ErrorDetails } from "../domain/errors";
import type { AppEnv } from "../http/app-env";
import { toHttpError } from "../http/error-response";

const FEAST_ERRORS_MODULE = "feast.errors";

export interface FeastErrorDetail {
  module: string;
  class: string;
  message: string;
}

interface Mapping {
  status?: number;
  className: string;
  /** Feast's own message text, when Feast has one for this class. */
  message?: string;
}

type Rule = (message: string, details: ErrorDetails, project: string) => Mapping;

const RULES: Partial<Record<ErrorCode, Rule>> = {
  FEATURE_VIEW_NOT_FOUND: (_m, d, project) => ({
    className: "FeatureViewNotFoundException",
    message: `Feature view ${String(d.feature_view)} does not exist in project ${project}`,
  }),
  FEATURE_SERVICE_NOT_FOUND: (_m, d, project) => ({
    className: "FeatureServiceNotFoundException",
    message: `Feature service ${String(d.feature_service)} does not exist in project ${project}`,
  }),
  PUSH_SOURCE_NOT_FOUND: (_m, d) => ({
    status: 422,
    className: "PushSourceNotFoundException",
    message: `Unable to find push source '${String(d.push_source)}'.`,
  }),
  ENTITY_NOT_FOUND: () => ({ className: "EntityNotFoundException" }),
  DATA_SOURCE_NOT_FOUND: () => ({ className: "DataSourceObjectNotFoundException" }),
  FEATURE_NOT_FOUND: () => ({ className: "FeastObjectNotFoundException" }),
  FORBIDDEN: (m) => ({ className: "FeastPermissionError", message: `Permission error:\n${m}` }),
  VALIDATION_ERROR: (_m, d) => ({ className: Array.isArray(d.collision) ? "FeatureNameCollisionError" : "FeastError" }),
};

/**
 * A failure only a Feast route answers, with the Feast class and HTTP status
 * the route chose (Larder's own routes have no such answer).
 */
export class FeastAnswerError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly className: string,
    message: string,
  ) {
    super(message);
    this.name = "FeastAnswerError";
  }
}

/** The status and error detail Feast would answer for `err`. */
export function feastErrorDetail(
  err: unknown,
  requestId: string,
  project: string,
): { status: number; detail: FeastErrorDetail } {
  if (err instanceof FeastAnswerError) {
    return { status: err.status, detail: { module: FEAST_ERRORS_MODULE, class: err.className, message: err.message } };
  }
  const { status, body } = toHttpError(err, requestId);
  const { code, message, details } = body.error;
  const mapping = RULES[code]?.(message, details, project) ?? { className: "FeastError" };
  return {
    status: mapping.status ?? status,
    detail: { module: FEAST_ERRORS_MODULE, class: mapping.className, message: mapping.message ?? message },
  };
}

/** `json.dumps(detail)` as Python writes it: `", "` and `": "` separators, non-ASCII escaped. */
function pythonJsonDumps(detail: FeastErrorDetail): string {
  const text = `{"module": ${JSON.stringify(detail.module)}, "class": ${JSON.stringify(detail.class)}, "message": ${JSON.stringify(detail.message)}}`;
  return text.replace(/[\u0080-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** The router's `onError`: every failure on a Feast route, in Feast's wire form. */
export function feastErrorHandler(err: Error, c: Context<AppEnv>): Response {
  const project = c.get("project") ?? c.req.query("project") ?? c.get("services").config.defaultProject;
  const { status, detail } = feastErrorDetail(err, c.get("requestId") ?? "unknown", project);
  // c.json encodes the detail text once more: the body is a JSON string, as Feast's.
  return c.json(pythonJsonDumps(detail), status as ContentfulStatusCode);
}
