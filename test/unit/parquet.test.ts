import { parquetMetadata, type AsyncBuffer } from "hyparquet";
import { parquetWriteBuffer } from "hyparquet-writer";
import { describe, expect, it } from "vitest";
import { LarderError } from "../../src/domain/errors";
import {
  offlineColumns,
  parquetSummary,
  r2AsyncBuffer,
  readParquet,
  readParquetMetadata,
  writeParquet,
} from "../../src/offline/parquet";
import type { ParquetColumn } from "../../src/offline/parquet-write";

const T = Date.UTC(2024, 0, 15, 10);
const HOUR = 3_600_000;

/** An in-memory AsyncBuffer that records every byte range asked of it. */
function countingBuffer(bytes: Uint8Array) {
  const ranges: [number, number][] = [];
  const file: AsyncBuffer = {
    byteLength: bytes.byteLength,
    slice(start: number, end = bytes.byteLength) {
      ranges.push([start, end]);
      return bytes.slice(start, end).buffer;
    },
  };
  return { file, ranges, fetched: () => ranges.reduce((n, [s, e]) => n + (e - s), 0) };
}

const ALL_DTYPES: ParquetColumn[] = [
  { name: "customer_id", dtype: "int64", role: "join_key" },
  { name: "i32", dtype: "int32" },
  { name: "i64", dtype: "int64" },
  { name: "f32", dtype: "float32" },
  { name: "f64", dtype: "float64" },
  { name: "s", dtype: "string" },
  { name: "b", dtype: "bool" },
  { name: "raw", dtype: "bytes" },
  { name: "ts", dtype: "unix_timestamp" },
  { name: "ai64", dtype: "array<int64>" },
  { name: "as", dtype: "array<string>" },
  { name: "af64", dtype: "array<float64>" },
  { name: "ab", dtype: "array<bool>" },
  { name: "araw", dtype: "array<bytes>" },
  { name: "ats", dtype: "array<unix_timestamp>" },
];

