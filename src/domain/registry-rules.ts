/**
 * Whole-registry rules: every reference resolves, names are valid and unique,
 * dtypes are known. Checked on the state an apply or delete would produce,
 * before anything is written.
 */
import { invalid, LarderError } from "./errors";
import { isValidName, NAME_PATTERN, RESERVED_COLUMNS, RESERVED_NAMES } from "./names";

const RESERVED_WHY = "__proto__, constructor and prototype have a special meaning in JavaScript objects";

function nameProblem(name: string): string {
  if (RESERVED_NAMES.includes(name)) return `name '${name}' is reserved: ${RESERVED_WHY}`;
  return `name must match ${NAME_PATTERN.source} (at most 128 characters)`;
}
import { scheduleSeconds, viewJoinKeys, type ObjectKind, type RegistryContents } from "./registry-model";

export interface RuleProblem {
  kind: ObjectKind;
  name: string;
  problem: string;
}

function checkNames(contents: RegistryContents, problems: RuleProblem[]): void {
  for (const kind of ["entities", "data_sources", "feature_views", "feature_services"] as const) {
    const seen = new Set<string>();
    for (const obj of contents[kind]) {
      if (!isValidName(obj.name)) problems.push({ kind, name: obj.name, problem: nameProblem(obj.name) });
      if (seen.has(obj.name)) problems.push({ kind, name: obj.name, problem: "name is given twice" });
      seen.add(obj.name);
    }
  }
}

function checkEntities(contents: RegistryContents, problems: RuleProblem[]): void {
  for (const entity of contents.entities) {
    if (entity.join_keys.length === 0)
      problems.push({ kind: "entities", name: entity.name, problem: "needs at least one join key" });
    if (new Set(entity.join_keys).size !== entity.join_keys.length)
      problems.push({ kind: "entities", name: entity.name, problem: "join keys repeat" });
    for (const key of entity.join_keys) {
      if (RESERVED_NAMES.includes(key)) {
        problems.push({
          kind: "entities",
          name: entity.name,
          problem: `join key '${key}' is reserved: ${RESERVED_WHY}`,
        });
      } else if (!isValidName(key)) {
        problems.push({ kind: "entities", name: entity.name, problem: `join key '${key}' is not a valid column name` });
      } else if ((RESERVED_COLUMNS as readonly string[]).includes(key)) {
        problems.push({
          kind: "entities",
          name: entity.name,
          problem: `join key '${key}' is reserved: offline files use it for ${RESERVED_COLUMNS.join(", ")}`,
        });
      }
      if (!entity.value_types[key])
        problems.push({ kind: "entities", name: entity.name, problem: `join key '${key}' has no value type` });
    }
  }
}

function checkSources(contents: RegistryContents, problems: RuleProblem[]): void {
  const byName = new Map(contents.data_sources.map((s) => [s.name, s]));
  for (const source of contents.data_sources) {
    if (source.type !== "push") continue;
    const batch = byName.get(source.batch_source);
    if (!batch)
      problems.push({
        kind: "data_sources",
        name: source.name,
        problem: `batch source '${source.batch_source}' does not exist`,
      });
    else if (batch.type !== "batch")
      problems.push({
        kind: "data_sources",
        name: source.name,
        problem: `'${source.batch_source}' is not a batch source`,
      });
  }
}

