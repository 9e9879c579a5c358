/**
 * Hash buckets of the offline store. Pure.
 *
 * A batch source's rows are spread over a fixed number of buckets by a hash
 * of their entity: `hash32(identity) % buckets`, where the identity is the
 * canonical join identity (`identityBuilder`) of the source's bucket keys, so
 * `7`, `"7"` and `7n` land in one bucket, and a composite key's parts cannot
 * fake one another. The bucket keys are the join keys every view reading the
 * source shares (sorted); a source whose views share none has one bucket.
 * The count and keys are fixed when a source is first written (the layout
 * record in D1); later registry changes do not move existing rows.
 */
import type { ValueType } from "./dtypes";
import { identityBuilder, type KeyIdentity } from "./entity-key";
import { hash32 } from "./hash";

export const DEFAULT_BUCKETS = 16;
export const MAX_BUCKETS = 256;

/** How one source's rows are bucketed. */
export interface BucketLayout {
  buckets: number;
  /** Join keys the bucket is computed from, sorted; empty for one bucket. */
  keys: readonly string[];
}

/** The bucket of one join identity (null and ill-typed keys: -1, they can match nothing). */
export function bucketOfIdentity(identity: KeyIdentity, buckets: number): number {
  if (typeof identity !== "string") return -1;
  return buckets <= 1 ? 0 : hash32(identity) % buckets;
}

/** Bucket of row i of columns (`columnOf(key)`), by the layout. */
export function bucketBuilder(
  layout: BucketLayout,
  types: Readonly<Record<string, ValueType>>,
  columnOf: (key: string) => ArrayLike<unknown>,
): (row: number) => number {
  if (layout.buckets <= 1 || layout.keys.length === 0) return () => 0;
  const identity = identityBuilder(layout.keys, types, columnOf);
  return (row) => bucketOfIdentity(identity(row), layout.buckets);
}

/** The join keys shared by every view reading a source (sorted). */
export function sharedKeys(viewKeys: readonly (readonly string[])[]): string[] {
  if (viewKeys.length === 0) return [];
  let shared = new Set(viewKeys[0]);
  for (const keys of viewKeys.slice(1)) shared = new Set(keys.filter((k) => shared.has(k)));
  return [...shared].sort();
}

/** Whether rows of a view keyed by `joinKeys` can be found by bucket: the bucket keys are among its keys. */
export function bucketsApply(layout: BucketLayout, joinKeys: readonly string[]): boolean {
  return layout.buckets <= 1 || (layout.keys.length > 0 && layout.keys.every((k) => joinKeys.includes(k)));
}
