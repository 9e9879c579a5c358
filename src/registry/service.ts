/**
 * The registry service: the compiled snapshot every request reads (isolate
 * memory ← KV, never D1), and the only writer of the registry: plan, check,
 * write to D1 in one guarded batch, then publish the new snapshot to KV.
 */
import { type ApplyPlan, planApply, planDelete } from "../domain/apply-plan";
import type { CompiledRegistry } from "../domain/compiled-registry";
import { LarderError } from "../domain/errors";
import type { ObjectKind, RegistryContents } from "../domain/registry-model";
import { assertRegistryConsistent } from "../domain/registry-rules";
import type { Database } from "../db/database";
import { loadRegistry, materializedEnds, saveRegistry } from "../db/registry-store";
import { currentRegistry, publishSnapshot } from "./snapshot";

export interface ApplyOutcome {
  plan: ApplyPlan;
  registry: CompiledRegistry | null;
  version: number;
  at: string;
}

export class RegistryService {
  constructor(
    private readonly db: Database,
    private readonly cache: KVNamespace,
    /** How long an isolate trusts its snapshot before a version check. */
    private readonly ttlMs: number,
  ) {}

  /** The project's registry as of at most the cache ttl ago (the hot path's read). */
  current(project: string): Promise<CompiledRegistry> {
    return currentRegistry(this.cache, project, this.ttlMs);
  }

  /** The project's registry as published now (consumers and cron, which run rarely and need the latest schema). */
  fresh(project: string): Promise<CompiledRegistry> {
    return currentRegistry(this.cache, project, 0);
  }

  /** When each view was last materialized up to (null: never). Reads D1. */
  materializedEnds(project: string): Promise<Map<string, string | null>> {
    return materializedEnds(this.db, project);
  }

  /** Applies `incoming` (see `planApply`); with `dryRun`, only plans and checks. */
  async apply(
    project: string,
    incoming: RegistryContents,
    options: { replace: boolean; dryRun: boolean },
  ): Promise<ApplyOutcome> {
    const at = new Date().toISOString();
    const stored = await loadRegistry(this.db, project);
    const { plan, next } = planApply(stored.contents, incoming, options.replace);
    assertRegistryConsistent(next);
    if (options.dryRun) return { plan, registry: null, version: stored.version, at };
    const registry = await this.commit(project, stored.version, stored.contents, next, at);
    return { plan, registry, version: registry.version, at };
  }

  /** Deletes one object; `notFound` when absent (or not `matches`), 409 while referenced. Returns the new version. */
  async remove(
    project: string,
    kind: ObjectKind,
    name: string,
    notFound: LarderError,
    matches: (obj: RegistryContents[ObjectKind][number]) => boolean = () => true,
  ): Promise<number> {
    const at = new Date().toISOString();
    const stored = await loadRegistry(this.db, project);
    const obj = stored.contents[kind].find((o) => o.name === name);
    if (!obj || !matches(obj)) throw notFound;
    const next = planDelete(stored.contents, kind, name);
    return (await this.commit(project, stored.version, stored.contents, next, at)).version;
  }

  /** Rebuilds the snapshot from D1 under a new version (recovers a lost or stale snapshot). */
  async refresh(project: string): Promise<CompiledRegistry> {
    const at = new Date().toISOString();
    const stored = await loadRegistry(this.db, project);
    // Refreshing a project that was never applied would create it (a typo would stick).
    if (stored.version === 0) {
      throw new LarderError("PROJECT_NOT_FOUND", `Project '${project}' has no registry: apply definitions first`, {
        project,
      });
    }
    return this.commit(project, stored.version, stored.contents, stored.contents, at);
  }

  private async commit(
    project: string,
    version: number,
    current: RegistryContents,
    next: RegistryContents,
    at: string,
  ): Promise<CompiledRegistry> {
    const newVersion = await saveRegistry(this.db, project, version, current, next, at);
    return publishSnapshot(this.cache, { project, version: newVersion, built_at: at, contents: next });
  }
}
