/**
 * Historical retrieval: for each selected view, read its source's rows in the
 * entity rows' time window (minus the view's ttl), keep only rows of the
 * entity keys asked for, and point-in-time join them onto the entity rows.
 * Timings of the parts are measured for the response and the benchmark.
 */
import type { CompiledRegistry } from "../domain/compiled-registry";
import type { Dtype, ValueType } from "../domain/dtypes";
import type { EntityDf } from "../domain/entity-df";
import { EVENT_TIMESTAMP } from "../domain/names";
import { identityBuilder } from "../domain/entity-key";
import type { FeatureSelection } from "../domain/feature-refs";
import type { PitJoinResult } from "../domain/join-output";
import { type FeatureTable, pointInTimeJoin } from "../domain/pit-join";
import { offlineSourceOf, sourceSchema } from "../domain/source-schema";
import type { OfflineStore } from "../offline/offline-store";

export interface HistoricalResult {
  result: PitJoinResult;
  timings: { read_ms: number; join_ms: number };
  rows_scanned: number;
  files_read: number;
}

/** The join identities of the entity rows (null or ill-typed keys match nothing; the join reports bad types). */
export function wantedKeys(
  joinKeys: readonly string[],
  types: Readonly<Record<string, ValueType>>,
  entityColumns: Record<string, unknown[]>,
): Set<string> {
  const rows = entityColumns[joinKeys[0]]?.length ?? 0;
  const identity = identityBuilder(joinKeys, types, (k) => entityColumns[k] ?? []);
  const wanted = new Set<string>();
  for (let r = 0; r < rows; r++) {
    const id = identity(r);
    if (typeof id === "string") wanted.add(id);
  }
  return wanted;
}

/**
 * Joins the selected features onto `df`. `rows` limits the entity rows used
 * (a shard); the result then has one row per index in `rows`, in that order.
 */
export async function joinHistorical(
  offline: OfflineStore,
  registry: CompiledRegistry,
  selection: FeatureSelection,
  df: EntityDf,
  fullFeatureNames: boolean,
  rows?: readonly number[],
): Promise<HistoricalResult> {
  const indices = rows ?? Array.from({ length: df.numRows }, (_, i) => i);
  const entityColumns: Record<string, unknown[]> = {};
  for (const name of df.columnNames) {
    entityColumns[name] = indices.map((i) => (name === EVENT_TIMESTAMP ? df.ts[i] : df.columns[name][i]));
  }
  let minTs = Infinity;
  let maxTs = -Infinity;
  for (const i of indices) {
    minTs = Math.min(minTs, df.ts[i]);
    maxTs = Math.max(maxTs, df.ts[i]);
  }
  let readMs = 0;
  let rowsScanned = 0;
  let filesRead = 0;
  // The views' sources are read in parallel: their R2 reads overlap.
  const tables: FeatureTable[] = await Promise.all(
    selection.views.map(async ({ view, features }) => {
      const schema = sourceSchema(registry, offlineSourceOf(registry, view.def.name));
      const started = performance.now();
      const ttlMs = view.def.ttl_seconds * 1000;
      const read = await offline.readRows(registry.project, schema, {
        features: features.map((f) => f.name),
        minTs: ttlMs > 0 ? minTs - ttlMs : undefined,
        maxTs,
        keys: wantedKeys(view.joinKeys, view.keyTypes, entityColumns),
      });
      readMs = Math.max(readMs, performance.now() - started);
      rowsScanned += read.rowsScanned;
      filesRead += read.filesRead;
      return {
        view: view.def.name,
        joinKeys: view.joinKeys,
        keyTypes: view.keyTypes,
        features: features.map((f) => f.name),
        ttlSeconds: view.def.ttl_seconds,
        rows: read.columns,
        carries: read.carries,
      };
    }),
  );
  const joinStarted = performance.now();
  const result = pointInTimeJoin(entityColumns, tables, { fullFeatureNames });
  return {
    result,
    timings: { read_ms: readMs, join_ms: performance.now() - joinStarted },
    rows_scanned: rowsScanned,
    files_read: filesRead,
  };
}

const KEY_DTYPES = { STRING: "string", INT32: "int32", INT64: "int64", BYTES: "bytes" } as const;

/** Dtypes of the output columns the registry knows: join keys and features. */
export function exportDtypes(registry: CompiledRegistry, selection: FeatureSelection): Record<string, Dtype> {
  const dtypes: Record<string, Dtype> = {};
  for (const { view, features } of selection.views) {
    for (const entityName of view.def.entities) {
      const entity = registry.entities.get(entityName);
      for (const key of entity?.join_keys ?? []) dtypes[key] = KEY_DTYPES[entity!.value_types[key]];
    }
    for (const f of features) dtypes[f.outputName] = view.def.features[view.featureIndex.get(f.name)!].dtype;
  }
  return dtypes;
}
