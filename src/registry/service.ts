/**
 * Registry changes: plan, check, write to D1 in one guarded batch, then
 * publish the new snapshot to KV. The only writer of the registry.
 */
import { LarderError } from "../errors";
import { planApply, planDelete, type ApplyPlan } from "../domain/apply-plan";
import { assertRegistryConsistent } from "../domain/registry-rules";
import type { ObjectKind, RegistryContents } from "../domain/registry-model";
import type { CompiledRegistry } from "../domain/compiled-registry";
import { loadRegistry, registryDb, saveRegistry } from "./d1-registry";
import { publishSnapshot } from "./snapshot";

export interface RegistryBindings {
  DB: D1Database;
  REGISTRY_CACHE: KVNamespace;
}

export interface ApplyOutcome {
  plan: ApplyPlan;
  registry: CompiledRegistry | null;
  version: number;
  at: string;
}

async function commit(
  env: RegistryBindings,
  project: string,
  version: number,
  current: RegistryContents,
  next: RegistryContents,
  at: string,
) {
  const db = registryDb(env.DB);
  const newVersion = await saveRegistry(db, project, version, current, next, at);
  return publishSnapshot(env.REGISTRY_CACHE, { project, version: newVersion, built_at: at, contents: next });
}

/** Applies `incoming` (see `planApply`); with `dryRun`, only plans and checks. */
export async function applyRegistry(
  env: RegistryBindings,
  project: string,
  incoming: RegistryContents,
  options: { replace: boolean; dryRun: boolean },
): Promise<ApplyOutcome> {
  const at = new Date().toISOString();
  const stored = await loadRegistry(registryDb(env.DB), project);
  const { plan, next } = planApply(stored.contents, incoming, options.replace);
  assertRegistryConsistent(next);
  if (options.dryRun) return { plan, registry: null, version: stored.version, at };
  const registry = await commit(env, project, stored.version, stored.contents, next, at);
  return { plan, registry, version: registry.version, at };
}

/** Deletes one object; 404 when absent, 409 while referenced. */
export async function deleteFromRegistry(
  env: RegistryBindings,
  project: string,
  kind: ObjectKind,
  name: string,
  notFound: LarderError,
  matches: (obj: RegistryContents[ObjectKind][number]) => boolean = () => true,
): Promise<number> {
  const at = new Date().toISOString();
  const stored = await loadRegistry(registryDb(env.DB), project);
  const obj = stored.contents[kind].find((o) => o.name === name);
  if (!obj || !matches(obj)) throw notFound;
  const next = planDelete(stored.contents, kind, name);
  return (await commit(env, project, stored.version, stored.contents, next, at)).version;
}

/** Rebuilds the snapshot from D1 under a new version (recovers a lost or stale snapshot). */
export async function refreshRegistry(env: RegistryBindings, project: string): Promise<CompiledRegistry> {
  const at = new Date().toISOString();
  const stored = await loadRegistry(registryDb(env.DB), project);
  // Refreshing a project that was never applied would create it (a typo would stick).
  if (stored.version === 0)
    throw new LarderError("PROJECT_NOT_FOUND", `Project '${project}' has no registry: apply definitions first`, {
      project,
    });
  return commit(env, project, stored.version, stored.contents, stored.contents, at);
}
