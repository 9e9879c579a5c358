/**
 * The registry service: the compiled snapshot every request reads (isolate
 * memory ← KV, never D1), and the only writer of the registry: plan, check,
 * write to D1 in one guarded batch, then publish the new snapshot to KV.
 */
import { type ApplyPlan, planApply, planDelete } from "../domain/apply-plan";
import type { CompiledRegistry } from "../domain/compiled-registry";
import { invalid, LarderError } from "../domain/errors";
import type { ObjectKind, RegistryContents } from "../domain/registry-model";
import { assertRegistryConsistent } from "../domain/registry-rules";
import { type PathProblem, sourcePathProblems } from "../domain/source-path";
import type { Database } from "../db/database";
import { loadRegistry, materializedEnds, saveRegistry } from "../db/registry-store";
import { currentRegistry, publishSnapshot } from "./snapshot";

export interface ApplyOutcome {
  plan: ApplyPlan;
  registry: CompiledRegistry | null;
  version: number;
  at: string;
  /** Stored batch sources whose paths break the rule or changed meaning (they are not refused, only reported). */
  warnings: PathProblem[];
}

export class RegistryService {
  constructor(
    private readonly db: Database,
    private readonly cache: KVNamespace,
    /** How long an isolate trusts its snapshot before a version check. */
    private readonly ttlMs: number,
    /** Per project, the prefixes `external://` paths may name (the operator's EXTERNAL_PREFIXES). */
    private readonly externalPrefixes: Readonly<Record<string, readonly string[]>> = {},
  ) {}

  /**
   * Path problems of a registry: errors of the sources this apply sends are
   * refused (VALIDATION_ERROR naming each); everything else is reported.
   */
  private checkPaths(project: string, incoming: RegistryContents, next: RegistryContents): PathProblem[] {
    const external = Object.hasOwn(this.externalPrefixes, project) ? this.externalPrefixes[project] : [];
    const sent = sourcePathProblems(incoming.data_sources, project, external);
    if (sent.errors.length > 0) {
      const list = sent.errors.map((p) => `data source '${p.data_source}' (${p.path}): ${p.problem}`).join("; ");
      throw invalid(`Batch source path refused: ${list}`, { problems: sent.errors });
    }
    const all = sourcePathProblems(next.data_sources, project, external);
    return [...all.errors, ...all.warnings];
  }

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
    const warnings = this.checkPaths(project, incoming, next);
    if (options.dryRun) return { plan, registry: null, version: stored.version, at, warnings };
    const registry = await this.commit(project, stored.version, stored.contents, next, at);
    return { plan, registry, version: registry.version, at, warnings };
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

  /** Rebuilds the snapshot from D1 under a new version (recovers a lost or stale snapshot); reports path problems. */
  async refresh(project: string): Promise<{ registry: CompiledRegistry; warnings: PathProblem[] }> {
    const at = new Date().toISOString();
    const stored = await loadRegistry(this.db, project);
    // Refreshing a project that was never applied would create it (a typo would stick).
    if (stored.version === 0) {
      throw new LarderError("PROJECT_NOT_FOUND", `Project '${project}' has no registry: apply definitions first`, {
        project,
      });
    }
    const registry = await this.commit(project, stored.version, stored.contents, stored.contents, at);
    return { registry, warnings: this.checkPaths(project, { ...stored.contents, data_sources: [] }, stored.contents) };
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
