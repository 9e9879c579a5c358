/**
 * Where offline data lives in the bound R2 bucket (OFFLINE_STORE). Pure.
 *
 * - Every project's data lives under `offline/<project>/`. Files Larder writes
 *   for a batch source:
 *   `offline/<project>/<source>/bucket=NN/month=YYYY-MM/<id>.parquet`,
 *   hive-partitioned by the hash bucket of the rows' entity (see
 *   `domain/bucketing.ts`; NN zero-padded to the width of the last bucket)
 *   and by the UTC month of their event time (a writer splits rows by both
 *   first), with a ULID `<id>` so keys sort by creation time and never
 *   collide. A month, not a day: with 16 buckets, day partitions would make
 *   5,840 files a year per source before compaction could merge any; the
 *   manifest keeps each file's exact time range for pruning.
 * - A batch source's `path` names where users drop files of their own; it
 *   resolves inside the project's prefix (see `domain/source-path.ts`), or,
 *   with `external://`, inside a prefix the operator allows for the project.
 * - Exports: `exports/<project>/<id>.parquet`.
 */
import { invalid } from "../domain/errors";
import { PATH_RULE, parseSourcePath } from "../domain/source-path";

const OFFLINE_ROOT = "offline/";

export interface SourceLocation {
  /** Key of one object (`kind: "file"`) or a prefix ending in `/` (`kind: "prefix"`). */
  key: string;
  kind: "file" | "prefix";
}

/**
 * The bucket key a batch source's path names for `project`; VALIDATION_ERROR
 * naming the rule for a path that breaks it, or an `external://` path outside
 * the project's allowed prefixes.
 */
export function sourceLocation(
  project: string,
  path: string,
  externalPrefixes: readonly string[] = [],
): SourceLocation {
  const parsed = parseSourcePath(path);
  if (!parsed.ok) {
    throw invalid(`Batch source path '${path}' is not usable: ${parsed.problem} (${PATH_RULE})`, {
      path,
      rule: PATH_RULE,
    });
  }
  if (parsed.scope === "project")
    return { key: `${OFFLINE_ROOT}${segment("project", project)}/${parsed.key}`, kind: parsed.kind };
  if (!externalPrefixes.some((prefix) => parsed.key.startsWith(prefix))) {
    throw invalid(
      `Batch source path '${path}' is outside the prefixes the operator allows project '${project}' to read (EXTERNAL_PREFIXES: ${externalPrefixes.join(", ") || "none"})`,
      { path, project, allowed_prefixes: externalPrefixes },
    );
  }
  return { key: parsed.key, kind: parsed.kind };
}

function segment(kind: string, value: string): string {
  if (!value || value.includes("/") || value === "." || value === "..")
    throw invalid(`${kind} '${value}' cannot be part of an R2 key`, { [kind]: value });
  return value;
}

/** `offline/<project>/<source>/`: every file Larder wrote for one source. */
export function sourcePrefix(project: string, source: string): string {
  return `${OFFLINE_ROOT}${segment("project", project)}/${segment("source", source)}/`;
}

/** UTC date `YYYY-MM-DD` of an epoch-ms timestamp: the partition a row belongs to. */
export function partitionDate(epochMs: number): string {
  if (!Number.isFinite(epochMs))
    throw invalid("Cannot partition a row without a valid event timestamp", { event_timestamp: epochMs });
  return new Date(epochMs).toISOString().slice(0, 10);
}

/** UTC month `YYYY-MM` of an epoch-ms timestamp. */
export function partitionMonth(epochMs: number): string {
  return partitionDate(epochMs).slice(0, 7);
}

/** `NN`: a bucket number zero-padded to the width of the source's last bucket. */
export function bucketLabel(bucket: number, buckets: number): string {
  if (!Number.isInteger(bucket) || bucket < 0 || bucket >= buckets)
    throw invalid(`Bucket ${bucket} is outside 0..${buckets - 1}`, { bucket, buckets });
  return String(bucket).padStart(String(buckets - 1).length, "0");
}

/** `offline/<project>/<source>/bucket=NN/month=YYYY-MM/<id>.parquet`. */
export function bucketFileKey(
  project: string,
  source: string,
  where: { bucket: number; buckets: number; month: string },
  id: string,
): string {
  if (!/^\d{4}-\d{2}$/.test(where.month))
    throw invalid(`Partition month '${where.month}' is not YYYY-MM`, { month: where.month });
  const bucket = bucketLabel(where.bucket, where.buckets);
  return `${sourcePrefix(project, source)}bucket=${bucket}/month=${where.month}/${segment("id", id)}.parquet`;
}

/** Whether `key` lies in Larder's own bucketed layout of the source (never a user's file to adopt). */
export function inBucketedLayout(project: string, source: string, key: string): boolean {
  return key.startsWith(`${sourcePrefix(project, source)}bucket=`);
}

/** The partition date of a key (`.../date=YYYY-MM-DD/...`), so listings can be pruned by date; undefined when absent. */
export function keyPartitionDate(key: string): string | undefined {
  return /(?:^|\/)date=(\d{4}-\d{2}-\d{2})\//.exec(key)?.[1];
}

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/**
 * A ULID: 26 Crockford base-32 characters, 48 bits of milliseconds then 80
 * random bits, so ids sort by creation time (to the millisecond).
 */
export function newFileId(
  now: number = Date.now(),
  random: Uint8Array = crypto.getRandomValues(new Uint8Array(10)),
): string {
  if (!Number.isInteger(now) || now < 0 || now >= 2 ** 48)
    throw invalid("ULID time must be a non-negative integer below 2^48 ms", { now });
  if (random.length !== 10) throw invalid("ULID randomness must be 10 bytes", { bytes: random.length });
  let time = "";
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  // 80 random bits = 16 characters of 5 bits, read from the bytes most-significant first.
  let rand = "";
  let acc = 0;
  let bits = 0;
  for (const byte of random) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      rand += CROCKFORD[(acc >> bits) & 31];
    }
    acc &= (1 << bits) - 1;
  }
  return time + rand;
}

/** `exports/<project>/<id>.parquet`: where a historical export is kept. */
export function exportKey(project: string, id: string): string {
  return `exports/${segment("project", project)}/${segment("export id", id)}.parquet`;
}
