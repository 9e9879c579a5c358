/**
 * Coded errors. Domain, store and service code throws `LarderError` with one
 * of these codes and knows nothing of HTTP; `src/http/error-response.ts` is
 * the one place that maps a code to a status and the error envelope. A
 * wrapped failure keeps the original error as `cause`, which the mapping
 * logs for INTERNAL (and never shows).
 */
export const ERROR_CODES = [
  "VALIDATION_ERROR",
  "MALFORMED_JSON",
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "NOT_FOUND",
  "PROJECT_NOT_FOUND",
  "FEATURE_VIEW_NOT_FOUND",
  "FEATURE_NOT_FOUND",
  "ENTITY_NOT_FOUND",
  "FEATURE_SERVICE_NOT_FOUND",
  "DATA_SOURCE_NOT_FOUND",
  "PUSH_SOURCE_NOT_FOUND",
  "MATERIALIZATION_NOT_FOUND",
  "JOB_NOT_FOUND",
  "EXPORT_NOT_FOUND",
  "METHOD_NOT_ALLOWED",
  "CONFLICT",
  "PAYLOAD_TOO_LARGE",
  "RANGE_NOT_SATISFIABLE",
  "UNSUPPORTED_MEDIA_TYPE",
  "INTERNAL",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export type ErrorDetails = Record<string, unknown>;

export class LarderError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "LarderError";
  }
}

/** Shortcut for the most common failure: input that breaks a rule. */
export function invalid(message: string, details: ErrorDetails = {}): LarderError {
  return new LarderError("VALIDATION_ERROR", message, details);
}

/** A failure of the platform itself (a binding errored), keeping what it threw as `cause`. */
export function internal(message: string, cause: unknown, details: ErrorDetails = {}): LarderError {
  return new LarderError("INTERNAL", message, details, { cause });
}
