/**
 * Push validation: each row is checked on its own against the views its push
 * source feeds (join keys, timestamps, known features, dtypes, key length).
 * A row is accepted whole or rejected whole with its index and reason, so a
 * bad row never blocks good ones and is never half-written. Pure.
 */
import { LarderError } from "./errors";
import { valueProblem } from "./dtypes";
import { entityKey, onlineKey, pushWriterTag } from "./entity-key";
import { parseTimestamp } from "./timestamps";
import { viewsFedBy, type PushSourceDef } from "./registry-model";
import type { CompiledRegistry, CompiledView } from "./compiled-registry";
import type { OnlineWrite } from "./online-record";
import { RowRejected, type RowRejection } from "./row-rejection";
import { writeSequence } from "./write-version";

export const MAX_PUSH_ROWS = 1000;
/** Event timestamps further ahead than this are refused: newest-wins would keep them forever. */
export const MAX_FUTURE_SKEW_MS = 24 * 3600 * 1000;

export interface PushRow {
  event_timestamp?: unknown;
  created_timestamp?: unknown;
  features?: unknown;
  [joinKey: string]: unknown;
}

export interface AcceptedRow {
  index: number;
  eventTs: number;
  createdTs: number | null;
  /** The row's write sequence and write id (see `write-version.ts`), the same online and offline. */
  seq: string;
  wid: number;
  joinValues: Record<string, unknown>;
  features: Record<string, unknown>;
  /** One online write per view that receives some of the row's features. */
  writes: OnlineWrite[];
}

export interface PushTarget {
  source: PushSourceDef;
  views: CompiledView[];
  /** Join keys of all fed views. */
  joinKeys: string[];
  /** The online record the rows go to: the push source's own (`pushWriterTag`), or materialization's. */
  writerTag: string;
}

/** When and as which write the rows were accepted: fixes each row's version. */
export interface WriteStamp {
  /** Epoch ms: the write's time, and what "the future" is judged from. */
  now: number;
  writeId: number;
}

export function pushTarget(registry: CompiledRegistry, name: string): PushTarget {
  const source = registry.sources.get(name);
  if (source?.type !== "push") {
    const available = registry.contents.data_sources.filter((s) => s.type === "push").map((s) => s.name);
    throw new LarderError("PUSH_SOURCE_NOT_FOUND", `Push source '${name}' not found in registry`, {
      push_source: name,
      available_push_sources: available,
    });
  }
  const views = viewsFedBy(registry.contents, source).map((v) => registry.view(v.name));
  return {
    source,
    views,
    joinKeys: [...new Set(views.flatMap((v) => v.joinKeys))],
    writerTag: pushWriterTag(source.name),
  };
}

function validateRow(
  registry: CompiledRegistry,
  target: PushTarget,
  row: unknown,
  stamp: WriteStamp & { seq: string },
): Omit<AcceptedRow, "index"> {
  const now = stamp.now;
  if (!row || typeof row !== "object" || Array.isArray(row)) throw new RowRejected("row must be an object");
  const r = row as PushRow;
  for (const field of Object.keys(r)) {
    if (
      field !== "event_timestamp" &&
      field !== "created_timestamp" &&
      field !== "features" &&
      !target.joinKeys.includes(field)
    ) {
      throw new RowRejected(
        `unknown field '${field}': a row holds its join keys (${target.joinKeys.join(", ")}), event_timestamp, created_timestamp and features`,
        field,
      );
    }
  }
  const eventTs = parseTimestamp(r.event_timestamp);
  if (eventTs === undefined)
    throw new RowRejected(
      "event_timestamp is missing or not a timestamp (RFC 3339 or epoch seconds)",
      "event_timestamp",
    );
  if (eventTs > now + MAX_FUTURE_SKEW_MS)
    throw new RowRejected("event_timestamp is more than a day in the future", "event_timestamp");
  let createdTs: number | null = null;
  if (r.created_timestamp !== undefined && r.created_timestamp !== null) {
    const parsed = parseTimestamp(r.created_timestamp);
    if (parsed === undefined) throw new RowRejected("created_timestamp is not a timestamp", "created_timestamp");
    createdTs = parsed;
  }
  if (!r.features || typeof r.features !== "object" || Array.isArray(r.features))
    throw new RowRejected("features must be an object of feature values", "features");
  const features = r.features as Record<string, unknown>;
  if (Object.keys(features).length === 0) throw new RowRejected("features is empty", "features");
  const claimed = new Set<string>();
  const writes: OnlineWrite[] = [];
  for (const view of target.views) {
    const values: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(features)) {
      const index = view.featureIndex.get(name);
      if (index === undefined) continue;
      const problem = valueProblem(view.def.features[index].dtype, value);
      if (problem)
        throw new RowRejected(`feature '${name}' (${view.def.features[index].dtype}): ${problem}`, `features.${name}`);
      values[name] = value;
      claimed.add(name);
    }
    if (Object.keys(values).length === 0) continue;
    let key: string;
    try {
      key = onlineKey(
        registry.project,
        view.def.name,
        entityKey(view.joinKeys, view.keyTypes, (k) => r[k]),
        target.writerTag,
      );
    } catch (err) {
      throw new RowRejected(
        err instanceof LarderError ? err.message : String(err),
        String((err as LarderError).details?.join_key ?? ""),
      );
    }
    writes.push({ key, record: { e: eventTs, c: createdTs, s: stamp.seq, w: stamp.writeId, v: values } });
  }
  const unknown = Object.keys(features).filter((f) => !claimed.has(f));
  if (unknown.length > 0)
    throw new RowRejected(
      `unknown feature(s) ${unknown.join(", ")} for push source '${target.source.name}'`,
      `features.${unknown[0]}`,
    );
  const joinValues: Record<string, unknown> = {};
  for (const k of target.joinKeys) if (r[k] !== undefined) joinValues[k] = r[k];
  return { eventTs, createdTs, seq: stamp.seq, wid: stamp.writeId, joinValues, features, writes };
}

/**
 * Splits rows into accepted (ready to write) and rejected (index and reason).
 * Row i of the request gets the write sequence `writeSequence(now, i)`.
 */
export function validatePushRows(
  registry: CompiledRegistry,
  target: PushTarget,
  rows: readonly unknown[],
  stamp: WriteStamp,
): { accepted: AcceptedRow[]; errors: RowRejection[] } {
  const accepted: AcceptedRow[] = [];
  const errors: RowRejection[] = [];
  rows.forEach((row, index) => {
    try {
      accepted.push({
        index,
        ...validateRow(registry, target, row, { ...stamp, seq: writeSequence(stamp.now, index) }),
      });
    } catch (err) {
      if (!(err instanceof RowRejected)) throw err;
      errors.push(err.rejection(index));
    }
  });
  return { accepted, errors };
}

export type PushDestination = "online" | "offline" | "online_and_offline";
