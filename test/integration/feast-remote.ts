/**
 * Feast's `RemoteOnlineStore` (sdk/python/feast/infra/online_stores/remote.py)
 * and the remote topology of `FeatureStore.materialize*`
 * (sdk/python/feast/feature_store.py), at feast-dev/feast commit
 * f0bc0700be7029166e6605e407de6d229cd1e93e, ported method by method: each
 * builds the body Feast builds, posts it where Feast posts it (`path` is the
 * `online_store.path` of feature_store.yaml), and parses the answer as Feast
 * does, raising what Feast raises.
 */
import { FeastClientError, PyError, type PyValue, post, pyIsoformat, pyLoads, wrappedPost } from "./feast-client";
import { type ProtoValue, pythonValuesToProtoValues, type ValueType } from "./feast-type-map";

/** A Feast FeatureView as the client knows it: name, join key and feature types. */
export interface FeastTable {
  name: string;
  joinKey: string;
  features: Record<string, ValueType>;
}

export const STATUS_MAP: Record<string, string> = {
  PRESENT: "PRESENT",
  NOT_FOUND: "NOT_FOUND",
  NULL_VALUE: "NULL_VALUE",
  OUTSIDE_MAX_AGE: "OUTSIDE_MAX_AGE",
};

type Json = Record<string, PyValue>;

export interface OnlineResponse {
  featureNames: string[];
  results: { values: ProtoValue[]; statuses: string[] }[];
}

export class RemoteOnlineStore {
  constructor(
    /** `online_store.path` (for example `/feast` or `/projects/sandbox/feast`, under the API base). */
    readonly path: string,
    /** The bearer token of the `auth` section (oidc, `token`/`token_env_var`). */
    readonly token: string | null,
  ) {}

  /** `get_online_features`: entity rows (columnar), features or a feature service. */
  async getOnlineFeatures(
    features: string[] | { featureService: string },
    entityRows: Record<string, PyValue[]>,
    fullFeatureNames = false,
  ): Promise<OnlineResponse> {
    const body: Json = {
      entities: entityRows,
      full_feature_names: fullFeatureNames,
      include_feature_view_version_metadata: false,
    };
    if (Array.isArray(features)) body.features = features;
    else body.feature_service = features.featureService;
    const response = await wrappedPost(this.path, "/get-online-features", body, { token: this.token });
    if (response.status !== 200) {
      throw new PyError("RuntimeError", `Failed to get online features: ${response.status} ${response.text}`);
    }
    return buildOnlineResponseFromJson(pyLoads(response.text) as Json);
  }

  /** `online_read`: one view, entity key values of its (single) join key, the requested features. */
  async onlineRead(
    table: FeastTable,
    entityValues: PyValue[],
    requestedFeatures: string[],
  ): Promise<[eventTs: number | null, values: Record<string, ProtoValue>][]> {
    const body = {
      features: requestedFeatures.map((f) => `${table.name}:${f}`),
      entities: { [table.joinKey]: entityValues },
    };
    const response = await wrappedPost(this.path, "/get-online-features", body, { token: this.token });
    if (response.status !== 200) {
      throw new PyError(
        "RuntimeError",
        `Unable to retrieve the online store data using feature server API. Error_code=${response.status}, error_message=${response.text}`,
      );
    }
    const json = pyLoads(response.text) as Json;
    const eventTs = getEventTs(json);
    const names = (json.metadata as Json).feature_names as string[];
    const results = json.results as Json[];
    return entityValues.map((_, row) => {
      const values: Record<string, ProtoValue> = {};
      names.forEach((name, index) => {
        if (!requestedFeatures.includes(name)) return;
        const result = results[index];
        values[name] =
          (result.statuses as string[])[row] === "PRESENT"
            ? pythonValuesToProtoValues([(result.values as PyValue[])[row]], table.features[name] ?? "UNKNOWN")[0]
            : {};
      });
      return [eventTs, values];
    });
  }

