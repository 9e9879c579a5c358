/**
 * readFileChunk and mergeChunks (src/offline/offline-read.ts) over the fast
 * reader, inside workerd with R2: the chunk a file gives (window, key set, row
 * filter, version columns, carries) holds exactly readParquet's values of the
 * rows kept, and merging chunks gives the same whether or not their columns
 * were read first.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CREATED_TIMESTAMP, EVENT_TIMESTAMP, WRITE_ID, WRITE_SEQUENCE } from "../../src/domain/names";
import type { SourceSchema } from "../../src/domain/source-schema";
import type { ManifestFile } from "../../src/offline/manifest";
import { mergeChunks, readFileChunk, type RowChunk } from "../../src/offline/offline-read";
import { offlineColumns, writeParquet } from "../../src/offline/parquet-write";
import { readParquet } from "../../src/offline/parquet-read";

const T = Date.UTC(2024, 0, 15, 10);
const MIN = 60_000;
const FEATURES = [
  { name: "amount", dtype: "float64" as const },
  { name: "count", dtype: "int64" as const },
  { name: "label", dtype: "string" as const },
];
const schema = {
  source: { name: "src" },
  joinKeys: [{ name: "user_id", type: "STRING" }],
  features: FEATURES,
} as unknown as SourceSchema;

async function putFile(key: string, first: number, count: number): Promise<ManifestFile> {
  const rows = Array.from({ length: count }, (_, j) => {
    const i = first + j;
    // Every 4th row carries `amount` only (the writer records it in _larder_carried).
    const partial = i % 4 === 0;
    return {
      user_id: `u${String(Math.floor(i / 10)).padStart(4, "0")}`,
      amount: i % 7 === 0 ? null : i / 4,
      ...(partial ? {} : { count: i % 3 === 0 ? `${9007199254740993n + BigInt(i)}` : i }),
      ...(partial ? {} : { label: i % 5 === 0 ? null : `l${i % 4}é` }),
      event_timestamp: T + i * MIN,
      created_timestamp: i % 2 ? null : T + i * MIN + 1,
      [WRITE_SEQUENCE]: String(1_000 + i),
      [WRITE_ID]: i % 3,
    };
  });
  const bytes = writeParquet(offlineColumns(schema.joinKeys, FEATURES), rows, { rowGroupSize: 150 });
  await env.OFFLINE_STORE.put(key, bytes);
  return {
    path: key,
    bytes: bytes.byteLength,
    timestamp_column: EVENT_TIMESTAMP,
    created_column: CREATED_TIMESTAMP,
  } as unknown as ManifestFile;
}

/** readParquet's rows of the file, kept as readFileChunk keeps them, in its output shape. */
async function expected(
  file: ManifestFile,
  keep: (user: string) => boolean,
  minTs: number,
  maxTs: number,
): Promise<Record<string, unknown[]>> {
  const buffer = await (await env.OFFLINE_STORE.get(file.path))!.arrayBuffer();
  const t = await readParquet(new Uint8Array(buffer), { minTs, maxTs });
  const rows = [...Array(t.numRows).keys()].filter((i) => keep(t.columns.user_id[i] as string));
  const col = (name: string) => rows.map((i) => t.columns[name][i]);
  return {
    user_id: col("user_id"),
    [EVENT_TIMESTAMP]: col(EVENT_TIMESTAMP),
    [CREATED_TIMESTAMP]: col(CREATED_TIMESTAMP),
    [WRITE_SEQUENCE]: col(WRITE_SEQUENCE).map(String),
    [WRITE_ID]: col(WRITE_ID),
    amount: col("amount"),
    count: col("count"),
    label: col("label"),
  };
}

const plain = (chunk: RowChunk) =>
  Object.fromEntries(Object.keys(chunk.columns).map((k) => [k, [...chunk.columns[k]]]));

describe("readFileChunk over the fast reader", () => {
  it("keeps readParquet's values of the rows in the window, the key set and the row filter", async () => {
    const file = await putFile("fast/one.parquet", 0, 1_000);
    const keys = new Set(["u0003", "u0010", "u0042", "u0077"]);
    const minTs = T + 35 * MIN;
    const maxTs = T + 600 * MIN;
    const chunk = await readFileChunk(env.OFFLINE_STORE, schema, file, {
      features: ["amount", "count", "label", "absent"],
      minTs,
      maxTs,
      keys,
      rowFilter: (columns, row) => columns[WRITE_SEQUENCE][row] !== 1_425,
    });
    const want = await expected(file, (u) => keys.has(u), minTs, maxTs);
    const keptIdx = want[WRITE_SEQUENCE].map((s, k) => (s === "1425" ? -1 : k)).filter((k) => k >= 0);
    expect(keptIdx.length).toBe(want[WRITE_SEQUENCE].length - 1); // the row filter dropped one row
    const pickK = (xs: unknown[]) => keptIdx.map((k) => xs[k]);
    expect(chunk.numRows).toBe(keptIdx.length);
    expect(chunk.numRows).toBeGreaterThan(10);
    // Rows decoded: the row groups of 150 rows holding rows 35..600 of the window (groups 0 to 4).
    expect(chunk.rowsScanned).toBe(750);
    const got = plain(chunk);
    for (const name of [
      "user_id",
      EVENT_TIMESTAMP,
      CREATED_TIMESTAMP,
      WRITE_SEQUENCE,
      WRITE_ID,
      "amount",
      "count",
      "label",
    ])
      expect(got[name], name).toEqual(pickK(want[name]));
    expect(got.absent).toEqual(new Array(chunk.numRows).fill(null));
    expect([...chunk.carries.absent]).toEqual(new Array(chunk.numRows).fill(0));
    // rows whose _larder_carried lists only `amount` did not carry count or label
    expect(chunk.carries.amount).toBeUndefined();
    const notCarried = got[WRITE_SEQUENCE].map((s) => (Number(s) - 1_000) % 4 === 0);
    expect([...chunk.carries.count].map((c) => c === 0)).toEqual(notCarried);
    expect(notCarried.some(Boolean)).toBe(true);
  });

  it("merges chunks to the same columns whether or not they were read before", async () => {
    const files = [await putFile("fast/a.parquet", 0, 400), await putFile("fast/b.parquet", 400, 300)];
    const read = () =>
      Promise.all(files.map((f) => readFileChunk(env.OFFLINE_STORE, schema, f, { features: ["amount", "label"] })));
    const untouched = await read();
    const touched = await read();
    const materialized = touched.map(plain);
    touched[1].columns.label = [...touched[1].columns.label].map((v) => (v === null ? null : `${v}!`)); // assignment wins
    const base = (): RowChunk => ({
      columns: { user_id: [], amount: [], label: [] },
      numRows: 0,
      carries: {},
      rowsScanned: 0,
    });
    const a = mergeChunks(base(), untouched);
    const b = mergeChunks(base(), touched);
    expect(a.numRows).toBe(700);
    expect(a.rowsScanned).toBe(700);
    expect(a.columns.amount).toEqual([...materialized[0].amount, ...materialized[1].amount]);
    expect(b.columns.amount).toEqual(a.columns.amount);
    expect(a.columns.user_id).toEqual([...materialized[0].user_id, ...materialized[1].user_id]);
    expect(b.columns.label.slice(400)).toEqual(materialized[1].label.map((v) => (v === null ? null : `${v}!`)));
    expect(Object.keys(a.columns).sort()).toEqual(Object.keys(untouched[0].columns).sort());
  });
});
