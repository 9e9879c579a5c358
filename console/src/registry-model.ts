/**
 * The registry as the console shows it: every object of the five list
 * routes, the links between them (data source → push sources and views →
 * feature services; entities → views), and search over all of it. Pure
 * apart from `loadRegistry`, which calls the list routes.
 */
import type { DataSource, Entity, FeatureService, FeatureView, LarderClient, PushSource } from "../../src/client";

export interface Registry {
  views: FeatureView[];
  entities: Entity[];
  services: FeatureService[];
  /** Batch sources (push sources are in `pushSources`). */
  sources: DataSource[];
  pushSources: PushSource[];
}

/** The five lists, in parallel. */
export async function loadRegistry(client: LarderClient, signal: AbortSignal): Promise<Registry> {
  const opts = { signal };
  const [views, entities, services, sources, pushSources] = await Promise.all([
    client.listFeatureViews(opts),
    client.listEntities(opts),
    client.listFeatureServices(opts),
    client.listDataSources(opts),
    client.listPushSources(opts),
  ]);
  const pushNames = new Set(pushSources.push_sources.map((p) => p.name));
  return {
    views: views.feature_views,
    entities: entities.entities,
    services: services.feature_services,
    sources: sources.data_sources.filter((s) => !pushNames.has(s.name)),
    pushSources: pushSources.push_sources,
  };
}

export const servicesOfView = (r: Registry, view: string) =>
  r.services.filter((s) => s.feature_views.includes(view)).map((s) => s.name);

export const viewsOfEntity = (r: Registry, entity: string) =>
  r.views.filter((v) => v.entities.includes(entity)).map((v) => v.name);

/** Views reading a batch source directly, and through its push sources. */
export function viewsOfSource(r: Registry, source: string): string[] {
  const direct = r.views.filter((v) => v.source === source).map((v) => v.name);
  const pushed = r.pushSources.filter((p) => p.batch_source === source).flatMap((p) => p.feature_views);
  return [...new Set([...direct, ...pushed])];
}

export const pushSourcesOf = (r: Registry, source: string) =>
  r.pushSources.filter((p) => p.batch_source === source).map((p) => p.name);

/** What kind of object a name of a view's `source` is (a view may read a batch or a push source). */
export function sourceKind(r: Registry, name: string): "source" | "push" | null {
  if (r.sources.some((s) => s.name === name)) return "source";
  if (r.pushSources.some((p) => p.name === name)) return "push";
  return null;
}

/** The text an object is found by: its name, description, tags, and its features or keys. */
function haystack(parts: (string | null | undefined | string[] | Record<string, string>)[]): string {
  return parts
    .flatMap((p) => {
      if (!p) return [];
      if (typeof p === "string") return [p];
      if (Array.isArray(p)) return p;
      return Object.entries(p).map(([k, v]) => `${k}=${v}`);
    })
    .join("\n")
    .toLowerCase();
}

/** Every word of `query` (case-insensitive) must occur; an empty query matches all. */
function matches(text: string, query: string): boolean {
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => text.includes(word));
}

/** The registry narrowed to the objects `query` matches (by name, description, tags, features, keys, path). */
export function searchRegistry(r: Registry, query: string): Registry {
  if (!query.trim()) return r;
  return {
    views: r.views.filter((v) =>
      matches(
        haystack([v.name, v.description, v.tags, v.source, v.entities, v.features.flatMap((f) => [f.name, f.dtype])]),
        query,
      ),
    ),
    entities: r.entities.filter((e) => matches(haystack([e.name, e.description, e.tags, e.join_keys]), query)),
    services: r.services.filter((s) => matches(haystack([s.name, s.description, s.tags, s.features]), query)),
    sources: r.sources.filter((s) =>
      matches(haystack([s.name, s.description, s.tags, s.path, s.timestamp_field]), query),
    ),
    pushSources: r.pushSources.filter((p) => matches(haystack([p.name, p.description, p.tags, p.batch_source]), query)),
  };
}

/** The anchor id of an object on the registry page. */
export const anchor = (kind: "view" | "entity" | "service" | "source" | "push", name: string) => `${kind}-${name}`;
