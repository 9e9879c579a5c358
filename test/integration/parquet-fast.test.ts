/**
 * The fast Parquet reader (src/offline/parquet-fast-*.ts) inside workerd,
 * against readParquet (hyparquet) cell for cell: on files written by
 * parquet-write.ts and hyparquet-writer, and on files written by DuckDB
 * (test/fixtures/duckdb-parquet.ts).
 */
import { parquetMetadata } from "hyparquet";
import { parquetWriteBuffer } from "hyparquet-writer";
import { describe, expect, it } from "vitest";
import { LarderError } from "../../src/domain/errors";
import { readParquetFast } from "../../src/offline/parquet-fast-read";
import { type ParquetColumn, writeParquet } from "../../src/offline/parquet-write";
import { DUCKDB_PARQUET } from "../fixtures/duckdb-parquet";
import { expectSameRead, fromBase64, kinds } from "./parquet-fast-compare";

const T = Date.UTC(2024, 0, 15, 10);
const MIN = 60_000;

const ALL_DTYPES: ParquetColumn[] = [
  { name: "customer_id", dtype: "string", role: "join_key" },
  { name: "i32", dtype: "int32" },
  { name: "i64", dtype: "int64" },
  { name: "f32", dtype: "float32" },
  { name: "f64", dtype: "float64" },
  { name: "plan", dtype: "string" },
  { name: "note", dtype: "string" },
  { name: "b", dtype: "bool" },
  { name: "raw", dtype: "bytes" },
  { name: "ts", dtype: "unix_timestamp" },
  { name: "ai64", dtype: "array<int64>" },
  { name: "as", dtype: "array<string>" },
];
const DTYPES = Object.fromEntries(ALL_DTYPES.map((c) => [c.name, c.dtype]));

function larderRows(count: number) {
  return Array.from({ length: count }, (_, i) => ({
    // Keys rise with i: the writer's order (key, then time) is time order, so groups prune by time.
    customer_id: `cust_${String(Math.floor(i / 53)).padStart(3, "0")}`,
    i32: i % 9 === 0 ? null : i * 37 - 40_000,
    i64: i % 4 === 0 ? `${9007199254740993n + BigInt(i)}` : i % 7 === 0 ? null : -i * 1_000_003,
    f32: i % 8 === 0 ? null : i / 3,
    f64: i % 10 === 0 ? null : i === 5 ? -0 : i * 1.25 - 3,
    plan: i % 6 === 0 ? null : `plan_${i % 4}`, // few distinct: a dictionary
    note: i % 5 === 0 ? `Zürich ☕ ${i}` : `note ${i}`, // unique: plain, some pages non-ASCII
    b: i % 3 === 0 ? null : i % 2 === 0,
    raw: i % 11 === 0 ? null : new Uint8Array([i & 255, 0, 255]),
    ts: i % 12 === 0 ? null : T - i * 1_001,
    ai64: i % 2 ? null : [i, null],
    as: i % 3 ? ["a", `é${i}`] : null,
    event_timestamp: T + i * MIN,
    created_timestamp: i % 2 ? T + i * MIN + 5 : null,
  }));
}

