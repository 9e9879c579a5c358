/**
 * A brute-force model of Larder's consistency rules, written from DESIGN.md
 * alone (no Larder code), for the consistency suites:
 * - one ordering rule: rows of an entity are ordered by event time, then
 *   created time (null lowest), then write sequence (compared as integers),
 *   then write id; a later write wins a full tie;
 * - per-feature as-of: a feature's value at t is its value in the newest row
 *   with event time <= t that carried it (an explicit null included); ttl
 *   applies to that row.
 * Also the rules Larder had before (ties by event and created time only;
 * materialization keeping the first of tied rows, the join the last; a row
 * replacing the whole record), to show the suites catch them.
 */

export interface ModelRow {
  key: string;
  e: number;
  c: number | null;
  /** Write sequence, decimal text. */
  s: string;
  w: number;
  /** Only the features the row carried (null values included). */
  values: Record<string, unknown>;
}

/** -1, 0 or 1 as a is older than, equal to or newer than b by the one rule. */
export function compareRows(a: ModelRow, b: ModelRow): number {
  if (a.e !== b.e) return a.e < b.e ? -1 : 1;
  const ac = a.c === null ? -Infinity : a.c;
  const bc = b.c === null ? -Infinity : b.c;
  if (ac !== bc) return ac < bc ? -1 : 1;
  const as = BigInt(a.s);
  const bs = BigInt(b.s);
  if (as !== bs) return as < bs ? -1 : 1;
  if (a.w !== b.w) return a.w < b.w ? -1 : 1;
  return 0;
}

/** The value of `feature` of entity `key` at time `t` (ttl in ms, 0 = none); null when nothing applies. */
export function modelValue(rows: readonly ModelRow[], key: string, feature: string, t: number, ttlMs = 0): unknown {
  let best: ModelRow | undefined;
  for (const row of rows) {
    if (row.key !== key || row.e > t || !Object.hasOwn(row.values, feature)) continue;
    if (!best || compareRows(row, best) > 0) best = row;
  }
  if (!best) return null;
  if (ttlMs > 0 && best.e < t - ttlMs) return null;
  return best.values[feature] ?? null;
}

/**
 * The old rules, as materialization applied them: per entity the first row of
 * the greatest (event, created) time, its whole record (features it did not
 * carry: null).
 */
export function oldMaterializedValue(rows: readonly ModelRow[], key: string, feature: string): unknown {
  let best: ModelRow | undefined;
  for (const row of rows) {
    if (row.key !== key) continue;
    if (!best) {
      best = row;
      continue;
    }
    const newer = row.e !== best.e ? row.e > best.e : (row.c ?? -Infinity) > (best.c ?? -Infinity);
    if (newer) best = row;
  }
  return best ? (best.values[feature] ?? null) : null;
}

/** The old join: the last row (in `rows` order) of the greatest (event, created) time <= t, its whole record. */
export function oldJoinValue(rows: readonly ModelRow[], key: string, feature: string, t: number): unknown {
  let best: ModelRow | undefined;
  for (const row of rows) {
    if (row.key !== key || row.e > t) continue;
    if (!best || row.e > best.e || (row.e === best.e && (row.c ?? -Infinity) >= (best.c ?? -Infinity))) best = row;
  }
  return best ? (best.values[feature] ?? null) : null;
}