describe("writeParquet → readParquet", () => {
  it("round-trips every dtype and null", async () => {
    const rows = [
      {
        customer_id: "9007199254740993", // beyond 2^53: comes back as decimal text
        i32: -2147483648,
        i64: 42,
        f32: 0.1,
        f64: Math.PI,
        s: "héllo ✓",
        b: true,
        raw: "AAEC/w==",
        ts: "2024-01-15T10:00:00.123Z",
        ai64: [1, null, "12345678901234567"],
        as: ["a", "", null],
        af64: [1.5, -0],
        ab: [false, true],
        araw: [new Uint8Array([255, 0])],
        ats: [T, new Date(T + 1)],
        event_timestamp: T + HOUR,
        created_timestamp: T + 2 * HOUR,
      },
      {
        customer_id: 7,
        i32: null,
        i64: null,
        f32: null,
        f64: null,
        s: null,
        b: null,
        raw: null,
        ts: null,
        ai64: null,
        as: [],
        af64: null,
        ab: null,
        araw: null,
        ats: null,
        event_timestamp: T,
        created_timestamp: null,
      },
    ];
    const table = await readParquet(writeParquet(ALL_DTYPES, rows));
    expect(table.numRows).toBe(2);
    // Layout order: join keys, the two timestamps, the version and what was carried, features.
    expect(Object.keys(table.columns)).toEqual([
      "customer_id",
      "event_timestamp",
      "created_timestamp",
      "_larder_seq",
      "_larder_wid",
      "_larder_carried",
      ...ALL_DTYPES.slice(1).map((c) => c.name),
    ]);
    const row = (i: number) => Object.fromEntries(Object.entries(table.columns).map(([k, v]) => [k, v[i]]));
    // Rows without a version are written as sequence 0, id 0; each carried every feature (null).
    const unversioned = { _larder_seq: 0, _larder_wid: 0, _larder_carried: null };
    // Sorted by key (integers numerically): the second input row comes first.
    expect(row(0)).toEqual({ ...rows[1], ...unversioned, customer_id: 7, event_timestamp: T });
    expect(row(1)).toEqual({
      ...unversioned,
      customer_id: "9007199254740993",
      i32: -2147483648,
      i64: 42,
      f32: Math.fround(0.1),
      f64: Math.PI,
      s: "héllo ✓",
      b: true,
      raw: "AAEC/w==",
      ts: T + 123,
      ai64: [1, null, "12345678901234567"],
      as: ["a", "", null],
      af64: [1.5, -0],
      ab: [false, true],
      araw: ["/wA="],
      ats: [T, T + 1],
      event_timestamp: T + HOUR,
      created_timestamp: T + 2 * HOUR,
    });
  });

  it("reads timestamp text as the API does (no zone means UTC) and numbers as epoch ms", async () => {
    const cols: ParquetColumn[] = [{ name: "at", dtype: "unix_timestamp" }];
    const table = await readParquet(
      writeParquet(cols, [
        { at: "2024-01-15T10:00:00", event_timestamp: "2024-01-15 10:00:00+01:00" },
        { at: T, event_timestamp: T },
      ]),
    );
    expect(table.columns.at).toEqual([T, T]);
    expect(table.columns.event_timestamp).toEqual([T - HOUR, T]);
  });

  it("writes a valid file with no rows", async () => {
    const bytes = writeParquet(ALL_DTYPES, []);
    const table = await readParquet(bytes, { minTs: 0 });
    expect(table.numRows).toBe(0);
    expect(table.rowGroups).toEqual({ total: 0, read: 0 });
    expect(Object.values(table.columns).every((c) => c.length === 0)).toBe(true);
    expect(Object.keys(table.columns)).toHaveLength(ALL_DTYPES.length + 5);
    expect(await parquetSummary(bytes)).toMatchObject({ numRows: 0, minTs: null, maxTs: null });
  });

  it("builds a view's columns from entity value types and feature dtypes", () => {
    expect(offlineColumns([{ name: "customer_id", type: "STRING" }], [{ name: "age", dtype: "int32" }])).toEqual([
      { name: "customer_id", dtype: "string", role: "join_key" },
      { name: "age", dtype: "int32", role: "feature" },
    ]);
  });

  it("rejects bad values, naming the input row and column", () => {
    const cols: ParquetColumn[] = [
      { name: "id", dtype: "string", role: "join_key" },
      { name: "n", dtype: "int32" },
    ];
    const attempt = (rows: Record<string, unknown>[]) => {
      try {
        writeParquet(cols, rows);
      } catch (err) {
        expect(err).toBeInstanceOf(LarderError);
        return err as LarderError;
      }
      throw new Error("expected an error");
    };
    const ok = { id: "a", n: 1, event_timestamp: T };
    expect(attempt([ok, { ...ok, n: 1.5 }]).details).toMatchObject({
      row: 1,
      column: "n",
      reason: "expected an integer",
    });
    expect(attempt([ok, ok, { ...ok, id: null }]).details).toMatchObject({ row: 2, column: "id" });
    expect(attempt([{ ...ok, event_timestamp: "soon" }]).details).toMatchObject({ row: 0, column: "event_timestamp" });
    expect(attempt([ok, { ...ok, n: 2 ** 31 }]).message).toMatch(/Row 1, column 'n': integer out of int32 range/);
    expect(() => writeParquet([{ name: "event_timestamp", dtype: "int64" }], [])).toThrow(/reserved/);
  });
});

