/**
 * The point-in-time join behind historical features. Pure: no I/O, no HTTP.
 *
 * Contract. For every entity row (in input order) and every feature table:
 * - candidates are the table's rows whose join keys ALL equal the entity
 *   row's, with `event_timestamp <= entity ts` and, when `ttlSeconds > 0`,
 *   `event_timestamp >= entity ts - ttlSeconds * 1000` (both inclusive);
 * - the winner has the greatest `event_timestamp`; ties go to the greater
 *   `created_timestamp` (null/absent counts as lowest); a full tie goes to
 *   the row that comes LAST in the table's row order (a later file wins);
 * - no candidate gives null for every feature of that table.
 * The output has one row per entity row, in input order: every entity column
 * (join keys, `event_timestamp`, labels...) in its input order, then each
 * table's features in table order, named `feature` or, with
 * `fullFeatureNames`, `view__feature`. Output names must be unique; callers
 * check with `outputNameCollisions` to give a precise 400 first, and the join
 * throws VALIDATION_ERROR on a collision anyway.
 *
 * Timestamps are epoch milliseconds (numbers). Entity rows need a finite
 * `event_timestamp` and non-null, well-typed join keys (else VALIDATION_ERROR
 * naming the row). Feature rows with a null key or a non-finite event
 * timestamp can match nothing and are skipped; a non-null key of the wrong
 * type is an error naming the view and row. A feature with no column in the
 * table's rows (added to the view after the data was written) is null.
 *
 * Key equality is by canonical form per value type: INT32/INT64 compare as
 * integers (7, 7n, "7" and "007" are equal); STRING and BYTES (base64 text,
 * as the API and readParquet give bytes) compare exactly.
 *
 * Speed, O(F log E + E log E) for F feature and E entity rows: entity keys
 * are indexed first, so a feature row no entity row asks for costs one key
 * build and one Map lookup (rows outside the entities' overall time window
 * not even that); a wanted row is binary-searched into the bucket of its key's
 * entity rows (sorted by ts) it precedes, keeping only the best per bucket; a
 * prefix pass over the buckets then gives each entity row its winner. Feature
 * rows are never sorted.
 */
import { invalid } from "./errors";
import type { ValueType } from "./dtypes";
import { BAD_KEY, identityBuilder, type KeyIdentity, keyText } from "./entity-key";
import { CREATED_TIMESTAMP, EVENT_TIMESTAMP } from "./names";
import { asColumns, type Columns, type TableInput } from "./table-input";

import { outputNameCollisions, type PitJoinResult } from "./join-output";

export type { PitJoinResult } from "./join-output";

export type { TableInput } from "./table-input";

export interface FeatureTable {
  view: string;
  /** Join keys, sorted by name (as `viewJoinKeys` returns them). */
  joinKeys: readonly string[];
  /** Value type of each join key. */
  keyTypes: Readonly<Record<string, ValueType>>;
  features: readonly string[];
  /** 0 = no limit. */
  ttlSeconds: number;
  /** Columns: join keys, `event_timestamp`, optional `created_timestamp`, features. */
  rows: TableInput;
}

export interface PitJoinOptions {
  fullFeatureNames: boolean;
}

/** The error for a row whose key has a value of the wrong type, naming the key and value. */
function badKey(table: FeatureTable, cols: Columns, row: number, where: string): Error {
  const key =
    table.joinKeys.find((k) => keyText(table.keyTypes[k], cols.get(k)![row]) === BAD_KEY) ?? table.joinKeys[0];
  const value = cols.get(key)![row];
  const shown = typeof value === "bigint" ? value.toString() : value;
  return invalid(
    `${where} ${row}: join key '${key}' of feature view '${table.view}' expects ${table.keyTypes[key]}, got ${JSON.stringify(shown) ?? String(value)}`,
    { row, feature_view: table.view, join_key: key },
  );
}

/** The join identity of each row of `cols`; VALIDATION_ERROR when a key column is missing. */
function keyBuilder(table: FeatureTable, cols: Columns, what: string): (row: number) => KeyIdentity {
  for (const key of table.joinKeys) {
    if (!cols.get(key)) {
      throw invalid(`${what} has no column for join key '${key}' of feature view '${table.view}'`, {
        feature_view: table.view,
        join_key: key,
      });
    }
    if (!table.keyTypes[key]) {
      throw invalid(`Feature view '${table.view}': no value type for join key '${key}'`, {
        feature_view: table.view,
        join_key: key,
      });
    }
  }
  return identityBuilder(table.joinKeys, table.keyTypes, (key) => cols.get(key)!);
}

interface KeyGroup {
  entities: number[];
  candidates: number[];
}

