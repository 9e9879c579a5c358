/**
 * The compiled registry snapshot: the only way request handlers see the
 * registry. Every apply, delete and refresh publishes `{version, contents}`
 * to KV; each isolate keeps the compiled form in memory and, once its copy is
 * older than `ttlMs`, reads the small version key and reloads the snapshot
 * only when the version moved. Never reads D1.
 */
import { CompiledRegistry } from "../domain/compiled-registry";
import { emptyContents, type RegistryContents } from "../domain/registry-model";

export interface SnapshotDocument {
  project: string;
  version: number;
  built_at: string;
  contents: RegistryContents;
}

const snapshotKey = (project: string) => `snapshot:${project}`;
const versionKey = (project: string) => `version:${project}`;

interface CacheEntry {
  registry: CompiledRegistry;
  checkedAt: number;
}

/** Isolate memory: shared by all requests this isolate serves. */
const isolateCache = new Map<string, CacheEntry>();

/** Test hook: forget everything this isolate cached. */
export function clearSnapshotCache(): void {
  isolateCache.clear();
}

export async function publishSnapshot(
  kv: KVNamespace,
  doc: SnapshotDocument,
  now = Date.now(),
): Promise<CompiledRegistry> {
  // The snapshot first, then the version that points readers at it.
  await kv.put(snapshotKey(doc.project), JSON.stringify(doc));
  await kv.put(versionKey(doc.project), String(doc.version));
  const registry = new CompiledRegistry(doc.project, doc.version, doc.contents, doc.built_at);
  isolateCache.set(doc.project, { registry, checkedAt: now });
  return registry;
}

/**
 * The project's registry as of at most `ttlMs` ago. A project that was never
 * applied (or whose snapshot is missing: see refresh-registry) is empty.
 */
export async function currentRegistry(
  kv: KVNamespace,
  project: string,
  ttlMs: number,
  now = Date.now(),
): Promise<CompiledRegistry> {
  const cached = isolateCache.get(project);
  if (cached && now - cached.checkedAt < ttlMs) return cached.registry;
  const version = Number((await kv.get(versionKey(project))) ?? 0);
  if (cached && cached.registry.version === version) {
    cached.checkedAt = now;
    return cached.registry;
  }
  const doc = await kv.get<SnapshotDocument>(snapshotKey(project), "json");
  const registry = doc
    ? new CompiledRegistry(project, doc.version, doc.contents, doc.built_at)
    : new CompiledRegistry(project, 0, emptyContents(), new Date(now).toISOString());
  isolateCache.set(project, { registry, checkedAt: now });
  return registry;
}
