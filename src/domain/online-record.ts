/**
 * Online records and the per-feature rule every online write and read
 * follows. Pure.
 *
 * A record holds what one writer (materialization, or one push source) last
 * wrote for one view and entity: feature values, each with the version of
 * the row it came from (see `write-version.ts`). The record's own version
 * (`e`, `c`, `s`, `w`) is the newest of them; a feature whose version differs
 * has it in `o`, so a record of full rows stays as small as before.
 *
 * - Writing merges per feature: a feature takes the written value only when
 *   the written row is newer than the stored one's for that feature, so
 *   every write is idempotent and order-independent, and a feature a write
 *   does not carry keeps its value.
 * - Reading merges a view's writer records the same way: each feature comes
 *   from the record whose version of it is newest. Since two writers of
 *   different features never share a record, neither can overwrite the other.
 * Records written before versions existed (`{e, c, v}`) read as sequence
 * "0", write id 0.
 */
import { compareVersions, NO_SEQUENCE, type WriteVersion } from "./write-version";

/** A feature's version when it differs from its record's: [e, c, s, w]. */
export type VersionTuple = [number, number | null, string, number];

export interface OnlineRecord {
  e: number;
  c: number | null;
  /** Absent in records written before versions existed. */
  s?: string;
  w?: number;
  /** Feature values by feature name: a view's schema change leaves old records readable. */
  v: Record<string, unknown>;
  /** Versions of the features whose version is not the record's own. */
  o?: Record<string, VersionTuple>;
}

export interface OnlineWrite {
  key: string;
  record: OnlineRecord;
}

/** The record's own version. */
export function recordVersion(record: OnlineRecord): WriteVersion {
  return { e: record.e, c: record.c ?? null, s: record.s ?? NO_SEQUENCE, w: record.w ?? 0 };
}

/** The version of `feature` in `record` (the record's own unless overridden). */
export function featureVersion(record: OnlineRecord, feature: string): WriteVersion {
  const own = record.o?.[feature];
  return own ? { e: own[0], c: own[1], s: own[2], w: own[3] } : recordVersion(record);
}

/** A record from values with their versions: its own version is the newest; the others go to `o`. */
export function recordOf(cells: ReadonlyMap<string, { value: unknown; version: WriteVersion }>): OnlineRecord | null {
  let newest: WriteVersion | null = null;
  for (const { version } of cells.values()) if (!newest || compareVersions(version, newest) > 0) newest = version;
  if (!newest) return null;
  const v: Record<string, unknown> = Object.create(null);
  let o: Record<string, VersionTuple> | undefined;
  for (const [name, { value, version }] of cells) {
    v[name] = value;
    if (compareVersions(version, newest) !== 0) {
      o ??= Object.create(null) as Record<string, VersionTuple>;
      o[name] = [version.e, version.c, version.s, version.w];
    }
  }
  const record: OnlineRecord = { e: newest.e, c: newest.c, s: newest.s, w: newest.w, v };
  if (o) record.o = o;
  return record;
}

function cellsOf(record: OnlineRecord): Map<string, { value: unknown; version: WriteVersion }> {
  const cells = new Map<string, { value: unknown; version: WriteVersion }>();
  for (const name of Object.keys(record.v))
    cells.set(name, { value: record.v[name], version: featureVersion(record, name) });
  return cells;
}

/**
 * What to store when `write` lands on `stored`: per feature, the newer of the
 * two (a full tie keeps the stored value: it is the same row). Null when the
 * write changes nothing.
 */
export function mergeWrite(stored: OnlineRecord | null, write: OnlineRecord): OnlineRecord | null {
  if (!stored) return recordOf(cellsOf(write));
  const cells = cellsOf(stored);
  let changed = false;
  for (const name of Object.keys(write.v)) {
    const version = featureVersion(write, name);
    const current = cells.get(name);
    if (current && compareVersions(version, current.version) <= 0) continue;
    cells.set(name, { value: write.v[name], version });
    changed = true;
  }
  return changed ? recordOf(cells) : null;
}

/** Folds several writes of one key into one, by the per-feature rule. */
export function coalesce(writes: readonly OnlineWrite[]): OnlineWrite[] {
  const byKey = new Map<string, OnlineRecord>();
  for (const { key, record } of writes) {
    const prev = byKey.get(key) ?? null;
    byKey.set(key, mergeWrite(prev, record) ?? prev!);
  }
  return [...byKey].map(([key, record]) => ({ key, record }));
}

/** A feature's newest value across a view's writer records, or undefined when none carries it. */
export function newestCell(
  records: readonly (OnlineRecord | null)[],
  feature: string,
): { value: unknown; version: WriteVersion } | undefined {
  let best: { value: unknown; version: WriteVersion } | undefined;
  for (const record of records) {
    if (!record || !Object.hasOwn(record.v, feature)) continue;
    const version = featureVersion(record, feature);
    if (!best || compareVersions(version, best.version) > 0) best = { value: record.v[feature], version };
  }
  return best;
}
