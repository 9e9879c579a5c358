/**
 * HTTP for the client: base URL and API prefix, bearer token, project,
 * request id, timeout, and retries. Uses only `fetch`, `AbortSignal`,
 * `URL` and `crypto.randomUUID` (Node 20+, browsers, Workers).
 *
 * Retries: only calls marked idempotent (reads, plans) and only on 429 and
 * 503, up to `retries` more attempts, waiting `Retry-After` when the server
 * gives one (capped) and otherwise an exponential backoff with jitter. Writes
 * (push, ingest, apply, materialize, delete, historical jobs) are never
 * retried: a repeated push or ingest would add rows twice offline.
 */
import { errorFromResponse, LarderApiError } from "./errors";

export const API_PREFIX = "/api/v1/features";

export interface LarderClientOptions {
  /** The Worker's origin, e.g. `http://127.0.0.1:8787` (a trailing `/api/v1/features` is accepted too). */
  baseUrl: string;
  /** Bearer token, or a function giving one per call (refreshing tokens). Omit for the open routes only. */
  token?: string | null | (() => string | null | Promise<string | null>);
  /** `?project=` of every call; the server's DEFAULT_PROJECT when omitted. */
  project?: string;
  /** The fetch to use: a service binding's `fetch`, a test's `exports.default.fetch`. Default: global fetch. */
  fetch?: (request: Request) => Promise<Response>;
  /** Per-attempt timeout in ms (default 30,000; 0 disables). */
  timeoutMs?: number;
  /** Extra attempts of idempotent calls on 429/503 (default 3). */
  retries?: number;
  /** First backoff delay in ms (default 250), doubled per attempt, at most `maxRetryDelayMs` (default 5,000). */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Headers sent with every call. */
  headers?: Record<string, string>;
}

export interface CallOptions {
  /** Aborts the call (and its retries). */
  signal?: AbortSignal;
  /** Overrides the client's project for this call. */
  project?: string;
}

export interface RequestSpec extends CallOptions {
  method: "GET" | "POST" | "DELETE";
  /** Path under /api/v1/features, or an absolute URL (signed export links). */
  path: string;
  body?: unknown;
  /** A raw body (Parquet bytes) with its content type. */
  raw?: { body: BodyInit; contentType: string };
  idempotent: boolean;
  /** Whether to send the token (export links carry their own signature). */
  auth?: boolean;
  /** Whether to add `?project=`. */
  scoped?: boolean;
  response?: "json" | "bytes";
}

