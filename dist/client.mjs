// src/client/errors.ts
var LarderApiError = class extends Error {
  /** HTTP status of the answer; 0 when there was none. */
  status;
  code;
  /** The envelope's `error.details` (e.g. `available_views`, validation `issues`); `{}` when absent. */
  details;
  /** The server's request id (`x-request-id`), or the id the client sent; null when unknown. */
  requestId;
  method;
  url;
  constructor(init) {
    super(init.message, init.cause === void 0 ? void 0 : { cause: init.cause });
    this.name = "LarderApiError";
    this.status = init.status;
    this.code = init.code;
    this.details = init.details ?? {};
    this.requestId = init.requestId ?? null;
    this.method = init.method;
    this.url = init.url;
  }
  /** Whether this is one of the server's not-found codes (FEATURE_VIEW_NOT_FOUND, JOB_NOT_FOUND, ...). */
  get isNotFound() {
    return this.status === 404;
  }
};
function isEnvelope(body) {
  if (typeof body !== "object" || body === null) return false;
  const error = body.error;
  return typeof error === "object" && error !== null && typeof error.code === "string" && typeof error.message === "string";
}
function errorFromResponse(status, text, requestId, call) {
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = void 0;
  }
  if (isEnvelope(body)) {
    return new LarderApiError({
      status,
      code: body.error.code,
      message: body.error.message,
      details: body.error.details ?? {},
      requestId: body.request_id ?? requestId,
      ...call
    });
  }
  const snippet = text.trim().slice(0, 200);
  return new LarderApiError({
    status,
    code: `HTTP_${status}`,
    message: `${call.method} ${call.url} answered ${status}${snippet ? `: ${snippet}` : " with an empty body"}`,
    requestId,
    ...call
  });
}

// src/client/follow.ts
var DONE = /* @__PURE__ */ new Set(["completed", "failed"]);
function pause(ms, signal) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(new LarderApiError({ status: 0, code: "ABORTED", message: "Following the job was aborted" }));
      },
      { once: true }
    );
  });
}
async function follow(read, what, opts = {}) {
  const started = Date.now();
  for (; ; ) {
    const status = await read(opts.signal);
    opts.onProgress?.(status);
    if (DONE.has(status.status)) return status;
    if (opts.timeoutMs !== void 0 && Date.now() - started >= opts.timeoutMs) {
      throw new LarderApiError({
        status: 0,
        code: "TIMEOUT",
        message: `${what} is still ${status.status} after ${Math.round(opts.timeoutMs / 1e3)} s`
      });
    }
    await pause(opts.intervalMs ?? 1e3, opts.signal);
  }
}
function followMaterialization(client, id, opts) {
  return follow((signal) => client.getMaterializationStatus(id, { signal }), `Materialization ${id}`, opts);
}
function followHistoricalJob(client, jobId, opts) {
  return follow((signal) => client.getHistoricalJob(jobId, { signal }), `Historical job ${jobId}`, opts);
}
function isHistoricalJob(answer) {
  return "job_id" in answer;
}
async function retrieveHistorical(client, body, opts = {}) {
  const answer = await client.getHistoricalFeatures(body, { signal: opts.signal });
  if (!isHistoricalJob(answer)) {
    return { download_url: answer.download_url, rows_count: answer.metadata.rows_count, response: answer };
  }
  const job = await client.followHistoricalJob(answer.job_id, opts);
  if (job.status !== "completed" || !job.download_url) {
    throw new LarderApiError({
      status: 0,
      code: "JOB_FAILED",
      message: `Historical job ${job.job_id} failed: ${job.errors.map((e) => e.reason).join("; ") || "no reason recorded"}`,
      details: { job_id: job.job_id, errors: job.errors }
    });
  }
  return { download_url: job.download_url, rows_count: job.rows_count, job };
}