describe("readParquet: projection and pruning", () => {
  // 40,000 rows of one entity over 40,000 hours, 10 row groups of 4,000 rows each, written out of
  // order. (The writer sorts by key, then time: with one key, row groups are narrow in time.)
  const rows = Array.from({ length: 40_000 }, (_, i) => {
    const n = (i * 7919) % 40_000;
    return {
      customer_id: 7,
      note: `note-${n}-${"x".repeat(n % 40)}`,
      score: n / 3,
      event_timestamp: T + n * 3600,
      created_timestamp: null,
    };
  });
  const columns: ParquetColumn[] = [
    { name: "customer_id", dtype: "int64", role: "join_key" },
    { name: "note", dtype: "string" },
    { name: "score", dtype: "float64" },
  ];
  const bytes = writeParquet(columns, rows, { rowGroupSize: 4_000 });
  const metadata = parquetMetadata(bytes);
  /** Byte range of each (row group, column) chunk. */
  const chunks = metadata.row_groups.flatMap((g, group) =>
    g.columns.map((c) => {
      const meta = c.meta_data!;
      const start = Number(meta.dictionary_page_offset ?? meta.data_page_offset);
      return { group, column: meta.path_in_schema[0], start, end: start + Number(meta.total_compressed_size) };
    }),
  );
  const FOOTER = 8 * 1024;
  /** Chunks that a data read (any range but the footer fetch) touched. */
  function touched(ranges: [number, number][]) {
    const data = ranges.filter(([s, e]) => !(e === bytes.byteLength && s === Math.max(0, bytes.byteLength - FOOTER)));
    return chunks.filter((c) => data.some(([s, e]) => s < c.end && e > c.start));
  }

  it("writes sorted row groups with event_timestamp statistics", async () => {
    expect(metadata.row_groups).toHaveLength(10);
    const summary = await parquetSummary(bytes);
    expect(summary).toMatchObject({ numRows: 40_000, rowGroups: 10, minTs: T, maxTs: T + 39_999 * 3600 });
    expect(summary.columns.map((c) => c.name)).toEqual([
      "customer_id",
      "event_timestamp",
      "created_timestamp",
      "_larder_seq",
      "_larder_wid",
      "_larder_carried",
      "note",
      "score",
    ]);
  });

  it("fetches only the requested columns", async () => {
    const { file, ranges, fetched } = countingBuffer(bytes);
    const table = await readParquet(file, { columns: ["customer_id", "score"], footerFetchBytes: FOOTER });
    expect(table.numRows).toBe(40_000);
    expect(Object.keys(table.columns)).toEqual(["customer_id", "score"]);
    expect(new Set(touched(ranges).map((c) => c.column))).toEqual(new Set(["customer_id", "score"]));
    expect(fetched()).toBeLessThan(bytes.byteLength / 2);
  });

  it("skips row groups outside [minTs, maxTs] and returns exactly the rows inside", async () => {
    const minTs = T + 9_000 * 3600; // inside group 2 (rows 8,000-11,999)
    const maxTs = T + 13_999 * 3600; // inside group 3
    const { file, ranges } = countingBuffer(bytes);
    const table = await readParquet(file, {
      columns: ["customer_id", "score"],
      minTs,
      maxTs,
      footerFetchBytes: FOOTER,
    });
    expect(table.rowGroups).toEqual({ total: 10, read: 2 });
    expect(new Set(touched(ranges).map((c) => c.group))).toEqual(new Set([2, 3]));
    expect(touched(ranges).every((c) => c.column !== "note")).toBe(true);
    expect(table.numRows).toBe(5_000);
    const expected = rows
      .filter((r) => r.event_timestamp >= minTs && r.event_timestamp <= maxTs)
      .sort((a, b) => a.event_timestamp - b.event_timestamp);
    expect(table.columns.score).toEqual(expected.map((r) => r.score));
    expect(table.columns.customer_id).toEqual(expected.map((r) => r.customer_id));
  });

  it("through r2AsyncBuffer, reads a file smaller than the footer fetch with that one get", async () => {
    const small = writeParquet(columns, rows.slice(0, 100));
    const gets: { offset: number; length: number }[] = [];
    const bucket = {
      async get(_key: string, options: { range: { offset: number; length: number } }) {
        gets.push(options.range);
        const { offset, length } = options.range;
        return { arrayBuffer: async () => small.slice(offset, offset + length).buffer };
      },
    } as unknown as R2Bucket;
    const file = r2AsyncBuffer(bucket, "k.parquet", small.byteLength);
    const metadata = await readParquetMetadata(file, { name: "k.parquet" });
    expect((await readParquet(file, { minTs: T, metadata })).numRows).toBe(100);
    expect(gets).toEqual([{ offset: 0, length: small.byteLength }]);
  });

  it("reads nothing but the footer when no row group can match", async () => {
    const { file, ranges } = countingBuffer(bytes);
    const table = await readParquet(file, { minTs: T + 100 * 24 * HOUR, footerFetchBytes: FOOTER });
    expect(table.numRows).toBe(0);
    expect(ranges).toHaveLength(1);
  });
});

