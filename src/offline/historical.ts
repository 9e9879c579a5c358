/**
 * Historical retrieval: for each selected view, read its source's rows in the
 * entity rows' time window (minus the view's ttl), keep only rows of the
 * entity keys asked for, and point-in-time join them onto the entity rows.
 * Timings of the parts are measured for the response and the benchmark.
 */
import { entityKey } from "../domain/entity-key";
import type { CompiledRegistry } from "../domain/compiled-registry";
import type { FeatureSelection } from "../domain/feature-refs";
import { pointInTimeJoin, type FeatureTable, type PitJoinResult } from "../domain/pit-join";
import type { ValueType } from "../domain/dtypes";
import { ENTITY_TS, type EntityDf } from "./entity-df";
import { readRows, type OfflineDeps } from "./offline-store";
import { sourceSchema } from "./source-schema";

export interface HistoricalResult {
  result: PitJoinResult;
  timings: { read_ms: number; join_ms: number };
  rows_scanned: number;
  files_read: number;
}

/** The batch source a view reads offline (a push source's rows land in its batch source). */
export function offlineSourceOf(registry: CompiledRegistry, viewName: string): string {
  const view = registry.view(viewName);
  const source = registry.sources.get(view.def.source);
  return source?.type === "push" ? source.batch_source : view.def.source;
}

/** A single key's value as text: integers canonical (7, "7" and "007" agree), strings as they are. */
function singleKeyText(type: ValueType, value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (type === "INT32" || type === "INT64") {
    if (typeof value === "number") return Number.isInteger(value) ? String(value) : undefined;
    if (typeof value === "bigint") return value.toString();
    return typeof value === "string" && /^-?\d+$/.test(value.trim()) ? BigInt(value.trim()).toString() : undefined;
  }
  return typeof value === "string" ? value : undefined;
}

/**
 * Which offline rows belong to the entity keys asked for. One join key (the
 * common case) is a set lookup on the raw value; composite keys use the
 * canonical entity key.
 */
export function keyFilter(
  joinKeys: readonly string[],
  types: Record<string, ValueType>,
  entityColumns: Record<string, unknown[]>,
): (table: Record<string, unknown[]>, i: number) => boolean {
  const rows = entityColumns[joinKeys[0]]?.length ?? 0;
  if (joinKeys.length === 1) {
    const [key] = joinKeys;
    const type = types[key] ?? "STRING";
    const wanted = new Set<string>();
    for (let r = 0; r < rows; r++) {
      const text = singleKeyText(type, entityColumns[key][r]);
      if (text !== undefined) wanted.add(text);
    }
    return (table, i) => {
      const text = singleKeyText(type, table[key][i]);
      return text !== undefined && wanted.has(text);
    };
  }
  const wanted = new Set<string>();
  for (let r = 0; r < rows; r++) {
    try {
      wanted.add(entityKey(joinKeys, types, (k) => entityColumns[k][r]));
    } catch {
      // A null or ill-typed entity key matches nothing; the join reports bad types itself.
    }
  }
  return (table, i) => {
    try {
      return wanted.has(entityKey(joinKeys, types, (k) => table[k][i]));
    } catch {
      return false;
    }
  };
}

/**
 * Joins the selected features onto `df`. `rows` limits the entity rows used
 * (a shard); the result then has one row per index in `rows`, in that order.
 */
export async function joinHistorical(
  deps: OfflineDeps,
  registry: CompiledRegistry,
  selection: FeatureSelection,
  df: EntityDf,
  fullFeatureNames: boolean,
  rows?: readonly number[],
): Promise<HistoricalResult> {
  const indices = rows ?? Array.from({ length: df.numRows }, (_, i) => i);
  const entityColumns: Record<string, unknown[]> = {};
  for (const name of df.columnNames)
    entityColumns[name] = indices.map((i) => (name === ENTITY_TS ? df.ts[i] : df.columns[name][i]));
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
      const types = view.keyTypes;
      const schema = sourceSchema(registry, offlineSourceOf(registry, view.def.name));
      const started = performance.now();
      const ttlMs = view.def.ttl_seconds * 1000;
      const read = await readRows(deps, registry.project, schema, {
        features: features.map((f) => f.name),
        minTs: ttlMs > 0 ? minTs - ttlMs : undefined,
        maxTs,
        keep: keyFilter(view.joinKeys, types, entityColumns),
      });
      readMs = Math.max(readMs, performance.now() - started);
      rowsScanned += read.rowsScanned;
      filesRead += read.filesRead;
      return {
        view: view.def.name,
        joinKeys: view.joinKeys,
        keyTypes: types,
        features: features.map((f) => f.name),
        ttlSeconds: view.def.ttl_seconds,
        rows: read.columns,
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
