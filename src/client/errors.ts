/**
 * The one error type of the client: every failure of a call, whether the
 * server answered with its error envelope or never answered at all, is a
 * `LarderApiError`. Callers branch on `code`; `status` is 0 when no HTTP
 * answer arrived. Knows no runtime: usable in Node, browsers and Workers.
 */
import type { ErrorCode } from "../domain/errors";

/**
 * Server codes (the envelope's `error.code`) plus the client's own:
 * - `NETWORK_ERROR`: the request could not be sent or its answer read (server down, DNS, TLS, CORS);
 * - `TIMEOUT`: no answer within the client's `timeoutMs`;
 * - `ABORTED`: the caller's signal aborted the call;
 * - `BAD_RESPONSE`: an answer that is not Larder's JSON (a proxy's HTML page, a truncated body);
 * - `HTTP_<status>`: a non-2xx answer without Larder's error envelope.
 */
export type LarderErrorCode =
  | ErrorCode
  | "NETWORK_ERROR"
  | "TIMEOUT"
  | "ABORTED"
  | "BAD_RESPONSE"
  | `HTTP_${number}`
  | (string & {});

export interface LarderApiErrorInit {
  status: number;
  code: LarderErrorCode;
  message: string;
  details?: Record<string, unknown>;
  requestId?: string | null;
  method?: string;
  url?: string;
  cause?: unknown;
}

export class LarderApiError extends Error {
  /** HTTP status of the answer; 0 when there was none. */
  readonly status: number;
  readonly code: LarderErrorCode;
  /** The envelope's `error.details` (e.g. `available_views`, validation `issues`); `{}` when absent. */
  readonly details: Record<string, unknown>;
  /** The server's request id (`x-request-id`), or the id the client sent; null when unknown. */
  readonly requestId: string | null;
  readonly method?: string;
  readonly url?: string;

  constructor(init: LarderApiErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = "LarderApiError";
    this.status = init.status;
    this.code = init.code;
    this.details = init.details ?? {};
    this.requestId = init.requestId ?? null;
    this.method = init.method;
    this.url = init.url;
  }

  /** Whether this is one of the server's not-found codes (FEATURE_VIEW_NOT_FOUND, JOB_NOT_FOUND, ...). */
  get isNotFound(): boolean {
    return this.status === 404;
  }
}

/** The server's error envelope: `{error: {code, message, details}, request_id}`. */
interface Envelope {
  error: { code: string; message: string; details?: Record<string, unknown> };
  request_id?: string;
}

function isEnvelope(body: unknown): body is Envelope {
  if (typeof body !== "object" || body === null) return false;
  const error = (body as { error?: unknown }).error;
  return (
    typeof error === "object" &&
    error !== null &&
    typeof (error as Envelope["error"]).code === "string" &&
    typeof (error as Envelope["error"]).message === "string"
  );
}

/** The error of a non-2xx answer: the envelope's fields when it has one, else `HTTP_<status>` with the text. */
export function errorFromResponse(
  status: number,
  text: string,
  requestId: string | null,
  call: { method: string; url: string },
): LarderApiError {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (isEnvelope(body)) {
    return new LarderApiError({
      status,
      code: body.error.code,
      message: body.error.message,
      details: body.error.details ?? {},
      requestId: body.request_id ?? requestId,
      ...call,
    });
  }
  const snippet = text.trim().slice(0, 200);
  return new LarderApiError({
    status,
    code: `HTTP_${status}`,
    message: `${call.method} ${call.url} answered ${status}${snippet ? `: ${snippet}` : " with an empty body"}`,
    requestId,
    ...call,
  });
}
