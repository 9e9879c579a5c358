/** Hash buckets of the offline store, compaction and materialization plans: pure rules. */
import { describe, expect, it } from "vitest";
import { bucketBuilder, bucketOfIdentity, bucketsApply, sharedKeys } from "../../src/domain/bucketing";
import { identityBuilder } from "../../src/domain/entity-key";
import { planBuckets } from "../../src/domain/materialize-plan";
import { COMPACT_MIN_SMALL_FILES, COMPACT_ROWS_PER_FILE, planCompaction } from "../../src/offline/compaction";
import type { ManifestFile } from "../../src/offline/manifest";
import { rng } from "../prng";

const layout = (buckets: number, keys: string[]) => ({ buckets, keys });

describe("buckets", () => {
  it("put every spelling of one entity in one bucket, for every key type", () => {
    const types = { id: "INT64" as const };
    const spellings = [7, "7", "007", 7n, " 7 "];
    const bucketOf = bucketBuilder(layout(16, ["id"]), types, () => spellings);
    const buckets = spellings.map((_, i) => bucketOf(i));
    expect(new Set(buckets).size).toBe(1);
    const big = [9007199254740993n, "9007199254740993"];
    const ofBig = bucketBuilder(layout(16, ["id"]), types, () => big);
    expect(ofBig(0)).toBe(ofBig(1));
    const int32 = bucketBuilder(layout(16, ["id"]), { id: "INT32" }, () => [-5, "-5"]);
    expect(int32(0)).toBe(int32(1));
    const strings = bucketBuilder(layout(16, ["id"]), { id: "STRING" }, () => ["a", "a", "A"]);
    expect(strings(0)).toBe(strings(1));
    const bytes = bucketBuilder(layout(16, ["id"]), { id: "BYTES" }, () => ["AAEC", "AAEC"]);
    expect(bytes(0)).toBe(bytes(1));
  });

  it("are a pure function of the canonical identity: the same in every run, and within 0..buckets-1", () => {
    // Pinned values: a change to the hash or the identity would move every stored row.
    expect(bucketOfIdentity("cust_00001", 16)).toBe(bucketOfIdentity("cust_00001", 16));
    const pinned = ["a", "cust_1", "7", "2:ab1:c"].map((id) => bucketOfIdentity(id, 16));
    expect(pinned).toMatchInlineSnapshot(`
      [
        3,
        11,
        13,
        14,
      ]
    `);
    for (const buckets of [1, 2, 16, 256]) {
      for (let i = 0; i < 200; i++) {
        const b = bucketOfIdentity(`k${i}`, buckets);
        expect(b).toBeGreaterThanOrEqual(0);
        expect(b).toBeLessThan(buckets);
      }
    }
    expect(bucketOfIdentity(null, 16)).toBe(-1);
  });

  it("hash composite keys by every part, so parts cannot fake one another", () => {
    const types = { a: "STRING" as const, b: "STRING" as const };
    const cols: Record<string, unknown[]> = { a: ["x", "x1", "x"], b: ["1y", "y", "1y"] };
    const id = identityBuilder(["a", "b"], types, (k) => cols[k]);
    expect(id(0)).not.toBe(id(1));
    const bucketOf = bucketBuilder(layout(256, ["a", "b"]), types, (k) => cols[k]);
    expect(bucketOf(0)).toBe(bucketOf(2));
  });

  it("spread keys evenly (within 25% of the mean over 16 buckets for 16,000 keys)", () => {
    const counts = new Array(16).fill(0);
    for (let i = 0; i < 16_000; i++) counts[bucketOfIdentity(`user_${i}`, 16)]++;
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(250);
  });

  it("use the keys every reading view shares, and apply to a view only when it has them all", () => {
    expect(sharedKeys([["customer_id"], ["customer_id", "store_id"]])).toEqual(["customer_id"]);
    expect(sharedKeys([["a"], ["b"]])).toEqual([]);
    expect(bucketsApply(layout(16, ["customer_id"]), ["customer_id", "store_id"])).toBe(true);
    expect(bucketsApply(layout(16, ["customer_id", "store_id"]), ["customer_id"])).toBe(false);
    expect(bucketsApply(layout(1, []), ["x"])).toBe(true);
  });
});

