/**
 * How a historical job is cut (domain/historical-plan.ts): views grouped by
 * their sources' bucket layouts, entity rows split by bucket exactly as the
 * offline store buckets rows, and shard parts packed from whole slices up to
 * SHARD_MAX_ROWS.
 */
import { describe, expect, it } from "vitest";
import { bucketBuilder } from "../../src/domain/bucketing";
import {
  groupViews,
  type PlannedView,
  planShards,
  SHARD_MAX_ROWS,
  SPLIT_ROWS,
  sliceCount,
  sliceRange,
  splitByBucket,
} from "../../src/domain/historical-plan";

const view = (name: string, layout: PlannedView["layout"], joinKeys = ["customer_id"]): PlannedView => ({
  name,
  joinKeys,
  keyTypes: Object.fromEntries(joinKeys.map((k) => [k, "STRING" as const])),
  layout,
  sourceKeyTypes: Object.fromEntries(joinKeys.map((k) => [k, "STRING" as const])),
});

describe("groupViews", () => {
  it("groups by bucket count and keys; one-bucket, unwritten and inapplicable layouts share the one-bucket group, last", () => {
    const groups = groupViews([
      view("a", { buckets: 16, keys: ["customer_id"] }),
      view("b", { buckets: 4, keys: ["customer_id"] }),
      view("c", { buckets: 16, keys: ["customer_id"] }),
      view("d", { buckets: 1, keys: [] }),
      view("e", null),
      view("f", { buckets: 16, keys: ["merchant_id"] }),
      view("g", { buckets: 16, keys: ["customer_id"] }, ["customer_id", "merchant_id"]),
    ]);
    expect(groups.map((g) => [g.buckets, g.views, g.joinKeys])).toEqual([
      [16, ["a", "c", "g"], ["customer_id", "merchant_id"]],
      [4, ["b"], ["customer_id"]],
      [1, ["d", "e", "f"], ["customer_id"]],
    ]);
  });
});

describe("splitByBucket", () => {
  it("puts each row in the bucket the offline store gives its key, in input order; null keys in none", () => {
    const [group] = groupViews([view("a", { buckets: 8, keys: ["customer_id"] })]);
    const ids = Array.from({ length: 500 }, (_, i) => (i % 50 === 0 ? null : `c${i % 37}`));
    const ts = ids.map((_, i) => 1000 + i);
    const split = splitByBucket(group, () => ids, ts, 1_000);
    const bucketOf = bucketBuilder({ buckets: 8, keys: ["customer_id"] }, { customer_id: "STRING" }, () => ids);
    let seen = 0;
    for (const [bucket, rows] of split) {
      expect(rows.rows).toEqual([...rows.rows].sort((a, b) => a - b));
      for (const [k, row] of rows.rows.entries()) {
        expect(bucketOf(row - 1_000)).toBe(bucket);
        expect(rows.keys.customer_id[k]).toBe(ids[row - 1_000]);
        expect(rows.ts[k]).toBe(ts[row - 1_000]);
      }
      seen += rows.rows.length;
    }
    expect(seen).toBe(ids.filter((v) => v !== null).length);
  });
});

describe("planShards", () => {
  it("packs whole consecutive slices into parts of at most SHARD_MAX_ROWS rows per bucket", () => {
    const big = Math.floor(SHARD_MAX_ROWS * 0.6);
    const plans = planShards([
      [{ 0: big, 1: 10 }, { 0: big, 1: 10 }, { 0: big }, { 1: 5 }],
      [{ 0: 3 }, {}, { 2: 1 }, {}],
    ]);
    expect(plans).toEqual([
      { group: 0, bucket: 0, part: 0, slices: [0], rows: big },
      { group: 0, bucket: 0, part: 1, slices: [1], rows: big },
      { group: 0, bucket: 0, part: 2, slices: [2], rows: big },
      { group: 0, bucket: 1, part: 0, slices: [0, 1, 3], rows: 25 },
      { group: 1, bucket: 0, part: 0, slices: [0], rows: 3 },
      { group: 1, bucket: 2, part: 0, slices: [2], rows: 1 },
    ]);
  });

  it("slices cover the input rows exactly", () => {
    const rows = 2 * SPLIT_ROWS + 7;
    expect(sliceCount(rows)).toBe(3);
    expect([0, 1, 2].map((s) => sliceRange(s, rows))).toEqual([
      { start: 0, end: SPLIT_ROWS },
      { start: SPLIT_ROWS, end: 2 * SPLIT_ROWS },
      { start: 2 * SPLIT_ROWS, end: rows },
    ]);
  });
});
