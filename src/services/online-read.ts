/**
 * Online feature retrieval: entity rows × selected features, read from the
 * online store in one round trip (every view's writer records of every
 * entity in one parallel bulk read), merged per feature by the ordering rule
 * (`newestCell`: each feature from the writer record whose version of it is
 * newest), with the view's ttl applied on read to the row each feature's
 * value came from. Returns a columnar result that both the Larder and the
 * Feast response formats are built from. Knows no HTTP.
 */
import { invalid } from "../domain/errors";
import { entityKey, onlineKey } from "../domain/entity-key";
import type { CompiledRegistry } from "../domain/compiled-registry";
import type { FeatureSelection } from "../domain/feature-refs";
import { featureVersion, newestCell, type OnlineRecord } from "../domain/online-record";
import type { OnlineStore } from "../online/store";

export const MAX_ENTITIES_PER_REQUEST = 1000;

export type FeatureStatus = "PRESENT" | "NOT_FOUND" | "NULL_VALUE" | "OUTSIDE_MAX_AGE";

export interface FeatureColumn {
  outputName: string;
  values: unknown[];
  statuses: FeatureStatus[];
  /** Event timestamps (epoch ms) of the values; null where not found. */
  eventTimestamps: (number | null)[];
}

export interface OnlineReadResult {
  rowCount: number;
  /** The request's join keys in their entities' join-key order. */
  joinKeys: string[];
  entities: Record<string, readonly unknown[]>;
  columns: FeatureColumn[];
  /** Distinct store keys read. */
  keysRead: number;
}

/** Checks the entity columns against what the selected views need; returns the row count. */
export function checkEntityColumns(
  registry: CompiledRegistry,
  selection: FeatureSelection,
  entities: Record<string, readonly unknown[]>,
): { rowCount: number; joinKeys: string[] } {
  const joinKeys: string[] = [];
  for (const { view } of selection.views) {
    for (const entityName of view.def.entities)
      for (const key of registry.entities.get(entityName)?.join_keys ?? [])
        if (!joinKeys.includes(key)) joinKeys.push(key);
  }
  const given = Object.keys(entities);
  if (given.length === 0)
    throw invalid("entities is empty: give each join key with a list of values", { join_keys: joinKeys });
  const missing = joinKeys.filter((k) => !Object.hasOwn(entities, k));
  if (missing.length > 0)
    throw invalid(`Missing join key(s) ${missing.join(", ")} in entities`, { missing, join_keys: joinKeys });
  const extra = given.filter((k) => !joinKeys.includes(k));
  if (extra.length > 0)
    throw invalid(`entities has column(s) ${extra.join(", ")} that no requested feature view joins on`, {
      extra,
      join_keys: joinKeys,
    });
  const rowCount = entities[given[0]].length;
  for (const key of given) {
    if (!Array.isArray(entities[key])) throw invalid(`entities.${key} must be a list of values`, { join_key: key });
    if (entities[key].length !== rowCount)
      throw invalid(`entities columns differ in length (${given[0]}: ${rowCount}, ${key}: ${entities[key].length})`, {
        join_key: key,
      });
  }
  if (rowCount === 0) throw invalid("entities has no rows", {});
  if (rowCount > MAX_ENTITIES_PER_REQUEST)
    throw invalid(`At most ${MAX_ENTITIES_PER_REQUEST} entities per request; got ${rowCount}`, {
      max: MAX_ENTITIES_PER_REQUEST,
    });
  return { rowCount, joinKeys };
}

/** Reads the selected features for every entity row. `now` (epoch ms) is when ttl is judged. */
export async function readOnlineFeatures(
  registry: CompiledRegistry,
  store: OnlineStore,
  selection: FeatureSelection,
  entities: Record<string, readonly unknown[]>,
  now: number,
): Promise<OnlineReadResult> {
  const { rowCount, joinKeys } = checkEntityColumns(registry, selection, entities);
  // Store keys per view, row and writer, deduplicated across the whole request.
  const keyIndex = new Map<string, number>();
  const keys: string[] = [];
  const slots = selection.views.map(({ view }) => {
    const writers = view.writerTags;
    const rowSlots = new Int32Array(rowCount * writers.length);
    for (let row = 0; row < rowCount; row++) {
      const entity = entityKey(view.joinKeys, view.keyTypes, (k) => entities[k][row]);
      for (let w = 0; w < writers.length; w++) {
        const key = onlineKey(registry.project, view.def.name, entity, writers[w]);
        let slot = keyIndex.get(key);
        if (slot === undefined) {
          slot = keys.length;
          keyIndex.set(key, slot);
          keys.push(key);
        }
        rowSlots[row * writers.length + w] = slot;
      }
    }
    return rowSlots;
  });

  const records = await store.read(keys);

  const columns: FeatureColumn[] = [];
  selection.views.forEach(({ view, features }, v) => {
    const ttlMs = view.def.ttl_seconds * 1000;
    const writers = view.writerTags.length;
    const perFeature = features.map((f) => ({
      outputName: f.outputName,
      name: f.name,
      values: new Array<unknown>(rowCount),
      statuses: new Array<FeatureStatus>(rowCount),
      eventTimestamps: new Array<number | null>(rowCount),
    }));
    const rowRecords = new Array<OnlineRecord | null>(writers);
    for (let row = 0; row < rowCount; row++) {
      let found = 0;
      let only: OnlineRecord | null = null;
      for (let w = 0; w < writers; w++) {
        const record = records[slots[v][row * writers + w]];
        rowRecords[w] = record;
        if (record) {
          found++;
          only = record;
        }
      }
      for (const col of perFeature) {
        // One record (the common case) needs no merge: read it directly.
        let cell: { value: unknown; e: number } | undefined;
        if (found === 1) {
          if (Object.hasOwn(only!.v, col.name))
            cell = { value: only!.v[col.name], e: featureVersion(only!, col.name).e };
        } else if (found > 1) {
          const newest = newestCell(rowRecords, col.name);
          if (newest) cell = { value: newest.value, e: newest.version.e };
        }
        let value: unknown = null;
        let status: FeatureStatus;
        if (found === 0) status = "NOT_FOUND";
        // The entity is online but no row carried this feature (e.g. added to the view later): null.
        else if (!cell) status = "NULL_VALUE";
        else if (ttlMs > 0 && now - cell.e > ttlMs) status = "OUTSIDE_MAX_AGE";
        else {
          value = cell.value ?? null;
          status = value === null ? "NULL_VALUE" : "PRESENT";
        }
        col.eventTimestamps[row] = cell ? cell.e : found > 0 ? newestEvent(rowRecords) : null;
        col.values[row] = value;
        col.statuses[row] = status;
      }
    }
    for (const col of perFeature)
      columns.push({
        outputName: col.outputName,
        values: col.values,
        statuses: col.statuses,
        eventTimestamps: col.eventTimestamps,
      });
  });
  // Columns in the order the request named them.
  const order = new Map(selection.columns.map((c, i) => [c, i]));
  columns.sort((a, b) => order.get(a.outputName)! - order.get(b.outputName)!);
  return { rowCount, joinKeys, entities, columns, keysRead: keys.length };
}

/** The latest event time among an entity's writer records. */
function newestEvent(records: readonly (OnlineRecord | null)[]): number {
  let e = -Infinity;
  for (const r of records) if (r && r.e > e) e = r.e;
  return e;
}

/** The response key of a row: its join-key values (as strings) joined by `|`. */
export function rowKey(result: Pick<OnlineReadResult, "joinKeys" | "entities">, row: number): string {
  return result.joinKeys.map((k) => String(result.entities[k][row])).join("|");
}
