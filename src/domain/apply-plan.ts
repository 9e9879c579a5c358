/**
 * Planning an apply (like `feast plan`): which objects would be created,
 * updated, deleted or left unchanged, and the registry that would result.
 * Pure; the caller checks the result with `assertRegistryConsistent` and
 * writes it, or returns the plan alone on a dry run.
 */
import { invalid } from "./errors";
import { assertDeletable } from "./registry-rules";
import { OBJECT_KINDS, type ObjectKind, type RegistryContents } from "./registry-model";

export interface PlanEntry {
  kind: ObjectKind;
  name: string;
}

export interface ApplyPlan {
  create: PlanEntry[];
  update: PlanEntry[];
  delete: PlanEntry[];
  unchanged: PlanEntry[];
}

export interface PlannedApply {
  plan: ApplyPlan;
  next: RegistryContents;
}

/** JSON with object keys sorted, so that key order never counts as a change. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : v,
  );
}

/**
 * Merges `incoming` into `current`. With `replace`, `incoming` is the whole
 * desired registry: objects absent from it are deleted (refused while still
 * referenced by what remains).
 */
export function planApply(current: RegistryContents, incoming: RegistryContents, replace: boolean): PlannedApply {
  const plan: ApplyPlan = { create: [], update: [], delete: [], unchanged: [] };
  const next = { ...current } as RegistryContents;
  for (const kind of OBJECT_KINDS) {
    const existing = new Map<string, unknown>(current[kind].map((o) => [o.name, o]));
    const merged = new Map<string, unknown>(replace ? [] : existing);
    const given = new Set<string>();
    for (const obj of incoming[kind]) {
      if (given.has(obj.name))
        throw invalid(`${kind} '${obj.name}' is given twice in one apply`, { kind, name: obj.name });
      given.add(obj.name);
      const before = existing.get(obj.name);
      if (!before) plan.create.push({ kind, name: obj.name });
      else if (canonicalJson(before) !== canonicalJson(obj)) plan.update.push({ kind, name: obj.name });
      else plan.unchanged.push({ kind, name: obj.name });
      merged.set(obj.name, obj);
    }
    if (replace) for (const name of existing.keys()) if (!merged.has(name)) plan.delete.push({ kind, name });
    (next as Record<ObjectKind, unknown[]>)[kind] = [...merged.values()];
  }
  for (const entry of plan.delete) assertDeletable(next, entry.kind, entry.name);
  return { plan, next };
}

/** The registry without one object; refused (409) while something still references it. */
export function planDelete(current: RegistryContents, kind: ObjectKind, name: string): RegistryContents {
  assertDeletable(current, kind, name);
  return { ...current, [kind]: current[kind].filter((o) => o.name !== name) };
}
