/**
 * The Feast feature server's online response, built from Larder's columnar
 * read (`readOnlineFeatures`). Matches what `feast serve` answers
 * (`MessageToDict(GetOnlineFeaturesResponse)` after `proto_json.patch()`,
 * sdk/python/feast/feature_server.py and utils.py):
 *
 * - `metadata.feature_names`: the request's entity columns in request order,
 *   then the features (`feature` or `view__feature`);
 * - one `results` entry per name, values across entity rows. Join-key
 *   columns echo the request's values with status PRESENT and timestamp
 *   `1970-01-01T00:00:00Z` (Feast fills them with an empty protobuf
 *   `Timestamp()`); feature columns carry Larder's statuses and the stored
 *   event timestamp, or `1970-01-01T00:00:00Z` when nothing was found (again
 *   Feast's empty `Timestamp()`).
 *
 * Timestamps follow protobuf's JSON form of `google.protobuf.Timestamp`
 * (RFC 3339, UTC, `Z`): no fraction when the milliseconds are zero
 * (`2024-01-01T00:00:00Z`), else three digits (`2024-01-01T00:00:00.120Z`);
 * Larder stores millisecond precision. Feast's remote client parses these
 * with `datetime.fromisoformat(ts.replace("Z", "+00:00"))`. Pure.
 */
import { formatTimestamp } from "../domain/timestamps";
import type { FeatureStatus, OnlineReadResult } from "../services/online-read";

/** What Feast writes for an unset timestamp. */
const FEAST_EPOCH = "1970-01-01T00:00:00Z";

export interface FeastFeatureVector {
  values: unknown[];
  statuses: FeatureStatus[];
  event_timestamps: string[];
}

export interface FeastOnlineResponse {
  metadata: { feature_names: string[] };
  results: FeastFeatureVector[];
}

/** Epoch ms as protobuf's JSON Timestamp; null (not found) as the epoch. */
function feastTimestamp(ms: number | null): string {
  return ms === null ? FEAST_EPOCH : formatTimestamp(ms).replace(/\.000Z$/, "Z");
}

/** `entityColumns`: the request's entities keys, in request order. */
export function feastOnlineResponse(result: OnlineReadResult, entityColumns: readonly string[]): FeastOnlineResponse {
  const n = result.rowCount;
  const keyVectors = entityColumns.map((key) => ({
    values: [...result.entities[key]],
    statuses: new Array<FeatureStatus>(n).fill("PRESENT"),
    event_timestamps: new Array<string>(n).fill(FEAST_EPOCH),
  }));
  const featureVectors = result.columns.map((col) => ({
    values: col.values,
    statuses: col.statuses,
    event_timestamps: col.eventTimestamps.map(feastTimestamp),
  }));
  return {
    metadata: { feature_names: [...entityColumns, ...result.columns.map((c) => c.outputName)] },
    results: [...keyVectors, ...featureVectors],
  };
}