// src/client/transport.ts
var API_PREFIX = "/api/v1/features";
function withQuery(path, query) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== void 0) params.set(key, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}
var RETRY_STATUSES = /* @__PURE__ */ new Set([429, 503]);
function newRequestId() {
  return `lc_${crypto.randomUUID().replaceAll("-", "")}`;
}
function sleep(ms, signal) {
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
function retryAfterMs(header) {
  if (!header) return void 0;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1e3;
  const at = Date.parse(header);
  return Number.isNaN(at) ? void 0 : Math.max(0, at - Date.now());
}
var Transport = class {
  origin;
  options;
  constructor(options) {
    let base = options.baseUrl.trim().replace(/\/+$/, "");
    if (base.endsWith(API_PREFIX)) base = base.slice(0, -API_PREFIX.length);
    this.origin = new URL(base).toString().replace(/\/+$/, "");
    this.options = options;
  }
  get project() {
    return this.options.project;
  }
  with(overrides) {
    return { ...this.options, ...overrides };
  }
  url(spec) {
    const absolute = /^https?:\/\//i.test(spec.path);
    const url = new URL(absolute ? spec.path : `${this.origin}${API_PREFIX}${spec.path}`);
    const project = spec.project ?? this.options.project;
    if (spec.scoped !== false && !absolute && project) url.searchParams.set("project", project);
    return url.toString();
  }
  async token() {
    const t = this.options.token;
    return typeof t === "function" ? t() : t;
  }
  /** Sends one call, retrying as the module doc says; resolves with the parsed JSON (or bytes). */
  async send(spec) {
    const url = this.url(spec);
    const requestId = newRequestId();
    const headers = new Headers(this.options.headers);
    headers.set("x-request-id", requestId);
    headers.set("accept", spec.response === "bytes" ? "*/*" : "application/json");
    if (spec.auth !== false) {
      const token = await this.token();
      if (token) headers.set("authorization", `Bearer ${token}`);
    }
    let body;
    if (spec.raw) {
      body = spec.raw.body;
      headers.set("content-type", spec.raw.contentType);
    } else if (spec.body !== void 0) {
      body = JSON.stringify(spec.body);
      headers.set("content-type", "application/json");
    }
    const call = { method: spec.method, url };
    const retries = spec.idempotent ? this.options.retries ?? 3 : 0;
    for (let attempt = 0; ; attempt++) {
      const response = await this.attempt(new Request(url, { method: spec.method, headers, body }), spec, requestId);
      const answeredId = response.headers.get("x-request-id") ?? requestId;
      if (response.ok) return this.read(response, spec, answeredId, call);
      const text = await response.text().catch(() => "");
      if (attempt < retries && RETRY_STATUSES.has(response.status)) {
        const backoff = Math.min(
          this.options.maxRetryDelayMs ?? 5e3,
          (this.options.retryDelayMs ?? 250) * 2 ** attempt * (0.5 + Math.random() / 2)
        );
        const wait = Math.min(
          this.options.maxRetryDelayMs ?? 5e3,
          retryAfterMs(response.headers.get("retry-after")) ?? backoff
        );
        await sleep(wait, spec.signal);
        continue;
      }
      throw errorFromResponse(response.status, text, answeredId, call);
    }
  }
  async attempt(request, spec, requestId) {
    const timeoutMs = this.options.timeoutMs ?? 3e4;
    const signals = [spec.signal, timeoutMs > 0 ? AbortSignal.timeout(timeoutMs) : void 0].filter(
      (s) => s !== void 0
    );
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    const doFetch = this.options.fetch ?? ((r) => fetch(r));
    try {
      return await doFetch(signal ? new Request(request, { signal }) : request);
    } catch (cause) {
      const base = { status: 0, requestId, method: spec.method, url: request.url, cause };
      if (spec.signal?.aborted) throw new LarderApiError({ ...base, code: "ABORTED", message: "The call was aborted" });
      const name = cause?.name;
      if (name === "TimeoutError" || name === "AbortError" && signal?.aborted) {
        throw new LarderApiError({
          ...base,
          code: "TIMEOUT",
          message: `No answer from ${this.origin} within ${timeoutMs} ms`
        });
      }
      const reason = cause instanceof Error ? cause.cause instanceof Error ? cause.cause.message : cause.message : String(cause);
      throw new LarderApiError({
        ...base,
        code: "NETWORK_ERROR",
        message: `Cannot reach Larder at ${this.origin}: ${reason}`
      });
    }
  }
  async read(response, spec, requestId, call) {
    if (spec.response === "bytes") return new Uint8Array(await response.arrayBuffer());
    const text = await response.text();
    try {
      return JSON.parse(text);
    } catch (cause) {
      throw new LarderApiError({
        status: response.status,
        code: "BAD_RESPONSE",
        message: `${call.method} ${call.url} answered ${response.status} with a body that is not JSON: ${text.slice(0, 120)}`,
        requestId,
        cause,
        ...call
      });
    }
  }
};

// src/client/client.ts
var enc = encodeURIComponent;
var LarderClient = class _LarderClient {
  http;
  constructor(options) {
    this.http = new Transport(options);
  }
  /** The server's origin, as normalised from `baseUrl`. */
  get origin() {
    return this.http.origin;
  }
  /** The project calls go to (undefined: the server's default). */
  get project() {
    return this.http.project;
  }
  /** The same client for another project. */
  withProject(project) {
    return new _LarderClient(this.http.with({ project }));
  }
  get(path, opts = {}, scoped = true) {
    return this.http.send({ method: "GET", path, idempotent: true, scoped, ...opts });
  }
  post(path, body, idempotent, opts = {}) {
    return this.http.send({ method: "POST", path, body, idempotent, ...opts });
  }
  remove(path, opts = {}) {
    return this.http.send({ method: "DELETE", path, idempotent: false, ...opts });
  }
  /** GET /health (no token needed). */
  health(opts) {
    return this.http.send({ method: "GET", path: "/health", idempotent: true, auth: false, scoped: false, ...opts });
  }
  /** GET /config: the project's configuration, never a secret. */
  config(opts) {
    return this.get("/config", opts);
  }
  /** GET /openapi.json: the OpenAPI 3.1 document of the API. */
  openapi(opts) {
    return this.get("/openapi.json", opts, false);
  }
  listFeatureViews(opts) {
    return this.get("/feature-views", opts);
  }
  getFeatureView(name, opts) {
    return this.get(`/feature-views/${enc(name)}`, opts);
  }
  listEntities(opts) {
    return this.get("/entities", opts);
  }
  listFeatureServices(opts) {
    return this.get("/feature-services", opts);
  }
  listPushSources(opts) {
    return this.get("/push-sources", opts);
  }
  listDataSources(opts) {
    return this.get("/data-sources", opts);
  }
  deleteFeatureView(name, opts) {
    return this.remove(`/feature-views/${enc(name)}`, opts);
  }
  deleteEntity(name, opts) {
    return this.remove(`/entities/${enc(name)}`, opts);
  }
  deleteFeatureService(name, opts) {
    return this.remove(`/feature-services/${enc(name)}`, opts);
  }
  deletePushSource(name, opts) {
    return this.remove(`/push-sources/${enc(name)}`, opts);
  }
  deleteDataSource(name, opts) {
    return this.remove(`/data-sources/${enc(name)}`, opts);
  }
  /** POST /apply: atomic; with `replace: true` the body is the whole registry (objects it omits are deleted). */
  apply(body, opts) {
    return this.post("/apply", body, Boolean(body.dry_run), opts);
  }
  /** POST /apply with `dry_run: true`: what apply would create, update and delete; changes nothing. */
  plan(body, opts) {
    return this.post("/apply", { ...body, dry_run: true }, true, opts);
  }
  /** POST /refresh-registry: rebuild the registry snapshot from D1. */
  refreshRegistry(opts) {
    return this.post("/refresh-registry", void 0, false, opts);
  }
  /** POST /online-features (a read: retried on 429/503). */
  getOnlineFeatures(body, opts) {
    return this.post("/online-features", body, true, opts);
  }
  getPipelineFeatures(body, opts) {
    return this.post("/pipeline-features", body, true, opts);
  }
  getUserFeatures(body, opts) {
    return this.post("/user-features", body, true, opts);
  }
  getConnectorFeatures(body, opts) {
    return this.post("/connector-features", body, true, opts);
  }
  /** POST /push-features: rows validated one by one; bad rows come back in `errors`. Never retried. */
  pushFeatures(body, opts) {
    return this.post("/push-features", body, false, opts);
  }
  /**
   * POST /data-sources/{name}/ingest: JSON rows (`{rows}`, at most 100,000) or a Parquet file's bytes.
   * Never retried (a repeat would append the rows twice).
   */
  ingest(source, rows, opts) {
    const path = `/data-sources/${enc(source)}/ingest`;
    if (rows instanceof Uint8Array || rows instanceof ArrayBuffer || typeof Blob !== "undefined" && rows instanceof Blob) {
      const raw = { body: rows, contentType: "application/vnd.apache.parquet" };
      return this.http.send({ method: "POST", path, raw, idempotent: false, ...opts });
    }
    return this.post(path, rows, false, opts);
  }
  /** POST /data-sources/{name}/scan: adopt Parquet files dropped under the source's prefix. */
  scanDataSource(source, body = {}, opts) {
    return this.post(`/data-sources/${enc(source)}/scan`, body, false, opts);
  }
  /**
   * POST /historical-features: the joined rows and a signed Parquet link, or (large or `async`
   * requests) an accepted job; tell them apart with `isHistoricalJob`. Not retried.
   */
  getHistoricalFeatures(body, opts) {
    return this.post("/historical-features", body, false, opts);
  }
  /** GET /historical-features/{job_id}. */
  getHistoricalJob(jobId, opts) {
    return this.get(`/historical-features/${enc(jobId)}`, opts);
  }
  /** Polls a historical job until it completes or fails; resolves with its last status. */
  followHistoricalJob(jobId, opts) {
    return followHistoricalJob(this, jobId, opts);
  }
  /** Historical features to the end: answered at once, or as a job followed to completion. */
  retrieveHistorical(body, opts) {
    return retrieveHistorical(this, body, opts);
  }
  /** GET a signed export link (`download_url`): the Parquet file's bytes. Sends no token. */
  downloadExport(downloadUrl, opts) {
    const path = new URL(downloadUrl, this.origin).toString();
    return this.http.send({
      method: "GET",
      path,
      idempotent: true,
      auth: false,
      scoped: false,
      response: "bytes",
      ...opts
    });
  }
  /** POST /materialize: starts a job for [start_date, end_date]. Not retried. */
  materialize(body, opts) {
    return this.post("/materialize", body, false, opts);
  }
  /** POST /materialize-incremental: from each view's materialized end up to `end_date` (default now). */
  materializeIncremental(body = {}, opts) {
    return this.post("/materialize-incremental", body, false, opts);
  }
  /** GET /materialization-status/{id}. */
  getMaterializationStatus(id, opts) {
    return this.get(`/materialization-status/${enc(id)}`, opts);
  }
  /** Polls a materialization until it completes or fails; resolves with its last status. */
  followMaterialization(id, opts) {
    return followMaterialization(this, id, opts);
  }
  /** GET /jobs: the project's materialization and historical jobs, newest first (`kind`, `status`, `limit`). */
  listJobs(query = {}, opts) {
    return this.get(withQuery("/jobs", query), opts);
  }
  /** GET /feature-views/{name}/stats. */
  getFeatureViewStats(name, opts) {
    return this.get(`/feature-views/${enc(name)}/stats`, opts);
  }
};

// src/client/binding.ts
var BINDING_ERROR_MARKER = "larder-error ";
function bindingError(err) {
  if (err instanceof LarderApiError) return err;
  const message = err instanceof Error ? err.message : typeof err === "string" ? err : "";
  const line = message.split("\n").find((l) => l.startsWith(BINDING_ERROR_MARKER));
  if (!line) return void 0;
  try {
    const parsed = JSON.parse(line.slice(BINDING_ERROR_MARKER.length));
    return new LarderApiError({
      status: 0,
      code: parsed.code,
      message: parsed.message,
      details: parsed.details ?? {},
      requestId: parsed.request_id ?? null,
      cause: err
    });
  } catch {
    return void 0;
  }
}
async function decoded(call) {
  try {
    return await call();
  } catch (err) {
    throw bindingError(err) ?? err;
  }
}
function larderBinding(binding) {
  return {
    getOnlineFeatures: (request) => decoded(() => binding.getOnlineFeatures(request)),
    pushFeatures: (request) => decoded(() => binding.pushFeatures(request)),
    getHistoricalFeatures: (request) => decoded(() => binding.getHistoricalFeatures(request))
  };
}
export {
  API_PREFIX,
  LarderApiError,
  LarderClient,
  bindingError,
  isHistoricalJob,
  larderBinding
};
