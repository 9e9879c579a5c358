/**
 * The `entities` of a Feast get-online-features request, read as Feast reads
 * them (sdk/python/feast/utils.py, `_prepare_entities_to_read_from_online_store`):
 * a column named like a join key of a requested view is that join key; a
 * column named like one of their entities (Feast's deprecated form) is that
 * entity's join key, when the entity has exactly one; any other column is
 * ignored (Feast skips it: it may be request data of another client's
 * on-demand view) and does not appear in the response. Every column, ignored
 * or not, must have the same length (Feast: "All entity rows must have the
 * same columns"). Pure.
 */
import type { CompiledRegistry } from "./compiled-registry";
import { invalid } from "./errors";
import type { FeatureSelection } from "./feature-refs";

export interface FeastEntityColumns {
  /** The join-key columns, in request order, under their join-key names. */
  entities: Record<string, readonly unknown[]>;
  /** Columns that are not join keys of the requested views, in request order. */
  ignored: string[];
}

export function feastEntityColumns(
  registry: CompiledRegistry,
  selection: FeatureSelection,
  given: Record<string, readonly unknown[]>,
): FeastEntityColumns {
  const joinKeys = new Set<string>();
  const byEntityName = new Map<string, string>();
  for (const { view } of selection.views) {
    for (const name of view.def.entities) {
      const keys = registry.entities.get(name)?.join_keys ?? [];
      for (const key of keys) joinKeys.add(key);
      if (keys.length === 1) byEntityName.set(name, keys[0]);
    }
  }
  const columns = Object.keys(given);
  const lengths = new Set(columns.map((c) => given[c].length));
  if (lengths.size > 1) {
    throw invalid(`entities columns differ in length (${columns.map((c) => `${c}: ${given[c].length}`).join(", ")})`, {
      lengths: Object.fromEntries(columns.map((c) => [c, given[c].length])),
    });
  }
  const entities: Record<string, readonly unknown[]> = {};
  const ignored: string[] = [];
  for (const column of columns) {
    if (joinKeys.has(column)) entities[column] = given[column];
    else {
      const key = byEntityName.get(column);
      if (key !== undefined && !Object.hasOwn(given, key)) entities[key] = given[column];
      else ignored.push(column);
    }
  }
  const missing = [...joinKeys].filter((k) => !Object.hasOwn(entities, k));
  if (missing.length > 0) {
    const note = ignored.length > 0 ? ` (ignored, not join keys of the requested views: ${ignored.join(", ")})` : "";
    throw invalid(`Missing join key(s) ${missing.join(", ")} in entities${note}`, {
      missing,
      join_keys: [...joinKeys],
      ignored,
    });
  }
  return { entities, ignored };
}