/** Index of the winning feature row per entity row of one table (-1 = none). */
function matchTable(table: FeatureTable, entities: Columns, entityTs: Float64Array): Int32Array {
  const match = new Int32Array(entities.length).fill(-1);
  const entityKey = keyBuilder(table, entities, "entity_df");
  const groups = new Map<string, KeyGroup>();
  let maxTs = -Infinity;
  let minTs = Infinity;
  for (let i = 0; i < entities.length; i++) {
    const key = entityKey(i);
    if (key === BAD_KEY) throw badKey(table, entities, i, "entity_df row");
    if (key === null) continue; // a null key matches nothing, like SQL
    let group = groups.get(key);
    if (!group) {
      group = { entities: [], candidates: [] };
      groups.set(key, group);
    }
    group.entities.push(i);
    maxTs = Math.max(maxTs, entityTs[i]);
    minTs = Math.min(minTs, entityTs[i]);
  }
  if (groups.size === 0) return match;

  const rows = asColumns(table.rows, `feature view '${table.view}'`, [
    ...table.joinKeys,
    EVENT_TIMESTAMP,
    CREATED_TIMESTAMP,
  ]);
  if (rows.length === 0) return match;
  const ts = rows.get(EVENT_TIMESTAMP);
  if (!ts)
    throw invalid(`Feature rows of view '${table.view}' have no '${EVENT_TIMESTAMP}' column`, {
      feature_view: table.view,
    });
  const created = rows.get(CREATED_TIMESTAMP);
  const ttlMs = table.ttlSeconds > 0 ? table.ttlSeconds * 1000 : 0;
  const lowest = ttlMs > 0 ? minTs - ttlMs : -Infinity;
  const featureKey = keyBuilder(table, rows, `Feature rows of view '${table.view}'`);
  for (let j = 0; j < rows.length; j++) {
    const t = ts[j];
    if (typeof t !== "number" || !(t >= lowest && t <= maxTs)) continue; // also drops NaN
    const key = featureKey(j);
    if (key === BAD_KEY) throw badKey(table, rows, j, `Feature view '${table.view}' row`);
    if (key !== null) groups.get(key)?.candidates.push(j);
  }

  const createdAt = (j: number): number => {
    const c = created?.[j];
    return typeof c === "number" && Number.isFinite(c) ? c : -Infinity;
  };
  for (const group of groups.values()) {
    if (group.candidates.length === 0) continue;
    // Bucket k of the group's entity rows (sorted by ts) holds the candidates with
    // ts in (ts[k-1], ts[k]]; buckets rise in ts, so the winner for entity row k
    // is the best of the last non-empty bucket <= k.
    const ents =
      group.entities.length > 1 ? group.entities.slice().sort((a, b) => entityTs[a] - entityTs[b]) : group.entities;
    const entTs = Float64Array.from(ents, (i) => entityTs[i]);
    const best = new Int32Array(ents.length).fill(-1);
    for (const j of group.candidates) {
      const t = ts[j] as number;
      let lo = 0;
      let hi = entTs.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (entTs[mid] < t) lo = mid + 1;
        else hi = mid;
      }
      if (lo === entTs.length) continue; // later than every entity row of the key
      const cur = best[lo];
      // Candidates come in row order, so `>=` on created lets a full tie go to the later row.
      if (cur < 0 || t > (ts[cur] as number) || (t === ts[cur] && createdAt(j) >= createdAt(cur))) best[lo] = j;
    }
    let winner = -1;
    for (let k = 0; k < ents.length; k++) {
      if (best[k] >= 0) winner = best[k];
      // Nothing newer than the winner qualifies, so if it is too old for the ttl, all are.
      if (winner >= 0 && (ttlMs === 0 || (ts[winner] as number) >= entTs[k] - ttlMs)) match[ents[k]] = winner;
    }
  }
  return match;
}

/** Runs the join; see the module comment for the exact semantics. */
export function pointInTimeJoin(
  entityRows: TableInput,
  tables: readonly FeatureTable[],
  options: PitJoinOptions,
): PitJoinResult {
  const entities = asColumns(entityRows, "entity_df");
  const collisions = outputNameCollisions(tables, options.fullFeatureNames, entities.names);
  if (collisions.length) {
    const { name, sources } = collisions[0];
    throw invalid(
      `Output column '${name}' would come from ${sources.join(" and ")}; use full_feature_names or rename the column`,
      { collisions },
    );
  }
  const tsCol = entities.get(EVENT_TIMESTAMP);
  // Zero row objects name no columns at all, so only columns can be checked for it.
  if (!tsCol && (entities.length > 0 || !Array.isArray(entityRows)))
    throw invalid(`entity_df needs an '${EVENT_TIMESTAMP}' column`, { column: EVENT_TIMESTAMP });
  const n = entities.length;
  const entityTs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = tsCol![i];
    if (typeof t !== "number" || !Number.isFinite(t))
      throw invalid(`entity_df row ${i}: '${EVENT_TIMESTAMP}' must be a timestamp`, { row: i, value: t ?? null });
    entityTs[i] = t;
  }

  const columns: string[] = [];
  const data: Record<string, unknown[]> = {};
  for (const name of entities.names) {
    const col = entities.get(name)!;
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = col[i] === undefined ? null : col[i];
    columns.push(name);
    data[name] = out;
  }

  for (const table of tables) {
    const match = n > 0 ? matchTable(table, entities, entityTs) : new Int32Array(0);
    const rows = asColumns(table.rows, `feature view '${table.view}'`, table.features);
    for (const feature of table.features) {
      const col = rows.get(feature);
      const out = new Array<unknown>(n);
      for (let i = 0; i < n; i++) {
        const j = match[i];
        const v = j >= 0 && col ? col[j] : null;
        out[i] = v === undefined ? null : v;
      }
      const name = options.fullFeatureNames ? `${table.view}__${feature}` : feature;
      columns.push(name);
      data[name] = out;
    }
  }
  return { columns, data, numRows: n };
}
