/**
 * Online records and the rules every online write follows: a record holds
 * the latest feature values of one view for one entity; a write replaces (or
 * merges into) a stored record only when it is newer by (event_ts,
 * created_ts), so every write path is idempotent and order-independent. Pure.
 */

export interface OnlineRecord {
  /** Event timestamp, epoch ms. */
  e: number;
  /** Created timestamp, epoch ms, or null. Breaks ties between equal event timestamps. */
  c: number | null;
  /** Feature values by feature name: a view's schema change leaves old records readable. */
  v: Record<string, unknown>;
}

export interface OnlineWrite {
  key: string;
  record: OnlineRecord;
  /**
   * Merge into a stored older record (features the write lacks keep their stored
   * values) instead of replacing it. Pushes carry a subset of features; full
   * rows (materialization) replace.
   */
  merge: boolean;
}

/** True when `a` is strictly newer than `b` (event time, then created time). */
export function isNewer(a: Pick<OnlineRecord, "e" | "c">, b: Pick<OnlineRecord, "e" | "c">): boolean {
  if (a.e !== b.e) return a.e > b.e;
  return (a.c ?? -Infinity) > (b.c ?? -Infinity);
}

/**
 * Folds several writes of one key into one: the newest wins, and merging
 * writes layer their features over older ones. Pure.
 */
export function coalesce(writes: readonly OnlineWrite[]): OnlineWrite[] {
  const byKey = new Map<string, OnlineWrite>();
  const ordered = [...writes].sort((x, y) => (isNewer(x.record, y.record) ? 1 : isNewer(y.record, x.record) ? -1 : 0));
  for (const w of ordered) {
    const prev = byKey.get(w.key);
    byKey.set(
      w.key,
      prev && w.merge
        ? { key: w.key, merge: prev.merge, record: { ...w.record, v: { ...prev.record.v, ...w.record.v } } }
        : w,
    );
  }
  return [...byKey.values()];
}

/** What a newest-wins write stores over `stored`: null when the stored record wins. Pure. */
export function resolveWrite(stored: OnlineRecord | null, write: OnlineWrite): OnlineRecord | null {
  if (!stored) return write.record;
  if (!isNewer(write.record, stored)) return null;
  return write.merge ? { ...write.record, v: { ...stored.v, ...write.record.v } } : write.record;
}
