/**
 * The latest value of each feature per entity, by the ordering rule
 * (`write-version.ts`) and the per-feature rule: a feature's value is the
 * one of the newest row that carried it. What materialization writes to the
 * online store, folded row by row so a scan keeps one entry per entity, not
 * per row. Pure.
 */
import { recordOf, type OnlineRecord } from "./online-record";
import { compareVersions, NO_SEQUENCE, type WriteVersion } from "./write-version";
import { CREATED_TIMESTAMP, EVENT_TIMESTAMP, WRITE_ID, WRITE_SEQUENCE } from "./names";

interface Cell {
  value: unknown;
  version: WriteVersion;
}

interface Entry {
  cells: (Cell | undefined)[];
  /** Set while every feature's cell comes from this one row version (full rows): one comparison per row. */
  uniform: WriteVersion | null;
}

/** Rows in columns, as read from the offline store (see `RowChunk`). */
export interface VersionedRows {
  columns: Record<string, ArrayLike<unknown>>;
  /** Per feature, 0 where the row did not carry it; absent = every row carried it. */
  carries: Readonly<Record<string, Uint8Array>>;
}

/** The version of row i of `rows`. */
export function rowVersion(columns: Record<string, ArrayLike<unknown>>, i: number): WriteVersion {
  const c = columns[CREATED_TIMESTAMP]?.[i];
  const s = columns[WRITE_SEQUENCE]?.[i];
  const w = columns[WRITE_ID]?.[i];
  return {
    e: columns[EVENT_TIMESTAMP][i] as number,
    c: typeof c === "number" ? c : null,
    s: typeof s === "string" ? s : NO_SEQUENCE,
    w: typeof w === "number" ? w : 0,
  };
}

export class LatestValues {
  private readonly entries = new Map<string, Entry>();

  /** `transform` turns a stored value into the one written (e.g. epoch ms to RFC 3339). */
  constructor(
    readonly features: readonly string[],
    private readonly transform: (feature: string, value: unknown) => unknown = (_f, v) => v,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** Folds row i of `rows` into its entity `key`'s entry. */
  add(key: string, rows: VersionedRows, i: number): void {
    const version = rowVersion(rows.columns, i);
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { cells: new Array(this.features.length), uniform: null };
      this.entries.set(key, entry);
    }
    const full = this.features.every((f) => !rows.carries[f] || rows.carries[f][i] === 1);
    if (full && entry.uniform && compareVersions(version, entry.uniform) <= 0) return;
    let allFromRow = full;
    this.features.forEach((f, k) => {
      if (rows.carries[f] && rows.carries[f][i] === 0) return;
      const current = entry!.cells[k];
      if (current && compareVersions(version, current.version) <= 0) {
        allFromRow = false;
        return;
      }
      entry!.cells[k] = { value: this.transform(f, rows.columns[f][i]), version };
    });
    entry.uniform = allFromRow ? version : null;
  }

  /** Each entity's online record (features no row carried are absent), by key. */
  *records(): Generator<{ key: string; record: OnlineRecord }> {
    for (const [key, entry] of this.entries) {
      const cells = new Map<string, Cell>();
      this.features.forEach((f, k) => {
        const cell = entry.cells[k];
        if (cell) cells.set(f, cell);
      });
      const record = recordOf(cells);
      if (record) yield { key, record };
    }
  }
}
