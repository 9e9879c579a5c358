/** The fast reader against readParquet, cell for cell (for the parquet-fast tests). */
import { expect } from "vitest";
import { pickValues, type TypedColumn } from "../../src/offline/parquet-fast-columns";
import { readParquetFast, type TypedTable } from "../../src/offline/parquet-fast-read";
import { type ParquetTable, type ReadParquetOptions, readParquet } from "../../src/offline/parquet-read";

/** Same values (NaN equal to NaN, -0 distinct from 0), or the first cell that differs. */
function sameCell(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameCell(v, b[i]));
  return false;
}

/** Reads `bytes` with both readers and expects the same rows, columns and values; gives both tables. */
export async function expectSameRead(
  bytes: Uint8Array,
  options: ReadParquetOptions,
): Promise<{ slow: ParquetTable; fast: TypedTable }> {
  const slow = await readParquet(bytes, options);
  const fast = await readParquetFast(bytes, options);
  expect(fast.numRows).toBe(slow.numRows);
  expect(fast.rowGroups).toEqual(slow.rowGroups);
  expect(Object.keys(fast.columns)).toEqual(Object.keys(slow.columns));
  for (const [name, want] of Object.entries(slow.columns)) {
    const got = pickValues(fast.columns[name], null, (v) => v);
    expect(got.length, `rows of ${name}`).toBe(want.length);
    const bad = want.findIndex((v, i) => !sameCell(got[i], v));
    if (bad >= 0)
      expect({ column: name, row: bad, value: got[bad] }).toEqual({ column: name, row: bad, value: want[bad] });
  }
  return { slow, fast };
}

/** Column name → kind of typed column the fast reader gave (which path decoded it). */
export function kinds(table: TypedTable): Record<string, TypedColumn["kind"]> {
  return Object.fromEntries(Object.entries(table.columns).map(([k, c]) => [k, c.kind]));
}

export function fromBase64(text: string): Uint8Array {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
