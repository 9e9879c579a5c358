/**
 * Tables as the pure joins take them: row objects, or named columns of equal
 * length, read through one `Columns` view. Pure.
 */
import { invalid } from "./errors";

/** Rows as objects, or as named columns of equal length. */
export type TableInput = readonly Record<string, unknown>[] | Readonly<Record<string, ArrayLike<unknown>>>;

export interface Columns {
  names: string[];
  length: number;
  get(name: string): ArrayLike<unknown> | undefined;
}

/** Reads either input form as columns; row objects are transposed once, only for `wanted` names. */
export function asColumns(input: TableInput, what: string, wanted?: readonly string[]): Columns {
  if (Array.isArray(input)) {
    const rows = input as readonly Record<string, unknown>[];
    let names: string[];
    if (wanted) names = [...wanted];
    else {
      const seen = new Set<string>();
      for (const row of rows) for (const key of Object.keys(row)) seen.add(key);
      names = [...seen];
    }
    const cache = new Map<string, unknown[]>();
    return {
      names,
      length: rows.length,
      get(name) {
        let col = cache.get(name);
        if (!col) {
          if (!rows.some((row) => name in row)) return undefined;
          col = rows.map((row) => row[name]);
          cache.set(name, col);
        }
        return col;
      },
    };
  }
  const cols = input as Readonly<Record<string, ArrayLike<unknown>>>;
  const names = Object.keys(cols);
  const length = names.length ? cols[names[0]].length : 0;
  for (const name of names) {
    if (cols[name].length !== length)
      throw invalid(`${what}: column '${name}' has ${cols[name].length} values, expected ${length}`, { column: name });
  }
  return { names, length, get: (name) => (Object.hasOwn(cols, name) ? cols[name] : undefined) };
}
