/**
 * Feast's own client, ported to TypeScript for the tests: what it sends to a
 * feature server and how it parses the answers, line for line where it
 * matters. Followed at feast-dev/feast commit
 * f0bc0700be7029166e6605e407de6d229cd1e93e (2026-08-21):
 *
 * - sdk/python/feast/infra/online_stores/remote.py: the request bodies of
 *   `get_online_features`, `online_read`, `online_write_batch` and
 *   `retrieve_online_documents`, the paths they post to
 *   (`get_remote_online_features`, `get_remote_online_documents`: /search,
 *   then /retrieve-online-documents on a 404), and the parsing of answers
 *   (`_build_online_response_from_json`, the typed loop of `online_read`,
 *   `_get_event_ts`);
 * - sdk/python/feast/type_map.py: `python_type_to_feast_value_type` and
 *   `python_values_to_proto_values` for the scalar and list types Larder
 *   serves (how a JSON value becomes a protobuf Value, and the errors it
 *   raises);
 * - sdk/python/feast/rest_error_handler.py and errors.py: a 4xx/5xx whose
 *   body decodes with `FeastError.from_error_detail` is raised as that class;
 * - sdk/python/feast/feature_store.py: `_delegate_remote_materialize` and
 *   `_post_to_feature_server` (the remote topology's materialize calls).
 *
 * Python's json keeps ints and floats apart and JavaScript's does not, so
 * answers are parsed with `pyLoads`: a JSON integer becomes a bigint (a
 * Python int), a number with a fraction or exponent a number (a Python
 * float). Requests are written with `pyDumps` (Python's `json.dumps`, which
 * `requests` uses for `json=`); `PyFloat` marks a whole float (`100.0`).
 */
import { exports } from "cloudflare:workers";
import { floatJson } from "../../src/domain/feast-values";
import { BASE } from "./helpers";

export type PyValue = null | boolean | bigint | number | string | PyFloat | PyValue[] | { [key: string]: PyValue };

/** A Python float that JavaScript would write as an integer (`100.0`). */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** Python's `json.loads`: ints as bigint, floats as number (NaN and ±Infinity accepted, as Python does). */
export function pyLoads(text: string): PyValue {
  let i = 0;
  const fail = (): never => {
    throw new SyntaxError(`JSONDecodeError at ${i}: ${text.slice(i, i + 20)}`);
  };
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i])) i++;
  };
  const token = (re: RegExp) => {
    re.lastIndex = i;
    const m = re.exec(text);
    if (!m) return undefined;
    i += m[0].length;
    return m[0];
  };
  const value = (): PyValue => {
    ws();
    if (text[i] === "{") {
      i++;
      const out: Record<string, PyValue> = {};
      ws();
      if (text[i] === "}") {
        i++;
        return out;
      }
      for (;;) {
        ws();
        const key = token(/"(?:[^"\\]|\\.)*"/y) ?? fail();
        ws();
        if (text[i++] !== ":") fail();
        out[JSON.parse(key) as string] = value();
        ws();
        const sep = text[i++];
        if (sep === "}") return out;
        if (sep !== ",") fail();
      }
    }
    if (text[i] === "[") {
      i++;
      const out: PyValue[] = [];
      ws();
      if (text[i] === "]") {
        i++;
        return out;
      }
      for (;;) {
        out.push(value());
        ws();
        const sep = text[i++];
        if (sep === "]") return out;
        if (sep !== ",") fail();
      }
    }
    const str = token(/"(?:[^"\\]|\\.)*"/y);
    if (str !== undefined) return JSON.parse(str) as string;
    const word = token(/true|false|null|NaN|-?Infinity/y);
    if (word !== undefined) {
      const words: Record<string, PyValue> = { true: true, false: false, null: null, NaN: Number.NaN };
      return word in words ? words[word] : word === "Infinity" ? Infinity : -Infinity;
    }
    const num = token(/-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y) ?? fail();
    return /[.eE]/.test(num) ? Number(num) : BigInt(num);
  };
  const out = value();
  ws();
  if (i !== text.length) fail();
  return out;
}