describe("readParquet: files Larder did not write", () => {
  it("reads microsecond timestamps, unannotated byte arrays and large integers", async () => {
    const bytes = new Uint8Array(
      parquetWriteBuffer({
        columnData: [
          { name: "id", data: ["u1", "u2"] },
          { name: "ts", data: [1_700_000_000_123_456n, 1_700_000_100_000_000n] },
          { name: "blob", data: [new TextEncoder().encode("hi"), null] },
          { name: "big", data: [2n ** 60n, 5n] },
        ],
        schema: [
          { name: "root", num_children: 4 },
          { name: "id", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "REQUIRED" },
          {
            name: "ts",
            type: "INT64",
            logical_type: { type: "TIMESTAMP", isAdjustedToUTC: true, unit: "MICROS" },
            repetition_type: "REQUIRED",
          },
          { name: "blob", type: "BYTE_ARRAY", repetition_type: "OPTIONAL" },
          { name: "big", type: "INT64", repetition_type: "REQUIRED" },
        ].map((e) => e as never),
      }).slice(0),
    );
    const asBytes = await readParquet(bytes, { timestampColumn: "ts", minTs: 1_700_000_000_123 });
    expect(asBytes.columns).toEqual({
      id: ["u1", "u2"],
      ts: [1_700_000_000_123, 1_700_000_100_000],
      blob: ["aGk=", null],
      big: [String(2n ** 60n), 5],
    });
    const asText = await readParquet(bytes, { columns: ["blob"], dtypes: { blob: "string" } });
    expect(asText.columns.blob).toEqual(["hi", null]);
    await expect(readParquet(bytes, { name: "k.parquet", timestampColumn: "big", minTs: 0 })).rejects.toThrow(
      /'k.parquet' column 'big' is INT64, not a timestamp/,
    );
  });
});

describe("readParquet: bad files name the file", () => {
  const good = writeParquet([{ name: "id", dtype: "string" }], [{ id: "a", event_timestamp: T }]);

  async function failure(bytes: Uint8Array, options = {}): Promise<LarderError> {
    try {
      await readParquet(bytes, { name: "offline/p/s/date=2024-01-15/X.parquet", ...options });
    } catch (err) {
      expect(err).toBeInstanceOf(LarderError);
      return err as LarderError;
    }
    throw new Error("expected an error");
  }

  it("for a non-Parquet, a truncated and a corrupt file, and a missing column", async () => {
    for (const bytes of [
      new TextEncoder().encode("id,event_timestamp\na,1\n"),
      good.slice(0, good.length - 20),
      new Uint8Array(4),
    ]) {
      const err = await failure(bytes);
      expect(err.code).toBe("VALIDATION_ERROR");
      expect(err.message).toContain("'offline/p/s/date=2024-01-15/X.parquet'");
      expect(err.details.file).toBe("offline/p/s/date=2024-01-15/X.parquet");
    }
    // Corrupt the data pages but keep the footer intact.
    const corrupt = good.slice();
    corrupt.fill(0xff, 4, 40);
    expect((await failure(corrupt)).message).toContain("X.parquet");
    const missing = await failure(good, { columns: ["id", "age"] });
    expect(missing.message).toMatch(/X.parquet' has no column 'age'/);
    expect(missing.details.available).toEqual([
      "event_timestamp",
      "created_timestamp",
      "_larder_seq",
      "_larder_wid",
      "_larder_carried",
      "id",
    ]);
  });
});

describe("the writer's row order", () => {
  const DAY = 24 * HOUR;
  const cols = offlineColumns([{ name: "customer_id", type: "STRING" }], [{ name: "v", dtype: "int64" }]);
  // 30 days × 200 entities, written newest day first and keys descending: the worst input order.
  const rows: Record<string, unknown>[] = [];
  for (let d = 29; d >= 0; d--)
    for (let k = 199; k >= 0; k--)
      rows.push({ customer_id: `c${String(k).padStart(3, "0")}`, event_timestamp: T + d * DAY + k, v: d });

  it("sorts by UTC day, then key, then time, so a month's file keeps row groups narrow in time", async () => {
    const bytes = writeParquet(cols, rows, { rowGroupSize: 200 });
    const table = await readParquet(bytes.buffer as ArrayBuffer, { columns: ["customer_id", "event_timestamp"] });
    const ids = table.columns.customer_id as string[];
    const ts = table.columns.event_timestamp as number[];
    for (let i = 1; i < ids.length; i++) {
      const [dayA, dayB] = [Math.floor(ts[i - 1] / DAY), Math.floor(ts[i] / DAY)];
      expect(dayA < dayB || (dayA === dayB && ids[i - 1] < ids[i])).toBe(true);
    }
  });

  it("lets a time window skip the row groups of other days", async () => {
    const bytes = writeParquet(cols, rows, { rowGroupSize: 200 });
    const dayStart = Math.floor((T + 10 * DAY) / DAY) * DAY;
    const window = await readParquet(bytes.buffer as ArrayBuffer, { minTs: dayStart, maxTs: dayStart + DAY - 1 });
    expect(window.numRows).toBeGreaterThan(0);
    expect(window.rowGroups.total).toBe(30);
    // T is 10:00 UTC, so one day's rows sit in at most two row groups.
    expect(window.rowGroups.read).toBeLessThanOrEqual(2);
  });
});
