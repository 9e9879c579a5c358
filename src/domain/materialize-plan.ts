/**
 * Materialization planning (pure): a view's manifest files in the window are
 * grouped into scan tasks of at most `maxRowsPerTask` rows (by the manifest's
 * counts), each reading its files once. A scan task writes at most
 * `WRITE_CHUNK` entities to KV itself and hands the rest to write tasks, so
 * no invocation goes past its ~1,000 KV operations. Also which views a
 * schedule makes due.
 */
import type { CompiledRegistry } from "./compiled-registry";
import { scheduleSeconds } from "./registry-model";

export const MAX_ROWS_PER_SCAN_TASK = 100_000;
/** Entities one invocation writes: 9 bulk reads + 900 puts stay under 1,000 KV operations. */
export const WRITE_CHUNK = 900;

export interface PlannedFile {
  path: string;
  rows: number;
}

export function groupFiles(files: readonly PlannedFile[], maxRowsPerTask = MAX_ROWS_PER_SCAN_TASK): string[][] {
  const groups: string[][] = [];
  let current: string[] = [];
  let rows = 0;
  for (const file of files) {
    if (current.length > 0 && rows + file.rows > maxRowsPerTask) {
      groups.push(current);
      current = [];
      rows = 0;
    }
    current.push(file.path);
    rows += file.rows;
  }
  if (current.length > 0) groups.push(current);
  return groups;
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