/** Python's `json.dumps` (", " and ": " separators, ASCII only): integers as ints, other numbers and PyFloat as floats. */
export function pyDumps(value: unknown): string {
  if (value instanceof PyFloat) return floatJson(value.value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : floatJson(value);
  if (Array.isArray(value)) return `[${value.map(pyDumps).join(", ")}]`;
  if (value && typeof value === "object")
    return `{${Object.entries(value)
      .map(([k, v]) => `${pyDumps(k)}: ${pyDumps(v)}`)
      .join(", ")}}`;
  const text = JSON.stringify(value) ?? "null";
  return text.replace(/[\u0080-\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** Python's naive-UTC `datetime.isoformat()` (microseconds when non-zero), as remote.py sends event timestamps. */
export function pyIsoformat(ms: number): string {
  const iso = new Date(ms).toISOString().slice(0, -1);
  return ms % 1000 === 0 ? iso.slice(0, -4) : `${iso}000`;
}

/** Python's `str(datetime.now(timezone.utc))` (test_feature_server.py's `str(_utc_now())`). */
export function pyStrUtc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 23).replace("T", " ")}000+00:00`;
}

// ---- errors -------------------------------------------------------------

/** The classes of sdk/python/feast/errors.py at the pinned commit: what `from_error_detail` can import. */
export const FEAST_ERROR_CLASSES = new Set(
  (
    "FeastError DataSourceNotFoundException DataSourceNoNameException DataSourceRepeatNamesException FeastObjectNotFoundException " +
    "EntityNotFoundException FeatureServiceNotFoundException FeatureViewNotFoundException FeatureViewVersionNotFound " +
    "VersionedOnlineReadNotSupported FeatureViewPinConflict ConcurrentVersionConflict OnDemandFeatureViewNotFoundException " +
    "RequestDataNotFoundInEntityDfException RequestDataNotFoundInEntityRowsException DataSourceObjectNotFoundException " +
    "S3RegistryBucketNotExist S3RegistryBucketForbiddenAccess SavedDatasetNotFound ValidationReferenceNotFound " +
    "FeastProviderLoginError FeastProviderNotImplementedError FeastRegistryNotSetError FeastFeatureServerTypeInvalidError " +
    "FeastRegistryTypeInvalidError FeastModuleImportError FeastClassImportError FeastExtrasDependencyImportError " +
    "FeastOfflineStoreUnsupportedDataSource FeatureNameCollisionError SpecifiedFeaturesNotPresentError " +
    "SavedDatasetLocationAlreadyExists FeastOfflineStoreInvalidName FeastOnlineStoreInvalidName FeastInvalidAuthConfigClass " +
    "FeastInvalidBaseClass FeastOnlineStoreUnsupportedDataSource FeastEntityDFMissingColumnsError " +
    "FeastJoinKeysDuringMaterialization DockerDaemonNotRunning RegistryInferenceFailure BigQueryJobStillRunning " +
    "BigQueryJobCancelled RedshiftCredentialsError RedshiftQueryError RedshiftTableNameTooLong SnowflakeCredentialsError " +
    "SnowflakeQueryError EntityTimestampInferenceException FeatureViewMissingDuringFeatureServiceInference InvalidEntityType " +
    "ConflictingFeatureViewNames FeastInvalidInfraObjectType SnowflakeIncompleteConfig SnowflakeQueryUnknownError " +
    "InvalidFeaturesParameterType EntitySQLEmptyResults EntityDFNotDateTime PushSourceNotFoundException " +
    "ReadOnlyRegistryException DataFrameSerializationError PermissionNotFoundException PermissionObjectNotFoundException " +
    "ProjectNotFoundException ProjectObjectNotFoundException ZeroRowsQueryResult ZeroColumnQueryResult FeastPermissionError"
  ).split(" "),
);

/** A Feast error the client re-raised from an error detail (`FeastError.from_error_detail`). */
export class FeastClientError extends Error {
  constructor(
    readonly className: string,
    message: string,
  ) {
    super(message);
  }
}

/** A Python exception the client raises itself (RuntimeError, ValueError, TypeError, AssertionError). */
export class PyError extends Error {
  constructor(
    readonly pyClass: string,
    message: string,
  ) {
    super(`${pyClass}: ${message}`);
  }
}

/** `FeastError.from_error_detail(response.json())`: the error, or null when the body is no error detail. */
export function fromErrorDetail(detail: PyValue): FeastClientError | null {
  if (typeof detail !== "string") return null; // json.loads(<dict>) raises TypeError, which it logs and ignores
  let m: PyValue;
  try {
    m = pyLoads(detail);
  } catch {
    return null;
  }
  if (!m || typeof m !== "object" || Array.isArray(m) || m instanceof PyFloat) return null;
  if (!("module" in m && "class" in m && "message" in m)) return null;
  if (m.module !== "feast.errors" || !FEAST_ERROR_CLASSES.has(String(m.class))) return null;
  return new FeastClientError(String(m.class), String(m.message));
}

// ---- HTTP ---------------------------------------------------------------

export interface Reply {
  status: number;
  text: string;
  headers: Headers;
}

/**
 * Statuses on which Feast's HTTP session re-posts (http_auth_requests_wrapper.py: urllib3
 * `Retry(total=connection_retries (3), status_forcelist=[429, 500, 502, 503, 504], allowed_methods=[..., "POST"])`).
 */
export const RETRIED_STATUSES = [429, 500, 502, 503, 504];

/**
 * Feast's `requests` session (`get_http_auth_requests_session`) posting
 * `json=body` to `<path><route>` with the bearer token of Feast's oidc auth
 * config. Like the real session it re-posts a RETRIED_STATUSES answer up to
 * `retries` times, then raises RetryError without the body (the backoff
 * sleeps are left out).
 */
export async function post(
  path: string,
  route: string,
  body: unknown,
  options: { token?: string | null; query?: Record<string, string>; retries?: number } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const query = options.query ? `?${new URLSearchParams(options.query)}` : "";
  const url = `${BASE}${path}${route}${query}`;
  for (let attempt = 0; ; attempt++) {
    const res = await exports.default.fetch(new Request(url, { method: "POST", headers, body: pyDumps(body) }));
    const reply = { status: res.status, text: await res.text(), headers: res.headers };
    if (!RETRIED_STATUSES.includes(reply.status)) return reply;
    if (attempt >= (options.retries ?? 3)) {
      throw new PyError(
        "RetryError",
        `Max retries exceeded with url: ${new URL(url).pathname} (Caused by ResponseError('too many ${reply.status} error responses'))`,
      );
    }
  }
}

/** rest_error_handler.py's wrapped `session.post`: raises the mapped Feast error of a 4xx/5xx, else returns. */
export async function wrappedPost(...args: Parameters<typeof post>): Promise<Reply> {
  const reply = await post(...args);
  if (reply.status >= 400) {
    const mapped = fromErrorDetail(pyLoads(reply.text)); // response.json(): raises on a body that is not JSON
    if (mapped) throw mapped;
  }
  return reply;
}
