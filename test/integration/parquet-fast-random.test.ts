/**
 * The fast Parquet reader against readParquet on random files written by
 * parquet-write.ts inside workerd: random schemas (join keys of every value
 * type, features of every dtype), values (nulls, INT64 beyond 2^53, non-ASCII
 * and empty strings, versions), row-group sizes and time windows. Seeded, so a
 * failure replays from the seed in its name.
 */
import { describe, it } from "vitest";
import type { Dtype, ScalarDtype, ValueType } from "../../src/domain/dtypes";
import { CARRIED, WRITE_ID, WRITE_SEQUENCE } from "../../src/domain/names";
import { offlineColumns, writeParquet } from "../../src/offline/parquet-write";
import { rng } from "../prng";
import { expectSameRead } from "./parquet-fast-compare";

const SCALARS: ScalarDtype[] = ["int32", "int64", "float32", "float64", "string", "bool", "bytes", "unix_timestamp"];
const KEY_TYPES: ValueType[] = ["STRING", "INT32", "INT64", "BYTES"];
const KEY_DTYPES: Record<ValueType, ScalarDtype> = { STRING: "string", INT32: "int32", INT64: "int64", BYTES: "bytes" };
const TEXT = ["a", "b", "", "é", "Zürich", "☕", "日本語", "x".repeat(40), "plan_1", "plan_2"];
const T = Date.UTC(2024, 0, 15, 10);

function randomCase(seed: number) {
  const random = rng(seed);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const scalar = (dtype: ScalarDtype, distinct: number): unknown => {
    const k = int(distinct);
    switch (dtype) {
      case "int32":
        return k - Math.floor(distinct / 2) + (random() < 0.1 ? 2_000_000_000 : 0);
      case "int64":
        return random() < 0.2
          ? `${9007199254740993n + BigInt(k)}`
          : random() < 0.1
            ? `-${2n ** 62n + BigInt(k)}`
            : k * 1_000_003 - 5;
      case "float32":
        return (k - 3) / 7;
      case "float64":
        return random() < 0.05 ? -0 : (k - 3) * 1.1;
      case "string":
        return `${pick(TEXT)}${k}`;
      case "bool":
        return k % 2 === 0;
      case "bytes":
        return new Uint8Array([k & 255, (k >> 8) & 255, 200]);
      case "unix_timestamp":
        return T - 86_400_000 * 400 + k * 1_003;
    }
  };
  const keys = Array.from({ length: 1 + int(2) }, (_, i) => ({ name: `k${i}`, type: pick(KEY_TYPES) }));
  const features = Array.from({ length: 1 + int(6) }, (_, i) => {
    const inner = pick(SCALARS);
    return { name: `f${i}`, dtype: (random() < 0.15 ? `array<${inner}>` : inner) as Dtype };
  });
  const rows = Array.from({ length: 1 + int(2_500) }, () => {
    const row: Record<string, unknown> = {
      event_timestamp: T + int(100_000) * 1_000 - (random() < 0.05 ? 2 ** 40 : 0),
      created_timestamp: random() < 0.3 ? null : T + int(1_000),
      [WRITE_SEQUENCE]: random() < 0.2 ? `${2n ** 60n + BigInt(int(1000))}` : String(int(1_000_000)),
      [WRITE_ID]: int(5),
    };
    for (const k of keys) row[k.name] = scalar(KEY_DTYPES[k.type], 1 + int(300));
    const nullRate = pick([0, 0.1, 0.9, 1]);
    for (const f of features) {
      const distinct = pick([2, 50, 100_000]);
      if (random() < nullRate) row[f.name] = null;
      else if (f.dtype.startsWith("array<")) {
        const inner = f.dtype.slice(6, -1) as ScalarDtype;
        row[f.name] = Array.from({ length: int(3) }, () => (random() < 0.2 ? null : scalar(inner, distinct)));
      } else row[f.name] = scalar(f.dtype as ScalarDtype, distinct);
    }
    return row;
  });
  const bytes = writeParquet(offlineColumns(keys, features), rows, { rowGroupSize: 1 + int(1_200) });
  const dtypes = Object.fromEntries(features.map((f) => [f.name, f.dtype]));
  const lo = T + int(100_000) * 1_000;
  const window = pick([{}, { minTs: lo }, { maxTs: lo }, { minTs: lo, maxTs: lo + int(50_000) * 1_000 }]);
  const all = [...keys.map((k) => k.name), ...features.map((f) => f.name)];
  const columns = [...all, "event_timestamp", "created_timestamp", WRITE_SEQUENCE, WRITE_ID, CARRIED].filter(
    () => random() < 0.7,
  );
  return { bytes, options: { dtypes, ...window, columns: columns.length ? columns : undefined } };
}

describe("fast reader vs readParquet on random files", () => {
  for (let seed = 1; seed <= 40; seed++) {
    it(`seed ${seed}`, async () => {
      const { bytes, options } = randomCase(seed);
      await expectSameRead(bytes, options); // asserts, column by column and row by row
    });
  }
});
