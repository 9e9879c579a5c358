/**
 * The point-in-time join of one feature table folded chunk by chunk, so a
 * shard of a historical job holds its entity rows and one chunk of feature
 * rows at a time, never the table. Pure.
 *
 * It answers exactly what `pointInTimeJoin` (pit-join.ts) answers for the
 * same entity rows and the concatenation of the chunks in the order given:
 * per entity row and feature, the newest row (event time, created time,
 * write sequence, write id; a full tie goes to the later row) of the same
 * key with `event_timestamp <= entity ts` among the rows that carried the
 * feature, null when that row is older than the ttl or there is none.
 *
 * How: entity rows are grouped by key and sorted by time once; slot k of a
 * key holds the best candidate with ts in (ts[k-1], ts[k]] (the algorithm of
 * pit-match.ts), but a slot keeps the candidate's version and values rather
 * than its row index, so chunks can be dropped after `add`. Features every
 * row carried so far share one slot track; a feature some chunk carried only
 * partly gets a track of its own from then on (a copy of the shared one).
 * Memory: about 40 bytes per entity row per track, plus one value per
 * entity row and feature.
 */
import { invalid } from "./errors";
import type { ValueType } from "./dtypes";
import { BAD_KEY, identityBuilder, keyText } from "./entity-key";
import { CREATED_TIMESTAMP, EVENT_TIMESTAMP, WRITE_ID, WRITE_SEQUENCE } from "./names";
import { copyTrack, newTrack, offerSlot, type Track } from "./asof-slots";

export interface FoldTable {
  view: string;
  /** Join keys, sorted by name. */
  joinKeys: readonly string[];
  keyTypes: Readonly<Record<string, ValueType>>;
  features: readonly string[];
  /** 0 = no limit. */
  ttlSeconds: number;
}

/** Feature rows as `OfflineStore.scanRows` gives them (see offline-read.ts `RowChunk`). */
export interface FoldChunk {
  columns: Record<string, ArrayLike<unknown>>;
  numRows: number;
  carries?: Readonly<Record<string, Uint8Array>>;
}

/** VALIDATION_ERROR for a row (`where`: "entity_df row", ...) whose key does not fit its type (pit-match's wording). */
export function badKeyError(
  table: FoldTable,
  where: string,
  cols: (key: string) => ArrayLike<unknown>,
  row: number,
  shownRow = row,
) {
  const key = table.joinKeys.find((k) => keyText(table.keyTypes[k], cols(k)[row]) === BAD_KEY) ?? table.joinKeys[0];
  const value = cols(key)[row];
  const shown = typeof value === "bigint" ? value.toString() : value;
  return invalid(
    `${where} ${shownRow}: join key '${key}' of feature view '${table.view}' expects ${table.keyTypes[key]}, got ${JSON.stringify(shown) ?? String(value)}`,
    { row: shownRow, feature_view: table.view, join_key: key },
  );
}

export class AsOfFold {
  /** Key identity → its slots [start, end) in `order`. */
  private readonly keys = new Map<string, number>();
  private readonly start: Int32Array;
  private readonly end: Int32Array;
  /** Slot → entity row, slots of one key sorted by entity time. */
  private readonly order: Int32Array;
  private readonly slotTs: Float64Array;
  private readonly ttlMs: number;
  private readonly shared: Track;
  private readonly own = new Map<string, Track>();

  /** `entityKeys(k)` gives join key k's column; `rowNumber(i)` names row i in errors (its input index). */
  constructor(
    private readonly table: FoldTable,
    entityKeys: (key: string) => ArrayLike<unknown>,
    private readonly entityTs: ArrayLike<number>,
    rowNumber: (i: number) => number = (i) => i,
  ) {
    const n = entityTs.length;
    const identity = identityBuilder(table.joinKeys, table.keyTypes, entityKeys);
    const keyOf = new Int32Array(n).fill(-1);
    const counts: number[] = [];
    for (let i = 0; i < n; i++) {
      const id = identity(i);
      if (id === BAD_KEY) throw badKeyError(table, "entity_df row", entityKeys, i, rowNumber(i));
      if (id === null) continue; // a null key matches nothing, like SQL
      let g = this.keys.get(id);
      if (g === undefined) {
        g = counts.length;
        this.keys.set(id, g);
        counts.push(0);
      }
      keyOf[i] = g;
      counts[g]++;
    }
    this.start = new Int32Array(counts.length);
    this.end = new Int32Array(counts.length);
    let offset = 0;
    for (let g = 0; g < counts.length; g++) {
      this.start[g] = offset;
      this.end[g] = offset;
      offset += counts[g];
    }
    this.order = new Int32Array(offset);
    for (let i = 0; i < n; i++) if (keyOf[i] >= 0) this.order[this.end[keyOf[i]]++] = i;
    for (let g = 0; g < counts.length; g++) {
      if (counts[g] > 1) this.order.subarray(this.start[g], this.end[g]).sort((a, b) => entityTs[a] - entityTs[b]);
    }
    this.slotTs = Float64Array.from(this.order, (i) => entityTs[i]);
    this.ttlMs = table.ttlSeconds > 0 ? table.ttlSeconds * 1000 : 0;
    this.shared = newTrack(offset);
    for (const f of table.features) this.shared.values.set(f, new Array<unknown>(offset));
  }