const file = (over: Partial<ManifestFile>): ManifestFile => ({
  project: "p",
  source: "s",
  path: `f${Math.random()}`,
  rows: 10,
  bytes: 1000,
  min_event_ts: Date.UTC(2024, 0, 5),
  max_event_ts: Date.UTC(2024, 0, 5, 1),
  timestamp_column: "event_timestamp",
  created_column: "created_timestamp",
  origin: "push",
  created_at: "2024-01-05T00:00:00Z",
  bucket: 0,
  ...over,
});

describe("compaction plans", () => {
  const NOW = Date.UTC(2024, 1, 10);

  it("merge all files of a bucket and a month that is over, at two or more", () => {
    const jan = [file({}), file({ min_event_ts: Date.UTC(2024, 0, 20) })];
    const plan = planCompaction([...jan, file({ bucket: 1 })], NOW);
    expect(plan).toEqual([{ bucket: 0, period: "2024-01", files: jan }]);
  });

  it("merge small files of one day of the current month, at four or more, and leave big ones", () => {
    const day = Date.UTC(2024, 1, 9, 3);
    const small = Array.from({ length: COMPACT_MIN_SMALL_FILES }, () => file({ min_event_ts: day, max_event_ts: day }));
    const big = file({ min_event_ts: day, max_event_ts: day, bytes: 5 * 1024 * 1024 });
    expect(planCompaction([...small, big], NOW)).toEqual([{ bucket: 0, period: "2024-02-09", files: small }]);
    expect(planCompaction(small.slice(1), NOW)).toEqual([]);
  });

  it("never touch files of every bucket or files read in place", () => {
    expect(planCompaction([file({ bucket: null }), file({ bucket: null })], NOW)).toEqual([]);
    expect(planCompaction([file({ origin: "discovered" }), file({ origin: "discovered" })], NOW)).toEqual([]);
  });

  it("split a large month into files of at most COMPACT_ROWS_PER_FILE rows", () => {
    const files = Array.from({ length: 5 }, () => file({ rows: COMPACT_ROWS_PER_FILE / 2 }));
    const plan = planCompaction(files, NOW);
    expect(plan.map((g) => g.files.length)).toEqual([2, 2]);
    for (const g of plan) expect(g.files.reduce((n, f) => n + f.rows, 0)).toBeLessThanOrEqual(COMPACT_ROWS_PER_FILE);
  });
});

describe("materialization plans", () => {
  it("give one task per bucket with files, each reading its bucket's files", () => {
    const files = [
      { path: "a", rows: 1, bucket: 3 },
      { path: "b", rows: 2, bucket: 3 },
      { path: "c", rows: 4, bucket: 0 },
    ];
    expect(planBuckets(files, 16)).toEqual([
      { bucket: 0, files: ["c"], rows: 4 },
      { bucket: 3, files: ["a", "b"], rows: 3 },
    ]);
  });

  it("have every task read files of every bucket, and one task for a view the layout does not apply to", () => {
    const files = [
      { path: "old", rows: 5, bucket: null },
      { path: "b1", rows: 1, bucket: 1 },
    ];
    const plan = planBuckets(files, 2);
    expect(plan).toEqual([
      { bucket: 0, files: ["old"], rows: 5 },
      { bucket: 1, files: ["old", "b1"], rows: 6 },
    ]);
    expect(planBuckets(files, null)).toEqual([{ bucket: null, files: ["old", "b1"], rows: 6 }]);
    expect(planBuckets([], 16)).toEqual([]);
  });

  it("cover each file exactly once per bucket (randomized)", () => {
    const rand = rng(7);
    const files = Array.from({ length: 50 }, (_, i) => ({ path: `f${i}`, rows: 1, bucket: Math.floor(rand() * 8) }));
    const plan = planBuckets(files, 8);
    expect(plan.flatMap((p) => p.files).sort()).toEqual(files.map((f) => f.path).sort());
    for (const p of plan) for (const path of p.files) expect(files.find((f) => f.path === path)!.bucket).toBe(p.bucket);
  });
});
