/**
 * The one place where a failure becomes an HTTP status and the error
 * envelope `{error: {code, message, details}, request_id}`. Used by the app's
 * `onError` (and, through `feastErrorDetail`, by the Feast routes' own form).
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { type ErrorCode, type ErrorDetails, LarderError } from "../domain/errors";

export const ERROR_STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  VALIDATION_ERROR: 400,
  MALFORMED_JSON: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  PROJECT_NOT_FOUND: 404,
  FEATURE_VIEW_NOT_FOUND: 404,
  FEATURE_NOT_FOUND: 404,
  ENTITY_NOT_FOUND: 404,
  FEATURE_SERVICE_NOT_FOUND: 404,
  DATA_SOURCE_NOT_FOUND: 404,
  PUSH_SOURCE_NOT_FOUND: 404,
  MATERIALIZATION_NOT_FOUND: 404,
  JOB_NOT_FOUND: 404,
  EXPORT_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  RANGE_NOT_SATISFIABLE: 416,
  UNSUPPORTED_MEDIA_TYPE: 415,
  INTERNAL: 500,
};

export interface ErrorEnvelope {
  error: { code: ErrorCode; message: string; details: ErrorDetails };
  request_id: string;
}

/** An HTTPException-like object thrown by Hono's own middleware. */
interface HttpStatusError {
  status: number;
  message: string;
}

function isHttpStatusError(err: unknown): err is HttpStatusError {
  return typeof err === "object" && err !== null && typeof (err as HttpStatusError).status === "number";
}

/** Any thrown value as a LarderError: Hono's HTTP errors by their status, anything else INTERNAL. */
function asLarderError(err: unknown): LarderError {
  if (err instanceof LarderError) return err;
  if (isHttpStatusError(err) && err.status === 413)
    return new LarderError("PAYLOAD_TOO_LARGE", "Request body is too large");
  if (isHttpStatusError(err) && err.status === 400 && /json/i.test(err.message)) {
    return new LarderError("MALFORMED_JSON", "Request body is not valid JSON", {
      hint: "send a JSON object with Content-Type: application/json",
    });
  }
  if (isHttpStatusError(err) && err.status >= 400 && err.status < 500) {
    return new LarderError(err.status === 401 ? "UNAUTHENTICATED" : "VALIDATION_ERROR", err.message || "Bad request");
  }
  return new LarderError("INTERNAL", "Internal error; the request id identifies it in the logs", {}, { cause: err });
}

/**
 * Maps any thrown value to a status and envelope. INTERNAL errors are logged
 * with their cause and the request id; their message never shows the cause.
 */
export function toHttpError(
  err: unknown,
  requestId: string,
): { status: ContentfulStatusCode; body: ErrorEnvelope; headers: Record<string, string> } {
  const error = asLarderError(err);
  if (error.code === "INTERNAL") console.error(`request ${requestId}: ${error.message}`, error.cause ?? error);
  // RFC 9110: a 416 says how long the representation is.
  const headers: Record<string, string> =
    error.code === "RANGE_NOT_SATISFIABLE" ? { "content-range": `bytes */${Number(error.details.size)}` } : {};
  return {
    status: ERROR_STATUS[error.code],
    body: { error: { code: error.code, message: error.message, details: error.details }, request_id: requestId },
    headers,
  };
}
