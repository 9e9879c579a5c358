/**
 * The Feast feature server's online response, built from Larder's columnar
 * read (`readOnlineFeatures`) as JSON text. Matches what `feast serve`
 * answers (`convert_response_to_dict(GetOnlineFeaturesResponse)`,
 * sdk/python/feast/feature_server_utils.py, written by Starlette's
 * JSONResponse: compact separators, results before metadata):
 *
 * - `metadata.feature_names`: the request's join-key columns in request order
 *   (columns Feast ignores are left out, see domain/feast-entities.ts), then
 *   the features (`feature` or `view__feature`);
 * - one `results` entry per name, values across entity rows. Join-key
 *   columns echo the request's values with status PRESENT and timestamp
 *   `1970-01-01T00:00:00Z` (Feast fills them with an empty protobuf
 *   `Timestamp()`); feature columns carry Larder's statuses and the stored
 *   event timestamp, or `1970-01-01T00:00:00Z` when nothing was found (again
 *   Feast's empty `Timestamp()`).
 * - feature values are written by each feature's dtype
 *   (domain/feast-values.ts): floats with a decimal point, integers without,
 *   unix_timestamp features as integer epoch seconds. This is why the body is
 *   text and not `c.json`: JSON.stringify writes 100.0 as `100`.
 *
 * Timestamps follow protobuf's JSON form of `google.protobuf.Timestamp`
 * (RFC 3339, UTC, `Z`): no fraction when the milliseconds are zero
 * (`2024-01-01T00:00:00Z`), else three digits (`2024-01-01T00:00:00.120Z`);
 * Larder stores millisecond precision. Feast's remote client parses these
 * with `datetime.fromisoformat(ts.replace("Z", "+00:00"))`. Pure.
 */
import type { Dtype } from "../domain/dtypes";
import { feastValueJson } from "../domain/feast-values";
import type { FeatureSelection } from "../domain/feature-refs";
import { formatTimestamp } from "../domain/timestamps";
import type { OnlineReadResult } from "../services/online-read";

/** What Feast writes for an unset timestamp. */
const FEAST_EPOCH = "1970-01-01T00:00:00Z";

/** Epoch ms as protobuf's JSON Timestamp; null (not found) as the epoch. */
function feastTimestamp(ms: number | null): string {
  return ms === null ? FEAST_EPOCH : formatTimestamp(ms).replace(/\.000Z$/, "Z");
}

/** Column dtypes per selection: selections are cached per registry version, so this is built once per selection. */
const dtypesBySelection = new WeakMap<FeatureSelection, Map<string, Dtype>>();

/** The dtype of every output column of a selection (`feature` or `view__feature`). */
export function columnDtypes(selection: FeatureSelection): ReadonlyMap<string, Dtype> {
  let dtypes = dtypesBySelection.get(selection);
  if (!dtypes) {
    dtypes = new Map();
    for (const { view, features } of selection.views) {
      for (const f of features) dtypes.set(f.outputName, view.def.features[view.featureIndex.get(f.name)!].dtype);
    }
    dtypesBySelection.set(selection, dtypes);
  }
  return dtypes;
}

function vector(values: string[], statuses: readonly string[], timestamps: readonly string[]): string {
  return `{"values":[${values.join(",")}],"statuses":${JSON.stringify(statuses)},"event_timestamps":${JSON.stringify(timestamps)}}`;
}

/**
 * The response body. `entityColumns`: the join-key columns to echo, in
 * request order; `dtypes`: each feature column's dtype (`columnDtypes`).
 */
export function feastOnlineResponseText(
  result: OnlineReadResult,
  entityColumns: readonly string[],
  dtypes: ReadonlyMap<string, Dtype>,
): string {
  const n = result.rowCount;
  const epochs = new Array<string>(n).fill(FEAST_EPOCH);
  const present = new Array<string>(n).fill("PRESENT");
  const vectors = entityColumns.map((key) =>
    vector(
      result.entities[key].map((v) => JSON.stringify(v) ?? "null"),
      present,
      epochs,
    ),
  );
  for (const col of result.columns) {
    const dtype = dtypes.get(col.outputName);
    const values = col.values.map((v) =>
      dtype ? feastValueJson(dtype, v) : v === null ? "null" : (JSON.stringify(v) ?? "null"),
    );
    vectors.push(vector(values, col.statuses, col.eventTimestamps.map(feastTimestamp)));
  }
  const names = [...entityColumns, ...result.columns.map((c) => c.outputName)];
  return `{"results":[${vectors.join(",")}],"metadata":{"feature_names":${JSON.stringify(names)}}}`;
}
