/**
 * The matching step of the point-in-time join (see `pit-join.ts` for the
 * contract): the candidate feature rows of each entity key, and the winner
 * per entity row among the rows that carried a feature. Pure.
 */
import { invalid } from "./errors";
import { BAD_KEY, identityBuilder, type KeyIdentity, keyText } from "./entity-key";
import { CREATED_TIMESTAMP, EVENT_TIMESTAMP, WRITE_ID, WRITE_SEQUENCE } from "./names";
import type { ValueType } from "./dtypes";
import { asColumns, type Columns, type TableInput } from "./table-input";
import { compareSequences } from "./write-version";

export interface FeatureTable {
  view: string;
  /** Join keys, sorted by name (as `viewJoinKeys` returns them). */
  joinKeys: readonly string[];
  /** Value type of each join key. */
  keyTypes: Readonly<Record<string, ValueType>>;
  features: readonly string[];
  /** 0 = no limit. */
  ttlSeconds: number;
  /** Columns: join keys, `event_timestamp`, optional `created_timestamp`, `_larder_seq`, `_larder_wid`, features. */
  rows: TableInput;
  /** Per feature, 0 where a row did not carry it; absent: every row carried it. */
  carries?: Readonly<Record<string, Uint8Array>>;
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

interface Candidates {
  /** Per key: its entity rows sorted by ts, their ts, and its candidate rows in row order. */
  groups: { ents: number[]; entTs: Float64Array; candidates: number[] }[];
  ts: ArrayLike<unknown>;
  /** True when candidate row a is newer than b, both of one key and event time being compared. */
  newer: (a: number, b: number) => boolean;
  ttlMs: number;
}

/** The feature rows each entity row could match in one table, grouped by key; null when none. */
export function findCandidates(table: FeatureTable, entities: Columns, entityTs: Float64Array): Candidates | null {
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
  if (groups.size === 0) return null;

  const rows = asColumns(table.rows, `feature view '${table.view}'`, [
    ...table.joinKeys,
    EVENT_TIMESTAMP,
    CREATED_TIMESTAMP,
    WRITE_SEQUENCE,
    WRITE_ID,
  ]);
  if (rows.length === 0) return null;
  const ts = rows.get(EVENT_TIMESTAMP);
  if (!ts)
    throw invalid(`Feature rows of view '${table.view}' have no '${EVENT_TIMESTAMP}' column`, {
      feature_view: table.view,
    });
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
  const created = rows.get(CREATED_TIMESTAMP);
  const seq = rows.get(WRITE_SEQUENCE);
  const wid = rows.get(WRITE_ID);
  const createdAt = (j: number): number => {
    const c = created?.[j];
    return typeof c === "number" && Number.isFinite(c) ? c : -Infinity;
  };
  const seqOf = (j: number): string => (typeof seq?.[j] === "string" ? (seq[j] as string) : "0");
  const widOf = (j: number): number => (typeof wid?.[j] === "number" ? (wid[j] as number) : 0);
  // Candidates come in row order, so a tie of the whole version goes to the later row (b < a).
  const newer = (a: number, b: number): boolean => {
    const ta = ts[a] as number;
    const tb = ts[b] as number;
    if (ta !== tb) return ta > tb;
    const ca = createdAt(a);
    const cb = createdAt(b);
    if (ca !== cb) return ca > cb;
    const bySeq = seq ? compareSequences(seqOf(a), seqOf(b)) : 0;
    if (bySeq !== 0) return bySeq > 0;
    const byWid = widOf(a) - widOf(b);
    return byWid !== 0 ? byWid > 0 : a > b;
  };
  const out: Candidates["groups"] = [];
  for (const group of groups.values()) {
    if (group.candidates.length === 0) continue;
    const ents =
      group.entities.length > 1 ? group.entities.slice().sort((a, b) => entityTs[a] - entityTs[b]) : group.entities;
    out.push({ ents, entTs: Float64Array.from(ents, (i) => entityTs[i]), candidates: group.candidates });
  }
  return { groups: out, ts, newer, ttlMs };
}

/** Index of the winning feature row per entity row (-1 = none), among rows `carried` marks (all when absent). */
export function pickWinners(found: Candidates, n: number, carried?: Uint8Array): Int32Array {
  const match = new Int32Array(n).fill(-1);
  const { ts, newer, ttlMs } = found;
  for (const { ents, entTs, candidates } of found.groups) {
    // Slot k of the key's entity rows (sorted by ts) holds the candidates with
    // ts in (ts[k-1], ts[k]]; slots rise in ts, so the winner for entity row k
    // is the best of the last non-empty slot <= k.
    const best = new Int32Array(ents.length).fill(-1);
    for (const j of candidates) {
      if (carried && carried[j] === 0) continue;
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
      if (cur < 0 || newer(j, cur)) best[lo] = j;
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
