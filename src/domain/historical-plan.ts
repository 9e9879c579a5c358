/**
 * How a historical job is cut into tasks (pure): the selected views in
 * groups by their sources' bucket layouts, the entity rows in slices, each
 * slice's rows split by group and bucket, the shard tasks (group, bucket,
 * part) and the combine steps.
 *
 * - A group is the views whose sources share one bucket layout (count, keys
 *   and key types) that applies to each of them (`bucketsApply`); a shard of
 *   a group reads only its bucket's files of each of those sources. Every
 *   other view (its source has one bucket, no layout yet, or a layout its
 *   join keys do not cover) is in the one-bucket group, whose shards read
 *   all files of its sources.
 * - Entity rows are cut in slices of SPLIT_ROWS rows in input order (the
 *   unit of the split, and of the entity columns the combine reads back).
 * - A shard is one bucket of one group, or a part of it when the bucket
 *   holds more than SHARD_MAX_ROWS entity rows: parts are runs of whole
 *   consecutive slices, so a part's rows are a range of the input. Every
 *   part of a bucket reads that bucket's files in its own rows' window: P
 *   parts of one bucket scan its files up to P times (with no ttl, each
 *   reads all history up to its rows' latest time).
 * - The combine reads the shards' outputs slice by slice (each shard writes
 *   one file per slice it covers), so it holds one slice of the output.
 */
import { type BucketLayout, bucketBuilder, bucketsApply } from "./bucketing";
import type { ValueType } from "./dtypes";

/** Entity rows of a job, at most (the JSON body's 10 MB holds far fewer: larger ones come as a Parquet file). */
export const MAX_JOB_ROWS = 10_000_000;
/** Entity rows per slice: one split task reads one slice of a Parquet entity_df. */
export const SPLIT_ROWS = 100_000;
/** Entity rows per shard task (from the 64 MB target: see README "Limits of a job"). */
export const SHARD_MAX_ROWS = 100_000;

/** What the planner needs of each selected view. */
export interface PlannedView {
  name: string;
  /** Join keys, sorted, and their value types. */
  joinKeys: readonly string[];
  keyTypes: Readonly<Record<string, ValueType>>;
  /** The source's layout (null: never written) and the value types of its join keys. */
  layout: BucketLayout | null;
  sourceKeyTypes: Readonly<Record<string, ValueType>>;
}

export interface ViewGroup {
  /** Buckets (1: every file of its sources, in one bucket). */
  buckets: number;
  /** Bucket keys, sorted (empty for one bucket), with their value types. */
  bucketKeys: string[];
  bucketKeyTypes: Record<string, ValueType>;
  /** The join keys of its views (sorted): the entity columns its shards need. */
  joinKeys: string[];
  views: string[];
}

/** The selected views in groups (first-seen order; the one-bucket group last). */
export function groupViews(views: readonly PlannedView[]): ViewGroup[] {
  const groups = new Map<string, ViewGroup>();
  const single: ViewGroup = { buckets: 1, bucketKeys: [], bucketKeyTypes: {}, joinKeys: [], views: [] };
  for (const view of views) {
    const { layout } = view;
    let group = single;
    if (layout && layout.buckets > 1 && bucketsApply(layout, view.joinKeys)) {
      const id = `${layout.buckets}|${layout.keys.map((k) => `${k}:${view.sourceKeyTypes[k]}`).join(",")}`;
      let found = groups.get(id);
      if (!found) {
        const types = Object.fromEntries(layout.keys.map((k) => [k, view.sourceKeyTypes[k]]));
        found = {
          buckets: layout.buckets,
          bucketKeys: [...layout.keys],
          bucketKeyTypes: types,
          joinKeys: [],
          views: [],
        };
        groups.set(id, found);
      }
      group = found;
    }
    group.views.push(view.name);
    group.joinKeys = [...new Set([...group.joinKeys, ...view.joinKeys])].sort();
  }
  return [...groups.values(), ...(single.views.length > 0 ? [single] : [])];
}

/** Slice s covers input rows [s × SPLIT_ROWS, min(rows, (s + 1) × SPLIT_ROWS)). */
export function sliceCount(rows: number): number {
  return Math.ceil(rows / SPLIT_ROWS);
}

export function sliceRange(slice: number, rows: number): { start: number; end: number } {
  return { start: slice * SPLIT_ROWS, end: Math.min(rows, (slice + 1) * SPLIT_ROWS) };
}

/** One group's entity rows of one slice, by bucket: input row indices, times and join-key values. */
export interface BucketRows {
  rows: number[];
  ts: number[];
  keys: Record<string, unknown[]>;
}

/**
 * Splits a slice's rows (`keyOf(k)`: join key k's column, `ts`: epoch ms,
 * row i being input row `first + i`) by the group's buckets. Rows whose
 * bucket key is null (or ill-typed) match nothing and go to no bucket.
 */
export function splitByBucket(
  group: ViewGroup,
  keyOf: (key: string) => ArrayLike<unknown>,
  ts: ArrayLike<number>,
  first: number,
): Map<number, BucketRows> {
  const bucketOf = bucketBuilder({ buckets: group.buckets, keys: group.bucketKeys }, group.bucketKeyTypes, keyOf);
  const out = new Map<number, BucketRows>();
  const columns = group.joinKeys.map((k) => [k, keyOf(k)] as const);
  for (let i = 0; i < ts.length; i++) {
    const bucket = bucketOf(i);
    if (bucket < 0) continue;
    let part = out.get(bucket);
    if (!part) {
      part = { rows: [], ts: [], keys: Object.fromEntries(group.joinKeys.map((k) => [k, []])) };
      out.set(bucket, part);
    }
    part.rows.push(first + i);
    part.ts.push(ts[i]);
    for (const [k, col] of columns) part.keys[k].push(col[i] ?? null);
  }
  return out;
}

export interface ShardPlan {
  group: number;
  bucket: number;
  part: number;
  /** The slices (ascending) whose rows of this bucket it joins. */
  slices: number[];
  rows: number;
}

/**
 * Shard tasks from the split's counts: `counts[g][s]` maps bucket → rows of
 * group g's bucket in slice s. Consecutive slices are packed into a part up
 * to SHARD_MAX_ROWS rows (a slice is never cut: it has at most SPLIT_ROWS).
 */
export function planShards(counts: readonly (readonly Readonly<Record<string, number>>[])[]): ShardPlan[] {
  const plans: ShardPlan[] = [];
  counts.forEach((slices, group) => {
    const buckets = new Set(slices.flatMap((c) => Object.keys(c).map(Number)));
    for (const bucket of [...buckets].sort((a, b) => a - b)) {
      let current: ShardPlan | null = null;
      slices.forEach((c, slice) => {
        const rows = c[bucket] ?? 0;
        if (rows === 0) return;
        if (!current || current.rows + rows > SHARD_MAX_ROWS) {
          current = { group, bucket, part: current ? current.part + 1 : 0, slices: [], rows: 0 };
          plans.push(current);
        }
        current.slices.push(slice);
        current.rows += rows;
      });
    }
  });
  return plans;
}