  /** `online_write_batch`: rows as (join key value, transport feature values, event ts, created ts). */
  async onlineWriteBatch(
    table: FeastTable,
    rows: { key: PyValue; features: Record<string, PyValue>; eventTs: number; createdTs?: number | null }[],
  ): Promise<void> {
    const columns: Record<string, PyValue[]> = {};
    const push = (name: string, value: PyValue) => {
      columns[name] ??= [];
      columns[name].push(value);
    };
    for (const row of rows) {
      push(table.joinKey, row.key);
      for (const [name, value] of Object.entries(row.features)) push(name, value);
      push("event_timestamp", pyIsoformat(row.eventTs));
      push("created", row.createdTs ? pyIsoformat(row.createdTs) : null);
    }
    const body = { feature_view_name: table.name, df: columns, allow_registry_cache: false };
    const response = await wrappedPost(this.path, "/write-to-online-store", body, { token: this.token });
    if (response.status !== 200) {
      throw new PyError(
        "RuntimeError",
        `Unable to write online store data using feature server API. Error_code=${response.status}, error_message=${response.text}`,
      );
    }
  }

  /** `retrieve_online_documents` up to its answer: `get_remote_online_documents` tries /search, then the alias. */
  async retrieveOnlineDocuments(table: FeastTable, requestedFeatures: string[], embedding: number[], topK: number) {
    const body = {
      features: requestedFeatures.map((f) => `${table.name}:${f}`),
      query: embedding,
      top_k: topK,
      distance_metric: "L2",
    };
    let response = await wrappedPost(this.path, "/search", body, { token: this.token });
    if (response.status === 404)
      response = await wrappedPost(this.path, "/retrieve-online-documents", body, { token: this.token });
    if (response.status === 200) return pyLoads(response.text);
    throw new PyError(
      "RuntimeError",
      `Unable to retrieve the online documents using feature server API. Error_code=${response.status}, error_message=${response.text}`,
    );
  }
}

/** `_build_online_response_from_json`: every value typed by inference from its JSON form. */
export function buildOnlineResponseFromJson(json: Json): OnlineResponse {
  const featureNames = (((json.metadata as Json | undefined)?.feature_names as string[] | undefined) ?? []).slice();
  const results = ((json.results as Json[] | undefined) ?? []).map((result) => ({
    values: ((result.values as PyValue[] | undefined) ?? []).map((v) =>
      v === null ? {} : pythonValuesToProtoValues([v])[0],
    ),
    statuses: ((result.statuses as string[] | undefined) ?? []).map((s) => STATUS_MAP[s] ?? "INVALID"),
  }));
  return { featureNames, results };
}

/** `_get_event_ts`: the first event timestamp of the second result, as epoch ms. */
export function getEventTs(json: Json): number | null {
  const results = (json.results as Json[] | undefined) ?? [];
  if (results.length > 1) {
    const stamps = (results[1].event_timestamps as string[] | undefined) ?? [];
    if (stamps.length > 0) return Date.parse(stamps[0].replace("Z", "+00:00"));
  }
  return null;
}

/**
 * `FeatureStore._delegate_remote_materialize` → `_post_to_feature_server`:
 * `?async=true` when run_async, and a RuntimeError for 409 and any other
 * status from 400 up. The session is `get_http_auth_requests_session`'s; once
 * a remote online-store call has wrapped that cached session
 * (rest_error_handler.py), a Feast error detail is raised as its class first.
 */
export async function remoteMaterialize(
  path: string,
  token: string | null,
  endpoint: "/materialize" | "/materialize-incremental",
  payload: Json,
  options: { runAsync?: boolean; force?: boolean } = {},
): Promise<PyValue> {
  const query: Record<string, string> = {};
  if (options.runAsync) query.async = "true";
  if (options.force) query.force = "true";
  const response = await post(path, endpoint, payload, { token, query });
  if (response.status === 409)
    throw new PyError("RuntimeError", `Remote materialization conflict (409): ${response.text}`);
  if (response.status >= 400) {
    throw new PyError("RuntimeError", `Remote materialization failed (${response.status}): ${response.text}`);
  }
  if (!response.text) return {};
  try {
    return pyLoads(response.text);
  } catch {
    return { status: "accepted", raw: response.text };
  }
}

/** `datetime.isoformat()` of a UTC-aware datetime, as `materialize` sends start_ts/end_ts. */
export function pyIsoformatUtc(ms: number): string {
  return `${pyIsoformat(ms)}+00:00`;
}

export { FeastClientError };
