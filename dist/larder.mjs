// cli/main.ts
import { Command, CommanderError } from "commander";

// cli/commands/historical.ts
import { writeFileSync } from "node:fs";

// cli/context.ts
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseDocument } from "yaml";

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
  return new Promise((resolve5, reject2) => {
    const timer = setTimeout(resolve5, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject2(new LarderApiError({ status: 0, code: "ABORTED", message: "Following the job was aborted" }));
      },
      { once: true }
    );
  });
}
async function follow(read, what, opts = {}) {
  const started2 = Date.now();
  for (; ; ) {
    const status = await read(opts.signal);
    opts.onProgress?.(status);
    if (DONE.has(status.status)) return status;
    if (opts.timeoutMs !== void 0 && Date.now() - started2 >= opts.timeoutMs) {
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
  return new Promise((resolve5, reject2) => {
    if (signal?.aborted) return reject2(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve5();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject2(signal?.reason);
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

// cli/errors.ts
var CliError = class extends Error {
  constructor(message, lines = [], exitCode = 1) {
    super(message);
    this.lines = lines;
    this.exitCode = exitCode;
    this.name = "CliError";
  }
};
function apiHints(err) {
  const hints = [];
  const d = err.details;
  if (err.code === "NETWORK_ERROR" || err.code === "TIMEOUT") {
    hints.push("Is Larder running? Start it with `npm start`, or point the CLI at it with --url or LARDER_URL.");
  } else if (err.code === "UNAUTHENTICATED") {
    hints.push("Give a valid token with --token or LARDER_TOKEN (`larder token` mints a local dev token).");
  } else if (err.code === "FORBIDDEN" && d.required_scope) {
    hints.push(`The token needs the ${[d.required_scope].flat().join(" or ")} scope.`);
  }
  for (const [key, label2] of [
    ["available_views", "Available feature views"],
    ["available_services", "Available feature services"],
    ["available", "Available"]
  ]) {
    if (Array.isArray(d[key]) && d[key].length > 0)
      hints.push(`${label2}: ${d[key].join(", ")}`);
  }
  if (Array.isArray(d.issues)) {
    for (const issue of d.issues) {
      hints.push(`${issue.path ? `${issue.path}: ` : ""}${issue.message ?? ""}`);
    }
  }
  if (err.requestId && err.status !== 0) hints.push(`(request id ${err.requestId})`);
  return hints;
}
function reportError(err, write = (l) => process.stderr.write(`${l}
`)) {
  if (err instanceof CliError) {
    write(`error: ${err.message}`);
    for (const line of err.lines) write(`  ${line}`);
    return err.exitCode;
  }
  if (err instanceof LarderApiError) {
    const code = err.code === "NETWORK_ERROR" || err.code === "TIMEOUT" ? "" : ` (${err.code})`;
    write(`error: ${err.message}${code}`);
    for (const hint of apiHints(err)) write(`  ${hint}`);
    return 1;
  }
  const message = err instanceof Error ? err.message : String(err);
  write(`error: ${message}`);
  if (process.env.LARDER_DEBUG && err instanceof Error && err.stack) write(err.stack);
  else write("  (set LARDER_DEBUG=1 to see where it happened)");
  return 1;
}

// cli/context.ts
var CONFIG_FILE = "larder.yaml";
var DEFAULT_URL = "http://127.0.0.1:8787";
function workDir(opts) {
  const dir = resolve(opts.directory ?? ".");
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliError(`-C ${opts.directory}: no such directory`);
  return dir;
}
function findRepo(dir) {
  for (let at = dir; ; at = dirname(at)) {
    const file = join(at, CONFIG_FILE);
    if (existsSync(file)) return readRepoConfig(at, file);
    if (dirname(at) === at) return void 0;
  }
}
function readRepoConfig(root, file) {
  const doc = parseDocument(readFileSync(file, "utf8"), { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new CliError(
      `${file} is not valid YAML`,
      doc.errors.map((e) => `${file}:${e.linePos?.[0].line ?? "?"}: ${e.message.split("\n")[0]}`)
    );
  }
  const raw = doc.toJS() ?? {};
  if (typeof raw !== "object" || Array.isArray(raw))
    throw new CliError(`${file} must be a mapping (project:, url:, ...)`);
  const text = (key) => {
    const v = raw[key];
    if (v === void 0 || v === null) return void 0;
    if (typeof v !== "string") throw new CliError(`${file}: '${key}' must be a string`);
    return v;
  };
  const ignore = raw.ignore ?? [];
  if (!Array.isArray(ignore) || ignore.some((p) => typeof p !== "string")) {
    throw new CliError(`${file}: 'ignore' must be a list of paths`);
  }
  return { root, project: text("project"), url: text("url"), token: text("token"), ignore };
}
function context(opts) {
  const dir = process.cwd();
  const repo = findRepo(dir);
  const env = process.env;
  const url = opts.url ?? env.LARDER_URL ?? repo?.url ?? DEFAULT_URL;
  const token = opts.token ?? env.LARDER_TOKEN ?? repo?.token;
  const project = opts.project ?? env.LARDER_PROJECT ?? repo?.project;
  const timeoutMs = opts.timeout === void 0 ? 6e4 : Number(opts.timeout) * 1e3;
  if (!Number.isFinite(timeoutMs) || timeoutMs < 0)
    throw new CliError(`--timeout ${opts.timeout}: give seconds, e.g. 60`);
  let client;
  try {
    client = new LarderClient({ baseUrl: url, token, project, timeoutMs });
  } catch {
    throw new CliError(`'${url}' is not a URL: give the server's origin, e.g. ${DEFAULT_URL}`);
  }
  return { dir, repo, client, url, project, json: Boolean(opts.json) };
}
function requireRepo(ctx) {
  if (!ctx.repo) {
    throw new CliError(`No ${CONFIG_FILE} in ${ctx.dir} or its parents`, [
      "Create a feature repo with `larder init DIR`, or run from one (-C DIR)."
    ]);
  }
  return ctx.repo;
}

// cli/output.ts
function printJson(value) {
  process.stdout.write(`${JSON.stringify(value, null, 2)}
`);
}
function say(line = "") {
  process.stdout.write(`${line}
`);
}
function cell(value) {
  if (value === null || value === void 0) return "null";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
function table(headers, rows) {
  const text = rows.map((r) => r.map(cell));
  const numeric = headers.map(
    (_, c) => rows.length > 0 && rows.every((r) => typeof r[c] === "number" || r[c] === null)
  );
  const widths = headers.map((h, c) => Math.max(h.length, ...text.map((r) => r[c].length)));
  const line = (cells) => cells.map((v, c) => numeric[c] ? v.padStart(widths[c]) : v.padEnd(widths[c])).join("  ").trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...text.map(line)].join("\n");
}
function duration(seconds) {
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const m = Math.floor(seconds / 60);
  return `${m}m ${String(Math.round(seconds % 60)).padStart(2, "0")}s`;
}
function list(values) {
  return [values ?? []].flat().flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean);
}

// cli/progress.ts
import cliProgress from "cli-progress";
var SILENT = { update() {
}, setTotal() {
}, stop() {
} };
function progressBar(format, total, payload, enabled = true) {
  if (!enabled) return SILENT;
  const tty = Boolean(process.stderr.isTTY);
  const bar = new cliProgress.SingleBar(
    {
      format,
      stream: process.stderr,
      hideCursor: tty,
      noTTYOutput: !tty,
      notTTYSchedule: Number(process.env.LARDER_PROGRESS_MS ?? 2e3),
      etaBuffer: 20,
      fps: 5,
      barsize: 24
    },
    cliProgress.Presets.shades_classic
  );
  bar.start(Math.max(total, 1), 0, payload);
  return {
    update: (value, p) => bar.update(value, p),
    setTotal: (t) => bar.setTotal(Math.max(t, 1)),
    // cli-progress draws the final state once more on stop, on a terminal or not.
    stop: () => bar.stop()
  };
}

// cli/tabular.ts
import { readFileSync as readFileSync2 } from "node:fs";
import { basename, extname } from "node:path";
import { parse } from "csv-parse/sync";
import { parquetReadObjects } from "hyparquet";
function formatOf(file, given) {
  const ext = (given ?? extname(file).slice(1)).toLowerCase();
  if (ext === "csv") return "csv";
  if (ext === "jsonl" || ext === "ndjson") return "jsonl";
  if (ext === "parquet" || ext === "pq") return "parquet";
  throw new CliError(`${file}: unknown format '${ext || "(no extension)"}'`, [
    "Use .csv, .jsonl (JSON Lines) or .parquet, or give --format."
  ]);
}
function jsonValue(value) {
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (Array.isArray(value)) return value.map(jsonValue);
  return value;
}
async function readRows(file, format) {
  const name = basename(file);
  let bytes;
  try {
    bytes = readFileSync2(file);
  } catch (err) {
    throw new CliError(`Cannot read ${file}: ${err.code ?? err.message}`);
  }
  if (format === "parquet") {
    let objects;
    try {
      const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
      objects = await parquetReadObjects({ file: buffer });
    } catch (err) {
      throw new CliError(`${file} is not a readable Parquet file: ${err.message}`);
    }
    const rows = objects.map((o, i) => ({
      row: Object.fromEntries(Object.entries(o).map(([k, v]) => [k, jsonValue(v)])),
      source: `${name}#${i}`
    }));
    return { rows, unreadable: [] };
  }
  const text = bytes.toString("utf8");
  if (format === "jsonl") {
    const rows = [];
    const unreadable = [];
    text.split(/\r?\n/).forEach((line, i) => {
      if (!line.trim()) return;
      const source = `${name}:${i + 1}`;
      try {
        const value = JSON.parse(line);
        if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("not a JSON object");
        rows.push({ row: value, source });
      } catch (err) {
        unreadable.push({ source, reason: `not a JSON object (${err.message})` });
      }
    });
    return { rows, unreadable };
  }
  let records;
  try {
    records = parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true });
  } catch (err) {
    throw new CliError(`${file} is not valid CSV: ${err.message}`);
  }
  return { rows: records.map((r, i) => ({ row: r, source: `${name}:${i + 2}` })), unreadable: [] };
}
var INTEGER = /^-?\d+$/;
var NUMBER = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
function castText(text, dtype) {
  if (text === "") return null;
  if (dtype.startsWith("array<")) {
    try {
      return JSON.parse(text);
    } catch {
      return text;
    }
  }
  switch (dtype) {
    case "int32":
    case "int64":
      if (!INTEGER.test(text)) return text;
      return Number.isSafeInteger(Number(text)) ? Number(text) : text;
    case "float32":
    case "float64":
      return NUMBER.test(text) ? Number(text) : text;
    case "bool":
      if (/^(true|1)$/i.test(text)) return true;
      if (/^(false|0)$/i.test(text)) return false;
      return text;
    default:
      return text;
  }
}
function castRow(row, dtypes) {
  const out = {};
  for (const [k, v] of Object.entries(row)) out[k] = typeof v === "string" && dtypes[k] ? castText(v, dtypes[k]) : v;
  return out;
}
function inferColumns(rows, keep) {
  const names = rows.length > 0 ? Object.keys(rows[0]) : [];
  const columns = {};
  for (const name of names) {
    const values = rows.map((r) => r[name]);
    const texts = values.filter((v) => typeof v === "string" && v !== "");
    const allText = values.every((v) => typeof v === "string");
    if (keep.has(name) || !allText || texts.length === 0) columns[name] = values;
    else if (texts.every((t) => NUMBER.test(t))) columns[name] = values.map((v) => v === "" ? null : Number(v));
    else if (texts.every((t) => /^(true|false)$/i.test(t)))
      columns[name] = values.map((v) => v === "" ? null : /^true$/i.test(v));
    else columns[name] = values;
  }
  return columns;
}

// cli/commands/historical.ts
var collect = (value, previous = []) => [...previous, value];
async function entityDf(file, keep) {
  const format = formatOf(file);
  const read = await readRows(file, format);
  if (read.unreadable.length > 0) {
    throw new CliError(
      `${file}: ${read.unreadable.length} line(s) are not rows`,
      read.unreadable.slice(0, 5).map((u) => `${u.source}: ${u.reason}`)
    );
  }
  if (read.rows.length === 0) throw new CliError(`${file} has no rows`);
  const rows = read.rows.map((r) => r.row);
  if (format === "csv") return inferColumns(rows, keep);
  const names = Object.keys(rows[0]);
  return Object.fromEntries(names.map((n) => [n, rows.map((r) => r[n] ?? null)]));
}
function registerHistorical(program) {
  program.command("historical").description("Point-in-time-correct training rows for an entity dataframe, downloaded as Parquet").requiredOption(
    "--entity-df <file>",
    "entity dataframe: .csv, .jsonl or .parquet with join keys and event_timestamp"
  ).option("-f, --features <refs>", "view:feature references, comma-separated (repeatable)", collect).option("-s, --service <name>", "a feature service").option("-o, --output <file>", "write the joined rows to this Parquet file").option("--full-names", "name feature columns view__feature").option("--async", "run as a job even when small").option("--interval <seconds>", "seconds between job status polls", "1").addHelpText(
    "after",
    "\nExample:\n  larder historical --entity-df data/entity_df.csv --service churn_model_v1 -o train.parquet"
  ).action(async (opts, cmd) => {
    const ctx = context(cmd.optsWithGlobals());
    const features = list(opts.features);
    if (features.length === 0 && !opts.service)
      throw new CliError("Name what to join: --features view:feature,... or --service NAME");
    const { entities } = await ctx.client.listEntities();
    const keep = /* @__PURE__ */ new Set(["event_timestamp", ...entities.flatMap((e) => e.join_keys)]);
    const df = await entityDf(opts.entityDf, keep);
    const request = {
      entity_df: df,
      ...features.length > 0 ? { features } : {},
      ...opts.service ? { feature_service: opts.service } : {},
      full_feature_names: Boolean(opts.fullNames),
      async: Boolean(opts.async)
    };
    const interval = Number(opts.interval) * 1e3;
    if (!Number.isFinite(interval) || interval <= 0) throw new CliError(`--interval ${opts.interval}: give seconds`);
    let bar;
    const outcome = await ctx.client.retrieveHistorical(request, {
      intervalMs: interval,
      onProgress: (s) => {
        bar ??= progressBar(
          "historical {bar} {percentage}% | tasks {value}/{total} | {status} | elapsed {duration_formatted} | ETA {eta_formatted}",
          s.progress.tasks_total,
          { status: s.status },
          !ctx.json
        );
        bar.setTotal(s.progress.tasks_total);
        bar.update(s.progress.tasks_done, { status: s.status });
      }
    }).finally(() => bar?.stop());
    let bytes = 0;
    if (opts.output) {
      const file = await ctx.client.downloadExport(outcome.download_url);
      writeFileSync(opts.output, file);
      bytes = file.byteLength;
    }
    if (ctx.json) return printJson({ ...outcome, ...opts.output ? { output: opts.output, bytes } : {} });
    const how = outcome.job ? `job ${outcome.job.job_id}` : `${outcome.response?.metadata.processing_time_ms} ms`;
    if (opts.output) {
      say(`Wrote ${opts.output}: ${outcome.rows_count} row(s), ${bytes} bytes (${how}).`);
      return;
    }
    const rows = outcome.response?.data;
    if (!rows) {
      say(
        `${outcome.rows_count} row(s) joined by ${how}; download them with -o FILE, or from:
${outcome.download_url}`
      );
      return;
    }
    const columns = rows.length > 0 ? Object.keys(rows[0]) : [];
    say(
      table(
        columns,
        rows.map((r) => columns.map((c) => r[c]))
      )
    );
    if (outcome.response?.truncated)
      say(`(first ${rows.length} of ${outcome.rows_count} rows; -o FILE writes them all)`);
  });
}

// cli/commands/ingest.ts
var MAX_REQUEST_BYTES = 8 * 1024 * 1024;
var KEY_DTYPES = { STRING: "string", INT32: "int32", INT64: "int64", BYTES: "bytes" };
async function sourceDtypes(client, source) {
  const [{ feature_views }, { data_sources }, { entities }] = await Promise.all([
    client.listFeatureViews(),
    client.listDataSources(),
    client.listEntities()
  ]);
  const feeding = /* @__PURE__ */ new Set([source, ...data_sources.filter((s) => s.batch_source === source).map((s) => s.name)]);
  const dtypes = {};
  for (const view of feature_views.filter((v) => feeding.has(v.source))) {
    for (const f of view.features) dtypes[f.name] = f.dtype;
    for (const name of view.entities) {
      const entity = entities.find((e) => e.name === name);
      for (const key of entity?.join_keys ?? []) dtypes[key] = KEY_DTYPES[entity.value_types[key]] ?? "string";
    }
  }
  return dtypes;
}
function* chunks(rows, maxRows) {
  let chunk = [];
  let bytes = 0;
  for (const r of rows) {
    const size = JSON.stringify(r.row).length + 1;
    if (chunk.length > 0 && (chunk.length >= maxRows || bytes + size > MAX_REQUEST_BYTES)) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(r);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}
function reject(into, reason, source) {
  into.count++;
  const sources = into.byReason.get(reason) ?? [];
  sources.push(source);
  into.byReason.set(reason, sources);
}
function registerIngest(program) {
  program.command("ingest").description("Append rows from CSV, JSON Lines or Parquet files to a batch source's offline history").argument("<source>", "batch source name").argument("<files...>", "files (.csv with a header, .jsonl, .parquet)").option("--format <format>", "csv, jsonl or parquet (default: from each file's extension)").option("--batch-rows <n>", "rows per request (at most 100000)", "10000").addHelpText("after", "\nExample:\n  larder ingest customer_stats_source data/customer_stats.csv").action(async (source, files, opts, cmd) => {
    const ctx = context(cmd.optsWithGlobals());
    const batchRows = Number(opts.batchRows);
    if (!Number.isInteger(batchRows) || batchRows < 1 || batchRows > 1e5) {
      throw new CliError(`--batch-rows ${opts.batchRows}: give an integer from 1 to 100000`);
    }
    const dtypes = await sourceDtypes(ctx.client, source);
    const rejected = { count: 0, byReason: /* @__PURE__ */ new Map(), unlisted: 0 };
    const rows = [];
    for (const file of files) {
      const format = formatOf(file, opts.format);
      const read = await readRows(file, format);
      for (const u of read.unreadable) reject(rejected, u.reason, u.source);
      for (const r of read.rows) rows.push(format === "csv" ? { ...r, row: castRow(r.row, dtypes) } : r);
    }
    const unreadable = rejected.count;
    if (rows.length === 0 && unreadable === 0) throw new CliError(`No rows in ${files.join(", ")}`);
    const bar = progressBar(
      "ingest {bar} {percentage}% | {value}/{total} rows | rejected {rejected} | {duration_formatted}",
      rows.length,
      { rejected: rejected.count },
      !ctx.json
    );
    let written = 0;
    let sentRows = 0;
    const outputs = [];
    try {
      for (const chunk of chunks(rows, batchRows)) {
        const answer = await ctx.client.ingest(source, { rows: chunk.map((r) => r.row) });
        outputs.push(answer);
        written += answer.rows_written;
        for (const e of answer.errors)
          reject(rejected, e.reason, chunk[e.index]?.source ?? `row ${sentRows + e.index}`);
        rejected.unlisted += answer.rejected - answer.errors.length;
        rejected.count += answer.rejected - answer.errors.length;
        sentRows += chunk.length;
        bar.update(sentRows, { rejected: rejected.count });
      }
    } finally {
      bar.stop();
    }
    if (ctx.json) {
      printJson({ data_source: source, rows_written: written, rejected: rejected.count, requests: outputs });
    } else {
      const files_ = new Set(outputs.flatMap((o) => o.files.map((f) => f.path))).size;
      say(
        `Ingested ${written} of ${rows.length + unreadable} row(s) into ${source} (${outputs.length} request(s), ${files_} Parquet file(s) written).`
      );
    }
    if (rejected.count > 0) {
      const lines = [...rejected.byReason].map(
        ([reason, at]) => `${at.length} \xD7 ${reason} (${at.slice(0, 5).join(", ")}${at.length > 5 ? ", ..." : ""})`
      );
      if (rejected.unlisted > 0) lines.push(`${rejected.unlisted} more rejected row(s) the server did not list`);
      throw new CliError(`${rejected.count} row(s) rejected`, lines);
    }
  });
}

// cli/init.ts
import { existsSync as existsSync2, mkdirSync, readdirSync, writeFileSync as writeFileSync2 } from "node:fs";
import { basename as basename2, join as join2, resolve as resolve2 } from "node:path";
var HOUR = 36e5;
function projectName(dir) {
  const cleaned = basename2(resolve2(dir)).replace(/[^A-Za-z0-9_]/g, "_");
  return /^[A-Za-z_]/.test(cleaned) ? cleaned : `p_${cleaned}`;
}
function configYaml(project) {
  return `# A Larder feature repository (like Feast's feature_store.yaml).
#
# \`larder plan\` and \`larder apply\` read every .yaml, .yml and .json file of
# this folder and its subfolders (this file, hidden folders and \`ignore\`
# aside) as definitions, and apply them together, atomically, as the whole
# registry of \`project\`: an object you delete from the files is deleted
# from the registry (\`larder apply --no-delete\` keeps such objects).

# The project these definitions make up. LARDER_PROJECT or --project override it.
project: ${project}

# The Larder Worker's origin. LARDER_URL or --url override it.
url: ${DEFAULT_URL}

# Paths that hold no definitions.
ignore:
  - data/

# Do not write the token here (this file belongs in version control):
# use LARDER_TOKEN or --token.
`;
}
var DEFINITIONS = `# Definitions of the customer features. Every list below is optional; a file
# may hold any of them. Names use letters, digits and _ (not starting with a
# digit). The server's own schemas check this file: \`larder plan\` shows what
# would change without changing anything.

# Entities: what features describe. join_keys name the columns that identify
# one (several make a composite key); value_type is STRING, INT32, INT64 or BYTES.
entities:
  - name: customer
    join_keys: [customer_id]
    value_type: STRING
    description: A customer of the shop

# Batch sources: where a view's offline history lives, as Parquet. A bare
# path is a prefix inside this project's own space of the offline bucket;
# \`larder ingest customer_stats_source data/customer_stats.csv\` appends to it.
data_sources:
  - name: customer_stats_source
    type: batch
    path: customer_stats/
    timestamp_field: event_timestamp

# Feature views: features of an entity, read from a source. ttl_seconds
# bounds how old a value may be (online reads and point-in-time joins);
# online: true makes the view materializable and servable online.
feature_views:
  - name: customer_stats
    entities: [customer]
    source: customer_stats_source
    ttl_seconds: 604800 # 7 days
    online: true
    schema:
      - { name: orders_30d, dtype: int64 }
      - { name: avg_order_value, dtype: float64 }
      - { name: segment, dtype: string }
      - { name: is_subscriber, dtype: bool }
    # schedule: 1h  # incremental materialization by the cron, every hour
    tags: { team: growth }

# Feature services: the named set of features a model uses; a view name
# stands for all of its features.
feature_services:
  - name: churn_model_v1
    features: [customer_stats]

# Push sources take streaming rows (larder's POST /push-features, or a
# service binding's pushFeatures) into a batch source:
# push_sources:
#   - name: customer_stats_push
#     batch_source: customer_stats_source
`;
var CUSTOMERS = [
  { id: "cust_001", orders: [3, 4, 6], value: [52.1, 50.75, 48.9], segment: "regular", subscriber: false },
  { id: "cust_002", orders: [12, 11, 14], value: [87.4, 90.1, 91.25], segment: "vip", subscriber: true },
  { id: "cust_003", orders: [0, 1, 1], value: [0, 23.5, 23.5], segment: "new", subscriber: false },
  { id: "cust_004", orders: [7, 7, 5], value: [61.2, 60.8, 64], segment: "regular", subscriber: true }
];
function sampleData(now) {
  const lines = ["customer_id,event_timestamp,orders_30d,avg_order_value,segment,is_subscriber"];
  for (let day = 2; day >= 0; day--) {
    const ts = new Date(now - HOUR - day * 24 * HOUR).toISOString().replace(/\.\d{3}Z$/, "Z");
    const i = 2 - day;
    for (const c of CUSTOMERS) lines.push([c.id, ts, c.orders[i], c.value[i], c.segment, c.subscriber].join(","));
  }
  return `${lines.join("\n")}
`;
}
function entityDf2(now) {
  const at = (hoursAgo) => new Date(now - hoursAgo * HOUR).toISOString().replace(/\.\d{3}Z$/, "Z");
  const rows = [
    ["cust_001", at(30), 0],
    ["cust_002", at(30), 0],
    ["cust_003", at(2), 1],
    ["cust_004", at(2), 0],
    ["cust_999", at(2), 1]
  ];
  return `customer_id,event_timestamp,churned
${rows.map((r) => r.join(",")).join("\n")}
`;
}
function initRepo(dir, project = projectName(dir), now = Date.now()) {
  const root = resolve2(dir);
  if (existsSync2(root) && readdirSync(root).length > 0) {
    throw new CliError(`${dir} exists and is not empty`, ["Give a new folder: larder init my_feature_repo"]);
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(project)) {
    throw new CliError(`'${project}' is not a project name`, [
      "Use letters, digits and _, not starting with a digit (--project)."
    ]);
  }
  const files = [
    [CONFIG_FILE, configYaml(project)],
    ["features/customer.yaml", DEFINITIONS],
    ["data/customer_stats.csv", sampleData(now)],
    ["data/entity_df.csv", entityDf2(now)]
  ];
  for (const [rel, text] of files) {
    mkdirSync(join2(root, rel, ".."), { recursive: true });
    writeFileSync2(join2(root, rel), text);
  }
  return { dir: root, project, files: files.map(([rel]) => rel) };
}

// cli/commands/init.ts
import { resolve as resolve3 } from "node:path";
function registerInit(program) {
  program.command("init").description("Create a feature repo: larder.yaml, commented YAML definitions and sample data").argument("<dir>", "the folder to create (must be new or empty)").addHelpText("after", "\nThe repo's project is the folder's name unless --project names one.").action((dir, _opts, cmd) => {
    const globals = cmd.optsWithGlobals();
    const outcome = initRepo(resolve3(dir), globals.project);
    if (globals.json) return printJson(outcome);
    say(`Created feature repo ${outcome.dir} (project ${outcome.project}):`);
    for (const f of outcome.files) say(`  ${f}`);
    say(`
Next:
  cd ${dir}
  larder plan                                                    # what apply would do
  larder apply                                                   # register the definitions
  larder ingest customer_stats_source data/customer_stats.csv    # offline history
  larder materialize-incremental                                 # latest values online
  larder get-online --entity customer_id=cust_001 --service churn_model_v1
  larder historical --entity-df data/entity_df.csv --service churn_model_v1 -o train.parquet`);
  });
}

// cli/commands/jobs.ts
var FORMAT = "{label} {bar} {percentage}% | tasks {value}/{total} | rows {rows} | {status} | elapsed {duration_formatted} | ETA {eta_formatted}";
function intervalMs(value) {
  const s = Number(value ?? "1");
  if (!Number.isFinite(s) || s <= 0) throw new CliError(`--interval ${value}: give seconds, e.g. 1`);
  return s * 1e3;
}
async function followMaterialization2(ctx, id, interval) {
  const bar = progressBar(FORMAT, 1, { label: id, rows: 0, status: "queued" }, !ctx.json);
  let final;
  try {
    final = await ctx.client.followMaterialization(id, {
      intervalMs: interval,
      onProgress: (s) => {
        bar.setTotal(s.progress.tasks_total);
        bar.update(s.progress.tasks_done, { rows: s.rows_materialized, status: s.status });
      }
    });
  } finally {
    bar.stop();
  }
  if (ctx.json) printJson(final);
  else {
    const took = final.duration_seconds === null ? "" : ` in ${duration(final.duration_seconds)}`;
    say(
      `Materialization ${id} ${final.status}${took}: ${final.rows_materialized} entity record(s) written online from ${final.rows_read} offline row(s).`
    );
  }
  if (final.status !== "completed") {
    throw new CliError(
      `Materialization ${id} ${final.status}`,
      final.errors.map((e) => `${e.task}: ${e.reason}`)
    );
  }
  return final;
}
function started(ctx, job) {
  if (ctx.json) return;
  const ranges = Object.entries(job.time_ranges).map(([v, r]) => `${v} ${r.start} .. ${r.end}`);
  say(`Started materialization ${job.materialization_id} (${job.estimated_rows} offline row(s) in the window):`);
  for (const r of ranges) say(`  ${r}`);
}
async function startAndFollow(ctx, job, opts) {
  const answer = await job;
  started(ctx, answer);
  if (!opts.wait) {
    if (ctx.json) printJson(answer);
    else say(`Follow it with: larder status ${answer.materialization_id}`);
    return;
  }
  await followMaterialization2(ctx, answer.materialization_id, intervalMs(opts.interval));
}
async function printStatus(client, ctx, id) {
  if (id.startsWith("hist_")) {
    const job = await client.getHistoricalJob(id);
    if (ctx.json) return printJson(job);
    say(
      `Historical job ${job.job_id}: ${job.status}, tasks ${job.progress.tasks_done}/${job.progress.tasks_total}, ${job.rows_count} entity row(s)`
    );
    if (job.download_url) say(`  download: ${job.download_url}`);
    for (const e of job.errors) say(`  error: ${e.task}: ${e.reason}`);
    if (job.status === "failed") throw new CliError(`Historical job ${id} failed`);
    return;
  }
  const s = await client.getMaterializationStatus(id);
  if (ctx.json) return printJson(s);
  say(
    `Materialization ${s.materialization_id}: ${s.status}, tasks ${s.progress.tasks_done}/${s.progress.tasks_total} (${s.progress.tasks_failed} failed)`
  );
  say(`  views ${s.feature_views.join(", ")}; ${s.rows_materialized} record(s) written, ${s.rows_read} row(s) read`);
  if (s.duration_seconds !== null) say(`  ${s.completed_at ? "took" : "running for"} ${duration(s.duration_seconds)}`);
  for (const e of s.errors) say(`  error: ${e.task}: ${e.reason}`);
  if (s.status === "failed") throw new CliError(`Materialization ${id} failed`);
}
function registerJobs(program) {
  program.command("materialize").description("Materialize [--start, --end] of feature views into the online store, following the job").requiredOption("--views <names>", "feature views, comma-separated (repeatable)", (v, p = []) => [
    ...p,
    v
  ]).requiredOption("--start <time>", "window start, RFC 3339 (e.g. 2024-06-01T00:00:00Z)").requiredOption("--end <time>", "window end, RFC 3339").option("--no-wait", "start the job and exit (follow it with `larder status`)").option("--interval <seconds>", "seconds between status polls", "1").action(async (opts, cmd) => {
    const ctx = context(cmd.optsWithGlobals());
    const body = { feature_views: list(opts.views), start_date: opts.start, end_date: opts.end };
    await startAndFollow(ctx, ctx.client.materialize(body), opts);
  });
  program.command("materialize-incremental").description("Materialize from each view's last materialized end up to --end (default now), following the job").option(
    "--views <names>",
    "feature views, comma-separated (default: every online view)",
    (v, p = []) => [...p, v]
  ).option("--end <time>", "window end, RFC 3339 (default: now)").option("--no-wait", "start the job and exit (follow it with `larder status`)").option("--interval <seconds>", "seconds between status polls", "1").action(async (opts, cmd) => {
    const ctx = context(cmd.optsWithGlobals());
    const views = list(opts.views);
    const body = {
      ...views.length > 0 ? { feature_views: views } : {},
      ...opts.end ? { end_date: opts.end } : {}
    };
    await startAndFollow(ctx, ctx.client.materializeIncremental(body), opts);
  });
  program.command("status").description("Status of a job: a materialization (mat_...) or a historical retrieval (hist_...)").argument("<job>", "job id").option("--follow", "follow a materialization until it ends, with a progress bar").option("--interval <seconds>", "seconds between status polls", "1").action(async (job, opts, cmd) => {
    const ctx = context(cmd.optsWithGlobals());
    if (opts.follow && !job.startsWith("hist_")) await followMaterialization2(ctx, job, intervalMs(opts.interval));
    else await printStatus(ctx.client, ctx, job);
  });
}

// cli/commands/online.ts
function entityColumns(flags) {
  const columns = {};
  for (const flag of flags) {
    const eq = flag.indexOf("=");
    if (eq <= 0) throw new CliError(`--entity ${flag}: write JOIN_KEY=VALUE[,VALUE...], e.g. customer_id=cust_12345`);
    const key = flag.slice(0, eq).trim();
    columns[key] = [...columns[key] ?? [], ...list(flag.slice(eq + 1))];
  }
  const lengths = new Set(Object.values(columns).map((v) => v.length));
  if (lengths.size > 1) throw new CliError("--entity: every join key needs as many values (they pair up by position)");
  return columns;
}
var collect2 = (value, previous = []) => [...previous, value];
function registerOnline(program) {
  program.command("get-online").description("Read online features for entities (a table, or JSON with --json)").requiredOption(
    "-e, --entity <key=values>",
    "join key and value(s), e.g. customer_id=cust_1,cust_2 (repeatable)",
    collect2
  ).option("-f, --features <refs>", "view:feature references, comma-separated (repeatable)", collect2).option("-s, --service <name>", "a feature service (all its features, or those of --features)").option("--full-names", "name columns view__feature").option("--statuses", "show each value's status (PRESENT, NOT_FOUND, NULL_VALUE, OUTSIDE_MAX_AGE)").addHelpText(
    "after",
    "\nExample:\n  larder get-online --entity customer_id=cust_12345,cust_67890 --service customer_features_v1"
  ).action(async (opts, cmd) => {
    const ctx = context(cmd.optsWithGlobals());
    const features = list(opts.features);
    if (features.length === 0 && !opts.service)
      throw new CliError("Name what to read: --features view:feature,... or --service NAME");
    const entities = entityColumns(opts.entity);
    const request = {
      entities,
      ...features.length > 0 ? { features } : {},
      ...opts.service ? { feature_service: opts.service } : {},
      full_feature_names: Boolean(opts.fullNames),
      include_statuses: Boolean(opts.statuses)
    };
    const answer = await ctx.client.getOnlineFeatures(request);
    if (ctx.json) return printJson(answer);
    const keys = Object.keys(entities);
    const rows = Object.entries(answer.features);
    const columns = rows.length > 0 ? Object.keys(rows[0][1]) : [];
    say(
      table(
        [...keys, ...columns],
        rows.map(([key, values]) => [
          ...key.split("|"),
          ...columns.map((c) => opts.statuses ? `${cell(values[c])} (${answer.statuses?.[key]?.[c]})` : values[c])
        ])
      )
    );
  });
}

// cli/repo.ts
import { readdirSync as readdirSync2, readFileSync as readFileSync3 } from "node:fs";
import { join as join3, relative, sep } from "node:path";
import { isMap, LineCounter, parseDocument as parseDocument2 } from "yaml";

// src/schemas/registry.ts
import { z as z2 } from "@hono/zod-openapi";

// src/schemas/common.ts
import { z } from "@hono/zod-openapi";

// src/domain/names.ts
var NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
var NAME_MAX_LENGTH = 128;
var RESERVED_NAMES = ["__proto__", "constructor", "prototype"];
var NAME_RULE = "letters, digits and _, not starting with a digit, at most 128 characters, and not __proto__, constructor or prototype";
function isValidName(name) {
  return typeof name === "string" && name.length <= NAME_MAX_LENGTH && NAME_PATTERN.test(name) && !RESERVED_NAMES.includes(name);
}

// src/schemas/common.ts
var Name = z.string().min(1).max(NAME_MAX_LENGTH).regex(NAME_PATTERN, `use ${NAME_RULE}`).refine((name) => isValidName(name), `use ${NAME_RULE}`);
var Tags = z.record(z.string(), z.string()).openapi({ example: { team: "data-science" } });
var ErrorEnvelope = z.object({
  error: z.object({
    code: z.string().openapi({ example: "FEATURE_VIEW_NOT_FOUND" }),
    message: z.string(),
    details: z.record(z.string(), z.unknown())
  }),
  request_id: z.string()
}).openapi("Error");
var errorResponse = (description) => ({
  description,
  content: { "application/json": { schema: ErrorEnvelope } }
});
var commonErrors = {
  400: errorResponse("Invalid request (VALIDATION_ERROR, MALFORMED_JSON)"),
  401: errorResponse("Missing, malformed, expired or wrongly signed token"),
  403: errorResponse("Token lacks the scope or the project")
};
var notFound = { 404: errorResponse("Not found") };
var conflict = { 409: errorResponse("Conflict: still referenced, or changed concurrently") };
var tooLarge = { 413: errorResponse("Body over the size limit") };
var rangeNotSatisfiable = {
  416: errorResponse("Range unsatisfiable or malformed (Content-Range: bytes */<size>)")
};
var ProjectQuery = z.object({
  project: Name.optional().openapi({ description: "Project; defaults to the configured DEFAULT_PROJECT" })
});

// src/schemas/registry.ts
var Dtype = z2.string().min(1).openapi({
  example: "float64",
  description: "int32, int64, float32, float64, string, bool, bytes, unix_timestamp, or array<\u2026>"
});
var ValueType = z2.string().openapi({ example: "STRING", description: "STRING, INT32, INT64 or BYTES" });
var EntityInput = z2.object({
  name: Name,
  join_keys: z2.array(Name).min(1).optional().openapi({ description: "Defaults to [name]. Several keys make a composite key." }),
  value_type: ValueType.optional().openapi({ description: "Type of every join key (default STRING)" }),
  value_types: z2.record(z2.string(), ValueType).optional().openapi({ description: "Type per join key, overriding value_type" }),
  description: z2.string().optional(),
  tags: Tags.optional()
}).openapi("EntityInput");
var BatchSourceInput = z2.object({
  name: Name.optional(),
  type: z2.literal("batch"),
  path: z2.string().min(1).openapi({ example: "s3://data-lake/products/features/" }),
  file_format: z2.literal("parquet").default("parquet"),
  timestamp_field: Name.default("event_timestamp"),
  created_timestamp_column: Name.nullish(),
  description: z2.string().optional(),
  tags: Tags.optional()
}).openapi("BatchSourceInput");
var PushSourceInput = z2.object({
  name: Name,
  type: z2.literal("push").optional(),
  batch_source: z2.union([Name, BatchSourceInput]).openapi({ description: "Name of a batch source, or one defined inline" }),
  description: z2.string().optional(),
  tags: Tags.optional()
}).openapi("PushSourceInput");
var DataSourceInput = z2.union([BatchSourceInput.extend({ name: Name }), PushSourceInput.extend({ type: z2.literal("push") })]).openapi("DataSourceInput");
var FeatureField = z2.object({ name: Name, dtype: Dtype, description: z2.string().optional() });
var FeatureViewInput = z2.object({
  name: Name,
  entities: z2.array(Name).min(1),
  schema: z2.array(FeatureField).min(1).optional().openapi({ description: "The features (Feast's name); `features` is accepted too" }),
  features: z2.array(FeatureField).min(1).optional(),
  source: z2.union([Name, BatchSourceInput, PushSourceInput.extend({ type: z2.literal("push") })]).openapi({ description: "A data source name, or a source defined inline (named <view>_source unless named)" }),
  ttl_seconds: z2.number().int().min(0).default(0).openapi({ description: "0: values never expire" }),
  online: z2.boolean().default(true),
  tags: Tags.optional(),
  schedule: z2.string().nullish().openapi({ description: "Incremental materialization every 15m, 1h, 1d, @hourly, @daily" }),
  description: z2.string().optional()
}).refine((v) => v.schema || v.features, { message: "give the features as `schema` (or `features`)", path: ["schema"] }).openapi("FeatureViewInput");
var FeatureServiceInput = z2.object({
  name: Name,
  features: z2.array(z2.string().min(1)).min(1).openapi({
    example: ["customer:age", "transactions"],
    description: "view:feature, or a view name for all its features"
  }),
  description: z2.string().optional(),
  tags: Tags.optional()
}).openapi("FeatureServiceInput");
var ApplyRequest = z2.object({
  feature_view: FeatureViewInput.optional().openapi({ description: "The specification's single-view form" }),
  entities: z2.array(EntityInput).optional(),
  data_sources: z2.array(DataSourceInput).optional(),
  feature_views: z2.array(FeatureViewInput).optional(),
  feature_services: z2.array(FeatureServiceInput).optional(),
  push_sources: z2.array(PushSourceInput).optional(),
  replace: z2.boolean().default(false).openapi({ description: "The body is the whole registry: objects it omits are deleted (like feast apply)" }),
  dry_run: z2.boolean().default(false).openapi({ description: "Return the plan; change nothing" })
}).refine(
  (b) => b.feature_view || b.entities || b.data_sources || b.feature_views || b.feature_services || b.push_sources,
  {
    message: "give feature_view, or one or more of entities, data_sources, feature_views, feature_services, push_sources"
  }
).openapi("ApplyRequest", {
  example: {
    feature_view: {
      name: "product_features",
      entities: ["product"],
      schema: [
        { name: "category", dtype: "string" },
        { name: "price", dtype: "float64" }
      ],
      source: { type: "batch", path: "s3://data-lake/products/features/", timestamp_field: "event_timestamp" },
      ttl_seconds: 86400,
      online: true,
      tags: { team: "product" }
    }
  }
});
var PlanEntry = z2.object({ kind: z2.string(), name: z2.string() });
var ApplyPlan = z2.object({
  create: z2.array(PlanEntry),
  update: z2.array(PlanEntry),
  delete: z2.array(PlanEntry),
  unchanged: z2.array(PlanEntry)
}).openapi("ApplyPlan");
var PathWarning = z2.object({ data_source: z2.string(), path: z2.string(), problem: z2.string() }).openapi("PathWarning", { description: "A stored batch source whose path breaks the path rule or changed meaning" });
var ApplyResponse = z2.object({
  status: z2.enum(["success", "planned"]),
  feature_view: z2.string().optional(),
  registered_at: z2.string(),
  online_store_ready: z2.boolean().optional(),
  materialization_required: z2.boolean().optional(),
  dry_run: z2.boolean(),
  registry_version: z2.number().int(),
  plan: ApplyPlan,
  warnings: z2.array(PathWarning)
}).openapi("ApplyResponse");
var FeatureViewOut = z2.object({
  name: z2.string(),
  entities: z2.array(z2.string()),
  join_keys: z2.array(z2.string()),
  features: z2.array(z2.object({ name: z2.string(), dtype: z2.string(), description: z2.string().optional() })),
  ttl_seconds: z2.number().int(),
  online: z2.boolean(),
  tags: Tags,
  source: z2.string(),
  schedule: z2.string().nullable(),
  description: z2.string()
}).openapi("FeatureView");
var EntityOut = z2.object({
  name: z2.string(),
  join_keys: z2.array(z2.string()),
  value_type: z2.string().nullable().openapi({ description: "The type shared by all join keys; null when they differ (see value_types)" }),
  value_types: z2.record(z2.string(), z2.string()),
  description: z2.string(),
  tags: Tags
}).openapi("Entity");
var FeatureServiceOut = z2.object({
  name: z2.string(),
  features: z2.array(z2.string()),
  feature_views: z2.array(z2.string()),
  description: z2.string(),
  tags: Tags
}).openapi("FeatureService");
var PushSourceOut = z2.object({
  name: z2.string(),
  batch_source: z2.string(),
  feature_views: z2.array(z2.string()),
  description: z2.string(),
  tags: Tags
}).openapi("PushSource");
var DataSourceOut = z2.object({
  name: z2.string(),
  type: z2.enum(["batch", "push"]),
  path: z2.string().optional(),
  file_format: z2.string().optional(),
  timestamp_field: z2.string().optional(),
  created_timestamp_column: z2.string().nullable().optional(),
  batch_source: z2.string().optional(),
  description: z2.string(),
  tags: Tags
}).openapi("DataSource");
var DeleteResponse = z2.object({ status: z2.literal("deleted"), kind: z2.string(), name: z2.string(), registry_version: z2.number().int() }).openapi("DeleteResponse");
var NamePath = z2.object({ name: z2.string().openapi({ param: { name: "name", in: "path" } }) });
var RefreshResponse = z2.object({
  status: z2.literal("success"),
  feature_views_count: z2.number().int(),
  entities_count: z2.number().int(),
  feature_services_count: z2.number().int(),
  refreshed_at: z2.string(),
  registry_version: z2.number().int(),
  warnings: z2.array(PathWarning)
}).openapi("RefreshResponse");

// cli/repo.ts
var KINDS = ["entities", "data_sources", "feature_views", "feature_services", "push_sources"];
var EXTENSIONS = [".yaml", ".yml", ".json"];
function ignored(rel, ignore) {
  const posix = rel.split(sep).join("/");
  return ignore.some((p) => {
    const prefix = p.replace(/^\.\//, "").replace(/\/+$/, "");
    return posix === prefix || posix.startsWith(`${prefix}/`);
  });
}
function definitionFiles(repo) {
  const found = [];
  const walk = (dir) => {
    for (const entry of readdirSync2(dir, { withFileTypes: true })) {
      const path = join3(dir, entry.name);
      const rel = relative(repo.root, path);
      if (entry.name.startsWith(".") || entry.name === "node_modules" || ignored(rel, repo.ignore)) continue;
      if (entry.isDirectory()) walk(path);
      else if (EXTENSIONS.some((e) => entry.name.endsWith(e)) && rel !== CONFIG_FILE) found.push(rel);
    }
  };
  walk(repo.root);
  return found.sort();
}
function lineOf(p, path) {
  for (let n = path.length; n >= 0; n--) {
    const node = p.doc.getIn(path.slice(0, n), true);
    if (node && typeof node === "object" && node.range) return p.lines.linePos(node.range[0]).line;
  }
  return 1;
}
function parseFile(root, file) {
  const lines = new LineCounter();
  const doc = parseDocument2(readFileSync3(join3(root, file), "utf8"), { lineCounter: lines, prettyErrors: true });
  if (doc.errors.length > 0) {
    return {
      problems: doc.errors.map((e) => {
        const at = e.linePos?.[0];
        const message = e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
        return `${file}:${at?.line ?? 1}:${at?.col ?? 1}: ${message}`;
      })
    };
  }
  return { parsed: { file, doc, lines }, problems: [] };
}
function checkFile(p) {
  const value = p.doc.toJS();
  if (value === null || value === void 0) return { problems: [`${p.file}:1: the file is empty`] };
  if (!isMap(p.doc.contents)) {
    return { problems: [`${p.file}:1: expected a mapping with ${KINDS.join(", ")}`] };
  }
  const problems = [];
  for (const key of Object.keys(value)) {
    if (!KINDS.includes(key)) {
      problems.push(`${p.file}:${lineOf(p, [key])}: unknown key '${key}': a definition file holds ${KINDS.join(", ")}`);
    }
  }
  const result = ApplyRequest.safeParse(value);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const where = issue.path.map(String).join(".");
      problems.push(`${p.file}:${lineOf(p, issue.path)}: ${where ? `${where}: ` : ""}${issue.message}`);
    }
  }
  return { problems, value };
}
function loadDefinitions(repo) {
  const files = definitionFiles(repo);
  if (files.length === 0) {
    throw new CliError(`No definition files in ${repo.root}`, [`Add .yaml or .json files with ${KINDS.join(", ")}.`]);
  }
  const problems = [];
  const body = {};
  const objects = [];
  const seen = /* @__PURE__ */ new Map();
  for (const file of files) {
    const { parsed, problems: syntax } = parseFile(repo.root, file);
    problems.push(...syntax);
    if (!parsed) continue;
    const { problems: invalid2, value } = checkFile(parsed);
    problems.push(...invalid2);
    if (!value || invalid2.length > 0) continue;
    for (const kind of KINDS) {
      const items = value[kind] ?? [];
      items.forEach((item, i) => {
        const def = { kind, name: item.name, file, line: lineOf(parsed, [kind, i]) };
        const key = `${kind}/${item.name}`;
        const first = seen.get(key);
        if (first)
          problems.push(`${file}:${def.line}: ${kind} '${item.name}' is also defined at ${first.file}:${first.line}`);
        seen.set(key, first ?? def);
        objects.push(def);
      });
      if (items.length > 0) body[kind] = [...body[kind] ?? [], ...items];
    }
  }
  if (problems.length > 0) {
    const unique = [...new Set(problems)];
    throw new CliError(`${unique.length} problem(s) in the feature repo's definitions`, unique);
  }
  return { body, files, objects };
}
function locate(message, defs) {
  const named = new Set([...message.matchAll(/'([^']+)'/g)].map((m) => m[1]));
  return defs.objects.filter((o) => named.has(o.name)).map((o) => `${o.name}: defined at ${o.file}:${o.line}`);
}

// cli/commands/registry.ts
var LABELS = {
  entities: "entity",
  data_sources: "data source",
  feature_views: "feature view",
  feature_services: "feature service",
  push_sources: "push source"
};
var label = (kind) => LABELS[kind] ?? kind;
function planLines(plan, verbs) {
  const lines = [
    ...plan.create.map((e) => `${verbs[0]} ${label(e.kind)} ${e.name}`),
    ...plan.update.map((e) => `${verbs[1]} ${label(e.kind)} ${e.name}`),
    ...plan.delete.map((e) => `${verbs[2]} ${label(e.kind)} ${e.name}`)
  ];
  return lines.length > 0 ? lines : ["No changes to the registry"];
}
async function sent(defs, work) {
  try {
    return await work;
  } catch (err) {
    if (err instanceof LarderApiError && (err.code === "VALIDATION_ERROR" || err.code === "CONFLICT")) {
      throw new CliError(`${err.message} (${err.code})`, locate(err.message, defs));
    }
    throw err;
  }
}
async function planOrApply(opts, apply) {
  const ctx = context(opts);
  const repo = requireRepo(ctx);
  const defs = loadDefinitions(repo);
  const body = { ...defs.body, replace: opts.delete };
  const answer = await sent(defs, apply ? ctx.client.apply(body) : ctx.client.plan(body));
  if (ctx.json) return printJson({ files: defs.files, ...answer });
  const project = ctx.client.project ?? "(the server's default project)";
  say(
    `${apply ? "Applied" : "Plan for"} project ${project}: ${defs.files.length} definition file(s), ${defs.objects.length} object(s)`
  );
  say();
  const verbs = apply ? ["Created", "Updated", "Deleted"] : ["+ create", "~ update", "- delete"];
  for (const line of planLines(answer.plan, verbs)) say(line);
  if (answer.plan.unchanged.length > 0) say(`(${answer.plan.unchanged.length} unchanged)`);
  for (const w of answer.warnings) say(`warning: data source ${w.data_source} (${w.path}): ${w.problem}`);
  say();
  say(
    apply ? `Registry version ${answer.registry_version}.` : "Nothing was changed: run `larder apply` to apply this plan."
  );
}
function registerRegistry(program) {
  const deleteHelp = "keep registry objects the repo does not define (default: apply deletes them, like feast apply)";
  program.command("plan").description("Show what `larder apply` would create, update and delete (changes nothing)").option("--no-delete", deleteHelp).action((_opts, cmd) => planOrApply(cmd.optsWithGlobals(), false));
  program.command("apply").description("Validate the feature repo's definitions and apply them in one atomic request").option("--no-delete", deleteHelp).action((_opts, cmd) => planOrApply(cmd.optsWithGlobals(), true));
  program.command("views").description("List the project's feature views").action(async (_opts, cmd) => {
    const ctx = context(cmd.optsWithGlobals());
    const { feature_views } = await ctx.client.listFeatureViews();
    if (ctx.json) return printJson(feature_views);
    if (feature_views.length === 0) return say("No feature views: define some and run `larder apply`.");
    say(
      table(
        ["name", "entities", "features", "ttl_s", "online", "source", "schedule"],
        feature_views.map((v) => [
          v.name,
          v.entities.join(","),
          v.features.length,
          v.ttl_seconds,
          v.online,
          v.source,
          v.schedule ?? "-"
        ])
      )
    );
  });
  program.command("stats").description("Statistics of a feature view, from its last materialization").argument("<view>", "feature view name").action(async (view, _opts, cmd) => {
    const ctx = context(cmd.optsWithGlobals());
    const stats = await ctx.client.getFeatureViewStats(view);
    if (ctx.json) return printJson(stats);
    const s = stats.statistics;
    say(`Feature view ${stats.feature_view}`);
    say(`  last materialization   ${cell(s.last_materialization)}`);
    say(`  freshness              ${s.freshness_seconds === null ? "null" : `${s.freshness_seconds} s`}`);
    say(`  entities (estimate)    ${cell(s.total_entities)}`);
    say(`  online store records   ${cell(s.online_store_records)}`);
    say(`  offline store records  ${cell(s.offline_store_records)}`);
    const features = Object.entries(s.feature_stats);
    if (features.length === 0) return say("\nNo feature statistics yet: they come from a materialization.");
    say();
    const round = (x) => x === null ? null : Math.round(x * 1e3) / 1e3;
    say(
      table(
        ["feature", "count", "mean", "std", "min", "max", "null_%"],
        features.map(([name, f]) => [
          name,
          f.count,
          round(f.mean),
          round(f.std),
          round(f.min),
          round(f.max),
          f.null_percentage === null ? null : round(f.null_percentage * 100)
        ])
      )
    );
  });
}

// cli/commands/token.ts
import { existsSync as existsSync3, readFileSync as readFileSync4 } from "node:fs";
import { dirname as dirname2, join as join4, resolve as resolve4 } from "node:path";
import { fileURLToPath } from "node:url";
import { decodeJwt, SignJWT } from "jose";

// src/auth/scopes.ts
var SCOPES = [
  "online:read",
  "offline:read",
  "online:write",
  "offline:write",
  "registry:read",
  "registry:write",
  "materialize",
  "admin"
];

// cli/commands/token.ts
function devVars(file) {
  const vars = {};
  for (const line of readFileSync4(file, "utf8").split(/\r?\n/)) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) vars[m[1]] = m[2].replace(/^(["'])(.*)\1$/, "$2");
  }
  return vars;
}
function checkoutRoot() {
  const here = dirname2(fileURLToPath(import.meta.url));
  return existsSync3(join4(here, "..", "package.json")) ? resolve4(here, "..") : resolve4(here, "..", "..");
}
function signingSecret(explicit, dir) {
  if (explicit) return { secret: explicit, from: "--secret" };
  if (process.env.LARDER_JWT_SECRET) return { secret: process.env.LARDER_JWT_SECRET, from: "LARDER_JWT_SECRET" };
  for (const file of [join4(dir, ".dev.vars"), join4(checkoutRoot(), ".dev.vars")]) {
    if (existsSync3(file) && devVars(file).AUTH_JWT_SECRET) return { secret: devVars(file).AUTH_JWT_SECRET, from: file };
  }
  throw new CliError("No signing secret: no AUTH_JWT_SECRET in .dev.vars here or in the Larder checkout", [
    "Run `npm start` once in the Larder checkout (it creates .dev.vars), or give --secret / LARDER_JWT_SECRET."
  ]);
}
function registerToken(program) {
  program.command("token").description("Mint a local dev token (signed with .dev.vars' AUTH_JWT_SECRET), or --decode the one in use").option("--scopes <scopes>", `scopes, comma or space separated (${SCOPES.join(" ")})`, "admin").option("--projects <names>", "limit the token to these projects (comma-separated)").option("--ttl <seconds>", "lifetime in seconds", "86400").option("--subject <sub>", "the token's subject", "larder-cli").option("--secret <secret>", "HS256 secret (default: LARDER_JWT_SECRET, else .dev.vars)").option("--decode", "print the claims of the token in use (--token or LARDER_TOKEN), unverified").addHelpText("after", "\nExample:\n  export LARDER_TOKEN=$(npx larder token --scopes admin)").action(async (opts, cmd) => {
    const globals = cmd.optsWithGlobals();
    if (opts.decode) {
      const token2 = globals.token ?? process.env.LARDER_TOKEN;
      if (!token2) throw new CliError("No token to decode: give --token or set LARDER_TOKEN");
      let claims;
      try {
        claims = decodeJwt(token2);
      } catch {
        throw new CliError("The token is not a JWT");
      }
      if (globals.json) return printJson(claims);
      const exp = typeof claims.exp === "number" ? new Date(claims.exp * 1e3).toISOString() : "never";
      say(
        `subject  ${claims.sub ?? "-"}
scopes   ${claims.scope ?? [claims.scopes].flat().join(" ")}
projects ${claims.projects ? [claims.projects].flat().join(", ") : "all"}
expires  ${exp}`
      );
      return;
    }
    const scopes = list(opts.scopes.split(/\s+/));
    const unknown = scopes.filter((s) => !SCOPES.includes(s));
    if (unknown.length > 0)
      throw new CliError(`Unknown scope(s) ${unknown.join(", ")}`, [`Known: ${SCOPES.join(" ")}`]);
    const ttl = Number(opts.ttl);
    if (!Number.isInteger(ttl) || ttl <= 0) throw new CliError(`--ttl ${opts.ttl}: give whole seconds`);
    const { secret } = signingSecret(opts.secret, process.cwd());
    const projects = opts.projects ? list(opts.projects) : void 0;
    const token = await new SignJWT({ scope: scopes.join(" "), ...projects ? { projects } : {} }).setProtectedHeader({ alg: "HS256" }).setSubject(opts.subject).setIssuedAt().setExpirationTime(Math.floor(Date.now() / 1e3) + ttl).sign(new TextEncoder().encode(secret));
    if (globals.json) return printJson({ token, scopes, projects: projects ?? null, expires_in: ttl });
    say(token);
  });
}

// cli/main.ts
function buildProgram() {
  const program = new Command("larder").description("Larder feature store: definitions, ingestion, materialization, online and historical features").version(true ? "0.1.0" : "dev").option("-C, --directory <dir>", "run as if started in <dir> (where larder.yaml is looked for)").option("--url <url>", "Larder's origin, e.g. http://127.0.0.1:8787 (env LARDER_URL, larder.yaml url)").option("--token <jwt>", "bearer token (env LARDER_TOKEN)").option("--project <name>", "project (env LARDER_PROJECT, larder.yaml project; else the server's default)").option("--json", "print machine-readable JSON (no progress bars)").option("--timeout <seconds>", "per-request timeout", "60").showHelpAfterError("(add --help for usage)").configureHelp({ showGlobalOptions: true, sortSubcommands: false }).exitOverride();
  program.hook("preAction", (_program, action) => {
    const dir = action.optsWithGlobals().directory;
    if (dir) process.chdir(workDir({ directory: dir }));
  });
  registerInit(program);
  registerRegistry(program);
  registerIngest(program);
  registerJobs(program);
  registerOnline(program);
  registerHistorical(program);
  registerToken(program);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}
async function main(argv) {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    return reportError(err);
  }
}
process.exitCode = await main(process.argv);
export {
  buildProgram,
  main
};