describe("fast reader vs readParquet: files of parquet-write.ts", () => {
  const rows = larderRows(3_000);
  const bytes = writeParquet(ALL_DTYPES, rows, { rowGroupSize: 400 });

  it("reads every registry dtype, nulls and the version columns the same, on the fast path where it can", async () => {
    const { fast } = await expectSameRead(bytes, { dtypes: DTYPES });
    expect(fast.numRows).toBe(3_000);
    expect(kinds(fast)).toMatchObject({
      customer_id: "string",
      i32: "number",
      i64: "int64",
      f32: "number",
      f64: "number",
      plan: "string",
      note: "string",
      raw: "string",
      ts: "number",
      event_timestamp: "number",
      created_timestamp: "number",
      _larder_seq: "int64",
      _larder_wid: "number",
      b: "values",
      ai64: "values",
    });
  });

  it("writes dictionary and plain string pages, and reads both the same", async () => {
    const metadata = parquetMetadata(bytes.buffer as ArrayBuffer);
    const encodings = (name: string) =>
      metadata.row_groups[0].columns.find((c) => c.meta_data?.path_in_schema[0] === name)!.meta_data!.encodings;
    expect(encodings("plan")).toContain("RLE_DICTIONARY");
    expect(encodings("note")).not.toContain("RLE_DICTIONARY");
    await expectSameRead(bytes, { columns: ["note", "plan", "customer_id"], dtypes: DTYPES });
  });

  it("prunes row groups by the timestamp window and keeps exactly the rows within it", async () => {
    const window = { minTs: T + 1_000 * MIN + 1, maxTs: T + 1_900 * MIN };
    const { fast } = await expectSameRead(bytes, { ...window, columns: ["customer_id", "i64", "f64"], dtypes: DTYPES });
    expect(fast.numRows).toBe(900);
    expect(fast.rowGroups).toEqual({ total: 8, read: 3 });
    await expectSameRead(bytes, { maxTs: T - 1, columns: ["customer_id"] }); // no group survives
    await expectSameRead(bytes, { rowGroups: { start: 2, end: 4 }, minTs: T, columns: ["note"] });
  });

  it("reads uncompressed files and chunks of many pages (hyparquet-writer's options) the same", async () => {
    const columnData = [
      { name: "k", data: rows.map((r) => r.customer_id) },
      { name: "n", data: rows.map((r) => r.note) },
      { name: "x", data: rows.map((r) => r.f64) },
      { name: "big", data: rows.map((_, i) => (i % 3 ? BigInt(i) * 3_000_000_000_000n : null)) },
      { name: "event_timestamp", data: rows.map((r) => BigInt(r.event_timestamp)) },
    ];
    const schema = [
      { name: "root", num_children: 5 },
      { name: "k", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "REQUIRED" },
      { name: "n", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" },
      { name: "x", type: "DOUBLE", repetition_type: "OPTIONAL" },
      { name: "big", type: "INT64", repetition_type: "OPTIONAL" },
      { name: "event_timestamp", type: "INT64", converted_type: "TIMESTAMP_MILLIS", repetition_type: "REQUIRED" },
    ] as const;
    for (const codec of ["UNCOMPRESSED", "SNAPPY"] as const) {
      const file = new Uint8Array(
        parquetWriteBuffer({ columnData, schema: schema as never, codec, pageSize: 2_048, rowGroupSize: 1_000 }),
      );
      const { fast } = await expectSameRead(file, {});
      expect(kinds(fast)).toEqual({ k: "string", n: "string", x: "number", big: "int64", event_timestamp: "number" });
      await expectSameRead(file, { minTs: T + 500 * MIN, maxTs: T + 2_500 * MIN });
    }
  });

  it("fails as readParquet fails: a missing column, a truncated file, not Parquet", async () => {
    const missing = await readParquetFast(bytes, { columns: ["nope"], name: "f.parquet" }).catch((e) => e);
    expect(missing).toBeInstanceOf(LarderError);
    expect(missing.message).toContain("f.parquet");
    expect(missing.details).toMatchObject({ file: "f.parquet", missing: ["nope"] });
    const notTime = await readParquetFast(bytes, { minTs: 0, timestampColumn: "i32", name: "f" }).catch((e) => e);
    expect(notTime.code).toBe("VALIDATION_ERROR");
    const truncated = await readParquetFast(bytes.slice(0, 1_000), { name: "t.parquet" }).catch((e) => e);
    expect(truncated.code).toBe("VALIDATION_ERROR");
    // A footer intact over a corrupt body: the reader names the file, never returns garbage.
    const corrupt = bytes.slice();
    corrupt.fill(7, 4, 60_000);
    const bad = await readParquetFast(corrupt, { name: "c.parquet" }).catch((e) => e);
    expect(bad).toBeInstanceOf(LarderError);
    expect(bad.details.file).toBe("c.parquet");
  });
});

describe("fast reader vs readParquet: files written by DuckDB", () => {
  for (const variant of ["snappy_v1", "uncompressed_v1", "snappy_v2", "uncompressed_v2"]) {
    const bytes = fromBase64(DUCKDB_PARQUET[variant]);

    it(`${variant}: every column type, ms/us/ns timestamps, DATE, INT64 beyond 2^53, non-ASCII text`, async () => {
      const { fast } = await expectSameRead(bytes, { dtypes: { s_dict: "string", raw: "bytes" } });
      expect(fast.numRows).toBe(1_500);
      expect(kinds(fast)).toMatchObject({
        customer_id: "string",
        i32: "number",
        i64: "int64",
        f64: "number",
        event_timestamp: "number",
        ts_ms: "number",
        ts_ns: "number",
        day: "number",
        flag: "values",
        tags: "values",
      });
    });

    it(`${variant}: a timestamp window`, async () => {
      const window = { minTs: T + 600 * MIN, maxTs: T + 899 * MIN };
      const { fast } = await expectSameRead(bytes, { ...window, columns: ["customer_id", "s_utf8", "i64", "ts_ns"] });
      expect(fast.numRows).toBe(300);
    });
  }

  for (const variant of ["groups_v1", "groups_v2"]) {
    it(`${variant}: several row groups, pruned by a timestamp window`, async () => {
      const bytes = fromBase64(DUCKDB_PARQUET[variant]);
      await expectSameRead(bytes, {});
      const window = { minTs: T + 2_100 * MIN, maxTs: T + 4_000 * MIN };
      const { fast } = await expectSameRead(bytes, { ...window, columns: ["customer_id", "s_utf8", "i64", "ts_ns"] });
      expect(fast.numRows).toBe(1_901);
      expect(fast.rowGroups).toEqual({ total: 3, read: 1 });
    });
  }
});
