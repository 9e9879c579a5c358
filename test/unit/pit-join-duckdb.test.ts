/**
 * pointInTimeJoin against DuckDB's ASOF JOIN (test/oracle/duckdb.ts) on random
 * data with ties on event and created timestamps, null created timestamps,
 * missing keys, composite keys and ttl — in memory, and through Parquet files
 * written by writeParquet (DuckDB reads the files; Larder reads them back with
 * readParquet and joins).
 */
import { describe, expect, it } from "vitest";
import type { Dtype, ValueType } from "../../src/domain/dtypes";
import { pointInTimeJoin } from "../../src/domain/pit-join";
import { offlineColumns, readParquet, writeParquet } from "../../src/offline/parquet";
import { duckdbPointInTimeJoin, type OracleTable } from "../oracle/duckdb";
import { rng } from "../prng";

const T0 = Date.UTC(2024, 0, 1);
const MIN = 60_000;
const DTYPES: Record<string, Dtype> = {
  n: "int64",
  i: "int32",
  x: "float64",
  f: "float32",
  s: "string",
  ok: "bool",
  at: "unix_timestamp",
  raw: "bytes",
  list: "array<int64>",
  words: "array<string>",
  times: "array<unix_timestamp>",
  blobs: "array<bytes>",
};

function randomCase(seed: number) {
  const r = rng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const keyCount = 2 + int(20);
  const stamps = 2 + int(30);
  const tables: OracleTable[] = [];
  for (let v = 0; v < 1 + int(3); v++) {
    const composite = r() < 0.4;
    const joinKeys = composite ? ["customer_id", "region"] : ["customer_id"];
    const keyTypes: Record<string, ValueType> = { customer_id: "INT64", region: "STRING" };
    const rows = Array.from({ length: int(400) }, (_, i) => ({
      customer_id: int(keyCount),
      region: pick(["eu", "us"]),
      event_timestamp: T0 + int(stamps) * 10 * MIN,
      created_timestamp: r() < 0.3 ? null : T0 + int(4) * MIN,
      n: r() < 0.1 ? null : i,
      x: r() * 100,
      s: `v${v}-${i}`,
      ok: r() < 0.5,
      at: T0 + int(1000) * 1000,
      i: r() < 0.1 ? null : -i,
      f: r() * 10,
      list: r() < 0.2 ? null : [i, null, -i],
      raw: pick(["AAE=", "/w==", null]),
      words: pick([null, [], ["a", null, `w${i}`]]),
      times: [T0 + i * 1000],
      blobs: pick([null, ["AAE=", null]]),
    }));
    const features = Object.keys(DTYPES).filter(() => r() < 0.7);
    tables.push({
      view: `view${v}`,
      joinKeys,
      keyTypes,
      features: features.length ? features : ["n"],
      ttlSeconds: pick([0, 0, 1800, 7200]),
      rows,
      dtypes: DTYPES,
    });
  }
  const entities = Array.from({ length: 1 + int(300) }, (_, i) => ({
    customer_id: pick([String, (k: number) => k, (k: number) => `00${k}`])(int(keyCount + 3)),
    region: pick(["eu", "us", "apac"]),
    event_timestamp: T0 - 5 * MIN + int(stamps + 5) * 10 * MIN + pick([0, 1, -1]),
    label: i % 2,
  }));
  return { entities, tables };
}

describe("pointInTimeJoin agrees with DuckDB's ASOF JOIN", () => {
  it("on rows in memory, over 25 seeds", { timeout: 60_000 }, async () => {
    for (let seed = 1; seed <= 25; seed++) {
      const { entities, tables } = randomCase(seed);
      const ours = pointInTimeJoin(entities, tables, { fullFeatureNames: true });
      const duck = await duckdbPointInTimeJoin(entities, tables, { fullFeatureNames: true, source: "memory" });
      expect(duck.columns, `seed ${seed}`).toEqual(ours.columns);
      expect(duck.data, `seed ${seed}`).toEqual(ours.data);
    }
  });

  it("through Parquet files: DuckDB reads what writeParquet wrote, Larder reads it with readParquet", {
    timeout: 60_000,
  }, async () => {
    let matched = 0;
    for (let seed = 101; seed <= 115; seed++) {
      const { entities, tables } = randomCase(seed);
      // Larder's side: each table written, read back, joined.
      const readBack = await Promise.all(
        tables.map(async (t) => {
          const cols = offlineColumns(
            t.joinKeys.map((k) => ({ name: k, type: t.keyTypes[k] })),
            t.features.map((f) => ({ name: f, dtype: DTYPES[f] })),
          );
          const table = await readParquet(
            writeParquet(cols, t.rows as Record<string, unknown>[], { rowGroupSize: 50 }),
          );
          return { ...t, rows: table.columns };
        }),
      );
      // Bare names only where they cannot collide: one view.
      const fullFeatureNames = tables.length > 1 || seed % 2 === 0;
      const ours = pointInTimeJoin(entities, readBack, { fullFeatureNames });
      const duck = await duckdbPointInTimeJoin(entities, tables, { fullFeatureNames, source: "parquet" });
      expect(duck.columns, `seed ${seed}`).toEqual(ours.columns);
      expect(duck.data, `seed ${seed}`).toEqual(ours.data);
      matched += Object.entries(ours.data)
        .filter(([c]) => c.endsWith("s"))
        .flatMap(([, v]) => v)
        .filter((v) => v !== null).length;
    }
    expect(matched).toBeGreaterThan(100);
  });
});