  /** Folds one chunk of feature rows in (chunks in table order: a full tie goes to the later row). */
  add(chunk: FoldChunk): void {
    if (this.order.length === 0 || chunk.numRows === 0) return;
    const cols = chunk.columns;
    const ts = cols[EVENT_TIMESTAMP];
    if (!ts) throw invalid(`Feature rows of view '${this.table.view}' have no '${EVENT_TIMESTAMP}' column`, {});
    for (const key of this.table.joinKeys) {
      if (!cols[key])
        throw invalid(`Feature rows of view '${this.table.view}' have no column for join key '${key}'`, {});
    }
    // Features this chunk carries only partly leave the shared track for good.
    for (const f of this.table.features) {
      if (!chunk.carries?.[f] || this.own.has(f)) continue;
      const track = copyTrack(this.shared);
      track.values.set(f, this.shared.values.get(f)!);
      this.shared.values.delete(f);
      this.own.set(f, track);
    }
    const identity = identityBuilder(this.table.joinKeys, this.table.keyTypes, (k) => cols[k]);
    const created = cols[CREATED_TIMESTAMP];
    const seq = cols[WRITE_SEQUENCE];
    const wid = cols[WRITE_ID];
    const own = [...this.own].map(([f, track]) => ({
      track,
      values: track.values.get(f)!,
      carried: chunk.carries?.[f],
      col: cols[f],
    }));
    const sharedCols = [...this.shared.values].map(([f, values]) => ({ values, col: cols[f] }));
    for (let j = 0; j < chunk.numRows; j++) {
      const t = ts[j];
      if (typeof t !== "number" || Number.isNaN(t)) continue;
      const id = identity(j);
      if (id === BAD_KEY) throw badKeyError(this.table, `Feature view '${this.table.view}' row`, (k) => cols[k], j);
      if (id === null) continue;
      const g = this.keys.get(id);
      if (g === undefined) continue;
      const slot = this.slotOf(g, t);
      if (slot < 0) continue;
      const c = created?.[j];
      const version = {
        ts: t,
        created: typeof c === "number" && Number.isFinite(c) ? c : -Infinity,
        seq: typeof seq?.[j] === "string" ? (seq[j] as string) : "0",
        wid: typeof wid?.[j] === "number" ? (wid[j] as number) : 0,
      };
      if (sharedCols.length > 0 && offerSlot(this.shared, slot, version)) {
        for (const { values, col } of sharedCols) values[slot] = col ? col[j] : null;
      }
      for (const { track, values, carried, col } of own) {
        if (carried && carried[j] === 0) continue;
        if (offerSlot(track, slot, version)) values[slot] = col ? col[j] : null;
      }
    }
  }

  /** Per feature, the value of each entity row (in the order given), null where none matched. */
  result(): Record<string, unknown[]> {
    const n = this.entityTs.length;
    const out: Record<string, unknown[]> = {};
    const tracks: Track[] = [this.shared, ...this.own.values()];
    for (const track of tracks) {
      const winners = new Int32Array(n).fill(-1);
      for (let g = 0; g < this.start.length; g++) {
        let winner = -1;
        for (let k = this.start[g]; k < this.end[g]; k++) {
          if (track.filled[k]) winner = k;
          // Nothing newer than the winner qualifies, so if it is too old for the ttl, all are.
          if (winner >= 0 && (this.ttlMs === 0 || track.ts[winner] >= this.slotTs[k] - this.ttlMs))
            winners[this.order[k]] = winner;
        }
      }
      for (const [f, values] of track.values) {
        const col = new Array<unknown>(n);
        for (let i = 0; i < n; i++) {
          const v = winners[i] >= 0 ? values[winners[i]] : null;
          col[i] = v === undefined ? null : v;
        }
        out[f] = col;
      }
    }
    return Object.fromEntries(this.table.features.map((f) => [f, out[f]]));
  }

  /** The slot a feature row at time t competes for in key group g: the first entity row at or after t (-1: none). */
  private slotOf(g: number, t: number): number {
    let lo = this.start[g];
    let hi = this.end[g];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.slotTs[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    return lo === this.end[g] ? -1 : lo;
  }
}
