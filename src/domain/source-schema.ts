/**
 * The columns of a batch source's files: the join keys and features of every
 * view that reads it (directly, or through a push source that appends to
 * it). Pure.
 */
import type { Dtype, ValueType } from "./dtypes";
import type { CompiledRegistry } from "./compiled-registry";
import type { BatchSourceDef } from "./registry-model";
import { LarderError } from "./errors";
import { sharedKeys } from "./bucketing";

/** An offline row: join keys and features by name, epoch-ms `event_timestamp`, optional `created_timestamp`. */
export type OfflineRow = Record<string, unknown>;

export interface SourceSchema {
  source: BatchSourceDef;
  joinKeys: { name: string; type: ValueType }[];
  features: { name: string; dtype: Dtype }[];
  /** Views reading this source. */
  views: string[];
  /** The online views reading it, with their join keys (sorted): each row must fit their online keys. */
  onlineViews: { name: string; joinKeys: string[] }[];
  /** The join keys every reading view shares (sorted): what a new source's rows are bucketed by. */
  bucketKeys: string[];
}

export function batchSource(registry: CompiledRegistry, name: string): BatchSourceDef {
  const source = registry.sources.get(name);
  if (source?.type !== "batch") {
    throw new LarderError("DATA_SOURCE_NOT_FOUND", `Batch source '${name}' not found in registry`, {
      data_source: name,
      available_batch_sources: registry.contents.data_sources.filter((s) => s.type === "batch").map((s) => s.name),
    });
  }
  return source;
}

export function sourceSchema(registry: CompiledRegistry, sourceName: string): SourceSchema {
  const source = batchSource(registry, sourceName);
  const readers = new Set([sourceName]);
  for (const s of registry.contents.data_sources)
    if (s.type === "push" && s.batch_source === sourceName) readers.add(s.name);
  const joinKeys = new Map<string, ValueType>();
  const features = new Map<string, Dtype>();
  const views: string[] = [];
  const onlineViews: SourceSchema["onlineViews"] = [];
  const viewKeys: string[][] = [];
  for (const view of registry.views.values()) {
    if (!readers.has(view.def.source)) continue;
    views.push(view.def.name);
    viewKeys.push(view.joinKeys);
    if (view.def.online) onlineViews.push({ name: view.def.name, joinKeys: view.joinKeys });
    for (const entityName of view.def.entities) {
      const entity = registry.entities.get(entityName);
      for (const key of entity?.join_keys ?? []) joinKeys.set(key, entity!.value_types[key]);
    }
    for (const f of view.def.features) if (!features.has(f.name)) features.set(f.name, f.dtype);
  }
  return {
    source,
    joinKeys: [...joinKeys].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, type]) => ({ name, type })),
    features: [...features].map(([name, dtype]) => ({ name, dtype })),
    views,
    onlineViews,
    bucketKeys: sharedKeys(viewKeys),
  };
}

/** The batch source a view reads offline (a push source's rows land in its batch source). */
export function offlineSourceOf(registry: CompiledRegistry, viewName: string): string {
  const view = registry.view(viewName);
  const source = registry.sources.get(view.def.source);
  return source?.type === "push" ? source.batch_source : view.def.source;
}