function checkViews(contents: RegistryContents, problems: RuleProblem[]): void {
  const entities = new Map(contents.entities.map((e) => [e.name, e]));
  const sources = new Set(contents.data_sources.map((s) => s.name));
  for (const view of contents.feature_views) {
    const at = (problem: string) => problems.push({ kind: "feature_views", name: view.name, problem });
    if (view.entities.length === 0) at("needs at least one entity");
    for (const name of view.entities) if (!entities.has(name)) at(`entity '${name}' does not exist`);
    if (!sources.has(view.source)) at(`source '${view.source}' does not exist`);
    if (!Number.isInteger(view.ttl_seconds) || view.ttl_seconds < 0) at("ttl_seconds must be a whole number >= 0");
    if (view.schedule !== null && scheduleSeconds(view.schedule) === undefined)
      at(`schedule '${view.schedule}' is not understood: use e.g. 15m, 1h, 1d, @hourly, @daily (at least 1m)`);
    if (view.features.length === 0) at("needs at least one feature");
    const joinKeys = new Set(viewJoinKeys(entities, view));
    const seen = new Set<string>();
    for (const feature of view.features) {
      if (RESERVED_NAMES.includes(feature.name)) at(`feature name '${feature.name}' is reserved: ${RESERVED_WHY}`);
      else if (!isValidName(feature.name)) at(`feature name '${feature.name}' is not valid`);
      if (seen.has(feature.name)) at(`feature '${feature.name}' is given twice`);
      if (joinKeys.has(feature.name)) at(`feature '${feature.name}' has the name of a join key`);
      if ((RESERVED_COLUMNS as readonly string[]).includes(feature.name))
        at(`feature name '${feature.name}' is reserved`);
      seen.add(feature.name);
    }
  }
}

function checkServices(contents: RegistryContents, problems: RuleProblem[]): void {
  const views = new Map(contents.feature_views.map((v) => [v.name, v]));
  for (const service of contents.feature_services) {
    const at = (problem: string) => problems.push({ kind: "feature_services", name: service.name, problem });
    if (service.features.length === 0) at("needs at least one feature reference");
    for (const ref of service.features) {
      const [viewName, feature, extra] = ref.split(":");
      const view = views.get(viewName);
      if (extra !== undefined || !viewName) at(`'${ref}' is not a feature reference (view:feature or view)`);
      else if (!view) at(`feature view '${viewName}' does not exist`);
      else if (feature !== undefined && feature !== "*" && !view.features.some((f) => f.name === feature))
        at(`feature '${ref}' does not exist`);
    }
  }
}

/** Throws VALIDATION_ERROR listing every problem, or returns when the registry is consistent. */
export function assertRegistryConsistent(contents: RegistryContents): void {
  const problems: RuleProblem[] = [];
  checkNames(contents, problems);
  checkEntities(contents, problems);
  checkSources(contents, problems);
  checkViews(contents, problems);
  checkServices(contents, problems);
  if (problems.length > 0) {
    throw invalid(
      `The registry would be inconsistent: ${problems.map((p) => `${p.kind} '${p.name}': ${p.problem}`).join("; ")}`,
      { problems },
    );
  }
}

/** Who refers to an object: deleting it while this list is non-empty is refused. */
export function referencesTo(
  contents: RegistryContents,
  kind: ObjectKind,
  name: string,
): { kind: ObjectKind; name: string }[] {
  const refs: { kind: ObjectKind; name: string }[] = [];
  if (kind === "entities") {
    for (const v of contents.feature_views)
      if (v.entities.includes(name)) refs.push({ kind: "feature_views", name: v.name });
  } else if (kind === "data_sources") {
    for (const v of contents.feature_views) if (v.source === name) refs.push({ kind: "feature_views", name: v.name });
    for (const s of contents.data_sources)
      if (s.type === "push" && s.batch_source === name) refs.push({ kind: "data_sources", name: s.name });
  } else if (kind === "feature_views") {
    for (const s of contents.feature_services) {
      if (s.features.some((ref) => ref.split(":")[0] === name)) refs.push({ kind: "feature_services", name: s.name });
    }
  }
  return refs;
}

/** Refuses (409 CONFLICT) to remove an object that something else still references. */
export function assertDeletable(contents: RegistryContents, kind: ObjectKind, name: string): void {
  const refs = referencesTo(contents, kind, name);
  if (refs.length > 0) {
    throw new LarderError(
      "CONFLICT",
      `Cannot delete ${kind} '${name}': still referenced by ${refs.map((r) => `${r.kind} '${r.name}'`).join(", ")}`,
      {
        kind,
        name,
        referenced_by: refs,
      },
    );
  }
}
