/**
 * Plain columns over typed ones, made on first use: a chunk's
 * `columns[name]` is an ordinary `unknown[]` to whoever reads it, but a merge
 * of many chunks (offline-read.ts `mergeChunks`) copies a column no one has
 * read yet straight from its typed column into the merged array — one plain
 * value per row in all, not one per chunk and one more per merge. Pure.
 */
import { type TypedColumn, writeValues } from "./parquet-fast-columns";

/** A column not yet made plain: rows `rows` (all when null) of `column` through `as`, or `missing` in each of `length` rows. */
export interface LazyColumn {
  column: TypedColumn | undefined;
  rows: Int32Array | null;
  as?: (v: unknown) => unknown;
  missing: unknown;
  length: number;
}

const LAZY = Symbol("lazy columns");

interface LazyState {
  sources: Record<string, LazyColumn>;
  made: Record<string, unknown[]>;
}

function write(source: LazyColumn, out: unknown[], at: number): void {
  if (source.column) writeValues(source.column, source.rows, source.as, out, at);
  else out.fill(source.missing, at, at + source.length);
}

/** Columns whose plain arrays are built when first read (or replaced when assigned). */
export function lazyColumns(sources: Record<string, LazyColumn>): Record<string, unknown[]> {
  const state: LazyState = { sources, made: {} };
  const columns: Record<string, unknown[]> = {};
  for (const [name, source] of Object.entries(sources)) {
    Object.defineProperty(columns, name, {
      enumerable: true,
      configurable: true,
      get: () => {
        if (!state.made[name]) {
          const out = new Array<unknown>(source.length);
          write(source, out, 0);
          state.made[name] = out;
        }
        return state.made[name];
      },
      set: (value: unknown[]) => {
        state.made[name] = value;
      },
    });
  }
  Object.defineProperty(columns, LAZY, { value: state });
  return columns;
}

/** Writes column `name` of `columns` into `out` from `at`; gives the number of values (0 when there is no such column). */
export function copyColumn(columns: Record<string, unknown[]>, name: string, out: unknown[], at: number): number {
  const state = (columns as { [LAZY]?: LazyState })[LAZY];
  const source = state?.sources[name];
  if (source && !state.made[name]) {
    write(source, out, at);
    return source.length;
  }
  const values = columns[name];
  if (!values) return 0;
  for (let i = 0; i < values.length; i++) out[at + i] = values[i];
  return values.length;
}