/** `path` with the defined entries of `query` as its query string. */
export function withQuery(path: string, query: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

const RETRY_STATUSES = new Set([429, 503]);

function newRequestId(): string {
  return `lc_${crypto.randomUUID().replaceAll("-", "")}`;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Seconds or an HTTP date, as ms; undefined when absent or unreadable. */
function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

export class Transport {
  readonly origin: string;
  private readonly options: LarderClientOptions;

  constructor(options: LarderClientOptions) {
    let base = options.baseUrl.trim().replace(/\/+$/, "");
    if (base.endsWith(API_PREFIX)) base = base.slice(0, -API_PREFIX.length);
    // Throws a TypeError naming the URL when it is not one.
    this.origin = new URL(base).toString().replace(/\/+$/, "");
    this.options = options;
  }

  get project(): string | undefined {
    return this.options.project;
  }

  with(overrides: Partial<LarderClientOptions>): LarderClientOptions {
    return { ...this.options, ...overrides };
  }

  url(spec: Pick<RequestSpec, "path" | "project" | "scoped">): string {
    const absolute = /^https?:\/\//i.test(spec.path);
    const url = new URL(absolute ? spec.path : `${this.origin}${API_PREFIX}${spec.path}`);
    const project = spec.project ?? this.options.project;
    if (spec.scoped !== false && !absolute && project) url.searchParams.set("project", project);
    return url.toString();
  }

  private async token(): Promise<string | null | undefined> {
    const t = this.options.token;
    return typeof t === "function" ? t() : t;
  }

  /** Sends one call, retrying as the module doc says; resolves with the parsed JSON (or bytes). */
  async send<T>(spec: RequestSpec): Promise<T> {
    const url = this.url(spec);
    const requestId = newRequestId();
    const headers = new Headers(this.options.headers);
    headers.set("x-request-id", requestId);
    headers.set("accept", spec.response === "bytes" ? "*/*" : "application/json");
    if (spec.auth !== false) {
      const token = await this.token();
      if (token) headers.set("authorization", `Bearer ${token}`);
    }
    let body: BodyInit | undefined;
    if (spec.raw) {
      body = spec.raw.body;
      headers.set("content-type", spec.raw.contentType);
    } else if (spec.body !== undefined) {
      body = JSON.stringify(spec.body);
      headers.set("content-type", "application/json");
    }
    const call = { method: spec.method, url };
    const retries = spec.idempotent ? (this.options.retries ?? 3) : 0;
    for (let attempt = 0; ; attempt++) {
      const response = await this.attempt(new Request(url, { method: spec.method, headers, body }), spec, requestId);
      const answeredId = response.headers.get("x-request-id") ?? requestId;
      if (response.ok) return this.read<T>(response, spec, answeredId, call);
      const text = await response.text().catch(() => "");
      if (attempt < retries && RETRY_STATUSES.has(response.status)) {
        const backoff = Math.min(
          this.options.maxRetryDelayMs ?? 5000,
          (this.options.retryDelayMs ?? 250) * 2 ** attempt * (0.5 + Math.random() / 2),
        );
        const wait = Math.min(
          this.options.maxRetryDelayMs ?? 5000,
          retryAfterMs(response.headers.get("retry-after")) ?? backoff,
        );
        await sleep(wait, spec.signal);
        continue;
      }
      throw errorFromResponse(response.status, text, answeredId, call);
    }
  }

  private async attempt(request: Request, spec: RequestSpec, requestId: string): Promise<Response> {
    const timeoutMs = this.options.timeoutMs ?? 30_000;
    const signals = [spec.signal, timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : undefined].filter(
      (s): s is AbortSignal => s !== undefined,
    );
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    const doFetch = this.options.fetch ?? ((r: Request) => fetch(r));
    try {
      return await doFetch(signal ? new Request(request, { signal }) : request);
    } catch (cause) {
      const base = { status: 0, requestId, method: spec.method, url: request.url, cause };
      if (spec.signal?.aborted) throw new LarderApiError({ ...base, code: "ABORTED", message: "The call was aborted" });
      const name = (cause as { name?: string })?.name;
      if (name === "TimeoutError" || (name === "AbortError" && signal?.aborted)) {
        throw new LarderApiError({
          ...base,
          code: "TIMEOUT",
          message: `No answer from ${this.origin} within ${timeoutMs} ms`,
        });
      }
      const reason =
        cause instanceof Error ? (cause.cause instanceof Error ? cause.cause.message : cause.message) : String(cause);
      throw new LarderApiError({
        ...base,
        code: "NETWORK_ERROR",
        message: `Cannot reach Larder at ${this.origin}: ${reason}`,
      });
    }
  }

  private async read<T>(
    response: Response,
    spec: RequestSpec,
    requestId: string,
    call: { method: string; url: string },
  ): Promise<T> {
    if (spec.response === "bytes") return new Uint8Array(await response.arrayBuffer()) as T;
    const text = await response.text();
    try {
      return JSON.parse(text) as T;
    } catch (cause) {
      throw new LarderApiError({
        status: response.status,
        code: "BAD_RESPONSE",
        message: `${call.method} ${call.url} answered ${response.status} with a body that is not JSON: ${text.slice(0, 120)}`,
        requestId,
        cause,
        ...call,
      });
    }
  }
}
