/**
 * Coded errors. Domain code throws `LarderError` with a code from `ERROR_STATUS`;
 * `toHttpError` (used by the app's one `onError`) is the only place that turns
 * any failure into an HTTP status and the error envelope.
 */
export const ERROR_STATUS = {
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
  UNSUPPORTED_MEDIA_TYPE: 415,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export type ErrorDetails = Record<string, unknown>;

export class LarderError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
    this.name = "LarderError";
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export interface ErrorEnvelope {
  error: { code: ErrorCode; message: string; details: ErrorDetails };
  request_id: string;
}

/** Shortcut for the most common failure: input that breaks a rule. */
export function invalid(message: string, details: ErrorDetails = {}): LarderError {
  return new LarderError("VALIDATION_ERROR", message, details);
}

/** An HTTPException-like object thrown by Hono's own middleware. */
interface HttpStatusError {
  status: number;
  message: string;
}

function isHttpStatusError(err: unknown): err is HttpStatusError {
  return typeof err === "object" && err !== null && typeof (err as HttpStatusError).status === "number";
}

/**
 * Maps any thrown value to a status and envelope. Unknown errors become
 * INTERNAL with a generic message (the cause is logged, never shown).
 */
export function toHttpError(err: unknown, requestId: string): { status: number; body: ErrorEnvelope } {
  let error: LarderError;
  if (err instanceof LarderError) {
    error = err;
  } else if (isHttpStatusError(err) && err.status === 413) {
    error = new LarderError("PAYLOAD_TOO_LARGE", "Request body is too large", {});
  } else if (isHttpStatusError(err) && err.status === 400 && /json/i.test(err.message)) {
    error = new LarderError("MALFORMED_JSON", "Request body is not valid JSON", {
      hint: "send a JSON object with Content-Type: application/json",
    });
  } else if (isHttpStatusError(err) && err.status >= 400 && err.status < 500) {
    error = new LarderError(err.status === 401 ? "UNAUTHENTICATED" : "VALIDATION_ERROR", err.message || "Bad request");
  } else {
    console.error("unhandled error", err);
    error = new LarderError("INTERNAL", "Internal error; the request id identifies it in the logs");
  }
  return {
    status: error.status,
    body: { error: { code: error.code, message: error.message, details: error.details }, request_id: requestId },
  };
}
