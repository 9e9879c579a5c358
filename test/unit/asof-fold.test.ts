/**
 * The chunked point-in-time join of historical jobs (`AsOfFold`) against the
 * whole-table join (`pointInTimeJoin`) on random tables cut into random
 * chunks: equal for every entity row and feature, with ties of every part of
 * the version, partly carried features, null and typed keys, and ttl on and
 * off.
 */
import { describe, expect, it } from "vitest";
import { AsOfFold } from "../../src/domain/asof-fold";
import type { ValueType } from "../../src/domain/dtypes";
import { pointInTimeJoin } from "../../src/domain/pit-join";
import { rng } from "../prng";

const T0 = Date.UTC(2024, 0, 1);
const MIN = 60_000;

function randomCase(seed: number) {
  const r = rng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const composite = r() < 0.4;
  const intKeys = r() < 0.4;
  const joinKeys = composite ? ["a_id", "b_id"] : ["a_id"];
  const keyTypes: Record<string, ValueType> = { a_id: intKeys ? "INT64" : "STRING", b_id: "STRING" };
  const keyValue = (k: number) => (intKeys ? [k, String(k), BigInt(k)][int(3)] : `k${k}`);
  const stamps = 1 + int(10);
  const stamp = () => T0 + int(stamps) * 10 * MIN;
  const features = ["f1", "f2", "f3"];
  const n = int(60);
  const entities: Record<string, unknown[]> = { a_id: [], b_id: [], event_timestamp: [] };
  for (let i = 0; i < n; i++) {
    entities.a_id.push(r() < 0.05 ? null : keyValue(int(6)));
    entities.b_id.push(`b${int(2)}`);
    entities.event_timestamp.push(stamp());
  }
  const m = int(200);
  const rows: Record<string, unknown[]> = {
    a_id: [],
    b_id: [],
    event_timestamp: [],
    created_timestamp: [],
    _larder_seq: [],
    _larder_wid: [],
  };
  for (const f of features) rows[f] = [];
  const carries: Record<string, Uint8Array> = { f2: new Uint8Array(m), f3: new Uint8Array(m) };
  for (let j = 0; j < m; j++) {
    rows.a_id.push(r() < 0.05 ? null : keyValue(int(6)));
    rows.b_id.push(`b${int(2)}`);
    rows.event_timestamp.push(stamp());
    rows.created_timestamp.push(r() < 0.3 ? null : T0 + int(3) * MIN);
    rows._larder_seq.push(String(int(3)));
    rows._larder_wid.push(int(2));
    for (const f of features) rows[f].push(r() < 0.1 ? null : int(1000));
    carries.f2[j] = r() < 0.6 ? 1 : 0;
    carries.f3[j] = r() < 0.05 ? 0 : 1;
  }
  const ttlSeconds = r() < 0.5 ? 0 : (1 + int(4)) * 600;
  const table = { view: "v", joinKeys, keyTypes, features, ttlSeconds };
  return { r, table, entities, rows, carries, n, m };
}

/** `rows` cut into consecutive chunks of random sizes, with their slices of `carries`. */
function chunked(r: () => number, rows: Record<string, unknown[]>, carries: Record<string, Uint8Array>, m: number) {
  const chunks = [];
  for (let at = 0; at < m; ) {
    const size = Math.min(m - at, 1 + Math.floor(r() * 40));
    const columns = Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, v.slice(at, at + size)]));
    // A chunk may carry a feature fully (no mask), as a file with the column and no carried list does.
    const mask = Object.fromEntries(
      Object.entries(carries)
        .filter(() => r() < 0.7)
        .map(([f, c]) => [f, c.slice(at, at + size)]),
    );
    chunks.push({ columns, numRows: size, carries: mask });
    at += size;
  }
  return chunks;
}

describe("AsOfFold", () => {
  it("equals pointInTimeJoin over the concatenated chunks, on 400 random cases", () => {
    for (let seed = 1; seed <= 400; seed++) {
      const { r, table, entities, rows, carries, n, m } = randomCase(seed);
      const chunks = chunked(r, rows, carries, m);
      // What the chunks say, concatenated: a feature a chunk carried fully is carried by all its rows.
      const whole: Record<string, Uint8Array> = {};
      for (const f of Object.keys(carries)) {
        whole[f] = new Uint8Array(m);
        let at = 0;
        for (const c of chunks) {
          whole[f].set(c.carries[f] ?? new Uint8Array(c.numRows).fill(1), at);
          at += c.numRows;
        }
      }
      const expected = pointInTimeJoin(entities, [{ ...table, rows, carries: whole }], { fullFeatureNames: false });
      const fold = new AsOfFold(table, (k) => entities[k], entities.event_timestamp as number[]);
      for (const c of chunks) fold.add(c);
      const got = fold.result();
      for (const f of table.features) expect(got[f], `seed ${seed}, feature ${f}`).toEqual(expected.data[f]);
      expect(got.f1).toHaveLength(n);
    }
  });

  it("names the input row of an entity key that does not fit its type", () => {
    const table = { view: "v", joinKeys: ["id"], keyTypes: { id: "INT64" as const }, features: ["f"], ttlSeconds: 0 };
    expect(
      () =>
        new AsOfFold(
          table,
          () => [1, "x"],
          [T0, T0],
          (i) => i + 40,
        ),
    ).toThrow(/entity_df row 41: join key 'id' of feature view 'v' expects INT64, got "x"/);
  });

  it("matches nothing for entity rows without a key, and for an empty table", () => {
    const table = { view: "v", joinKeys: ["id"], keyTypes: { id: "STRING" as const }, features: ["f"], ttlSeconds: 0 };
    const fold = new AsOfFold(table, () => [null, "a"], [T0, T0]);
    fold.add({ columns: { id: [], event_timestamp: [], f: [] }, numRows: 0 });
    expect(fold.result()).toEqual({ f: [null, null] });
  });
});
