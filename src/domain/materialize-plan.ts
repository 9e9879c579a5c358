/**
 * Materialization planning (pure): one scan task per bucket of a view's
 * source that has files in the window, reading that bucket's files (and
 * files of every bucket, filtered to it), so each entity is folded and
 * written by exactly one task of a job. A view the source's bucketing does
 * not apply to (its keys lack a bucket key) gets one task for all files. A
 * scan task writes at most `WRITE_CHUNK` entities to KV itself and hands the
 * rest to write tasks, so no invocation goes past its ~1,000 KV operations.
 * Also which views a schedule makes due.
 */
import type { CompiledRegistry } from "./compiled-registry";
import { scheduleSeconds } from "./registry-model";

/** Entities one invocation writes: 9 bulk reads + 900 puts stay under 1,000 KV operations. */
export const WRITE_CHUNK = 900;

export interface PlannedFile {
  path: string;
  rows: number;
  /** Null: a file of every bucket. */
  bucket: number | null;
}

export interface BucketPlan {
  /** Null: the whole source in one task. */
  bucket: number | null;
  files: string[];
  rows: number;
}

/** Scan tasks of one view; `buckets` null when its source's bucketing does not apply to it. */
export function planBuckets(files: readonly PlannedFile[], buckets: number | null): BucketPlan[] {
  if (files.length === 0) return [];
  if (buckets === null)
    return [{ bucket: null, files: files.map((f) => f.path), rows: files.reduce((n, f) => n + f.rows, 0) }];
  const everyBucket = files.filter((f) => f.bucket === null);
  const plans = new Map<number, BucketPlan>();
  const plan = (bucket: number) => {
    let p = plans.get(bucket);
    if (!p) {
      p = { bucket, files: everyBucket.map((f) => f.path), rows: everyBucket.reduce((n, f) => n + f.rows, 0) };
      plans.set(bucket, p);
    }
    return p;
  };
  // Files of every bucket (written before buckets existed) hold rows of any bucket: every task reads them.
  if (everyBucket.length > 0) for (let b = 0; b < buckets; b++) plan(b);
  for (const f of files) {
    if (f.bucket === null) continue;
    const p = plan(f.bucket);
    p.files.push(f.path);
    p.rows += f.rows;
  }
  return [...plans.values()].sort((a, b) => a.bucket! - b.bucket!);
}

/** Offsets of the write chunks after the first (which the scan task writes itself). */
export function writeChunkOffsets(entities: number, chunk = WRITE_CHUNK): number[] {
  const offsets: number[] = [];
  for (let offset = chunk; offset < entities; offset += chunk) offsets.push(offset);
  return offsets;
}

/** Seconds a job of `rows` should take at the throughput earlier jobs showed; null without history. */
export function estimateDurationSeconds(rows: number, history: { rows: number; seconds: number }[]): number | null {
  const rowsDone = history.reduce((s, h) => s + h.rows, 0);
  const seconds = history.reduce((s, h) => s + h.seconds, 0);
  if (rowsDone <= 0 || seconds <= 0) return null;
  return Math.max(1, Math.round(rows / (rowsDone / seconds)));
}

/** Online views whose schedule says a run is due at `now`. */
export function dueViews(
  registry: CompiledRegistry,
  materializedEnds: ReadonlyMap<string, string | null>,
  now: number,
): string[] {
  const due: string[] = [];
  for (const { def } of registry.views.values()) {
    if (!def.online || !def.schedule) continue;
    const every = scheduleSeconds(def.schedule);
    if (!every) continue;
    const end = materializedEnds.get(def.name);
    if (!end || now - Date.parse(end) >= every * 1000) due.push(def.name);
  }
  return due;
}
