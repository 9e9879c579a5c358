/**
 * Which features a request asks for (API.md item 3): a feature service, a
 * list of `view:feature` references, or both (then every listed feature must
 * be in the service). Pure; errors are the specification's codes.
 */
import { invalid, LarderError } from "./errors";
import type { CompiledRegistry, CompiledView } from "./compiled-registry";

export const MAX_FEATURES_PER_REQUEST = 100;

export interface RequestedFeature {
  name: string;
  /** `feature` or `view__feature` (full_feature_names). */
  outputName: string;
}

export interface RequestedView {
  view: CompiledView;
  features: RequestedFeature[];
}

export interface FeatureSelection {
  views: RequestedView[];
  /** Output names in request order. */
  columns: string[];
  /** `view:feature` references in request order. */
  refs: string[];
}

function parseRef(ref: string): [string, string | undefined] {
  const parts = ref.split(":");
  if (parts.length > 2 || !parts[0] || parts[1] === "")
    throw invalid(`'${ref}' is not a feature reference: use view:feature`, { feature: ref });
  return [parts[0], parts[1]];
}

/** Expands service entries (`view`, `view:*`, `view:feature`) to `view:feature` references. */
function expandRefs(registry: CompiledRegistry, refs: readonly string[], allowWholeView: boolean): string[] {
  const out: string[] = [];
  for (const ref of refs) {
    const [viewName, feature] = parseRef(ref);
    if (feature === undefined || feature === "*") {
      if (!allowWholeView)
        throw invalid(`'${ref}' names a whole view: list its features as ${viewName}:feature`, { feature: ref });
      out.push(...registry.view(viewName).def.features.map((f) => `${viewName}:${f.name}`));
    } else out.push(`${viewName}:${feature}`);
  }
  return [...new Set(out)];
}

export interface SelectionRequest {
  feature_service?: string;
  features?: readonly string[];
  full_feature_names?: boolean;
}

/**
 * Selections already resolved, per compiled registry (which never changes):
 * the hot path then skips re-parsing the same references on every request.
 */
const resolved = new WeakMap<CompiledRegistry, Map<string, FeatureSelection>>();
const MAX_CACHED_SELECTIONS = 256;

export function selectFeatures(
  registry: CompiledRegistry,
  request: SelectionRequest,
  options: { onlineOnly: boolean },
): FeatureSelection {
  const key = JSON.stringify([
    request.feature_service ?? null,
    request.features ?? null,
    Boolean(request.full_feature_names),
    options.onlineOnly,
  ]);
  let cache = resolved.get(registry);
  const hit = cache?.get(key);
  if (hit) return hit;
  const selection = resolveSelection(registry, request, options);
  if (!cache) {
    cache = new Map();
    resolved.set(registry, cache);
  }
  if (cache.size >= MAX_CACHED_SELECTIONS) cache.delete(cache.keys().next().value as string);
  cache.set(key, selection);
  return selection;
}

function resolveSelection(
  registry: CompiledRegistry,
  request: SelectionRequest,
  options: { onlineOnly: boolean },
): FeatureSelection {
  const serviceRefs = request.feature_service
    ? expandRefs(registry, registry.service(request.feature_service).features, true)
    : undefined;
  let refs: string[];
  if (request.features && request.features.length > 0) {
    refs = expandRefs(registry, request.features, false);
    if (serviceRefs) {
      const allowed = new Set(serviceRefs);
      const outside = refs.filter((r) => !allowed.has(r));
      if (outside.length > 0) {
        throw new LarderError(
          "FEATURE_NOT_FOUND",
          `Feature(s) ${outside.join(", ")} not in feature service '${request.feature_service}'`,
          {
            features: outside,
            feature_service: request.feature_service,
            available_features: serviceRefs,
          },
        );
      }
    }
  } else if (serviceRefs) refs = serviceRefs;
  else throw invalid("Give a feature_service, a features list, or both", { fields: ["feature_service", "features"] });
  if (refs.length > MAX_FEATURES_PER_REQUEST)
    throw invalid(`At most ${MAX_FEATURES_PER_REQUEST} features per request; got ${refs.length}`, {
      max: MAX_FEATURES_PER_REQUEST,
    });

  const byView = new Map<string, RequestedView>();
  const columns: string[] = [];
  const seenOutput = new Map<string, string>();
  for (const ref of refs) {
    const [viewName, feature] = parseRef(ref) as [string, string];
    const view = registry.view(viewName);
    if (!view.featureIndex.has(feature)) {
      throw new LarderError("FEATURE_NOT_FOUND", `Feature '${feature}' not found in feature view '${viewName}'`, {
        feature: ref,
        feature_view: viewName,
        available_features: view.def.features.map((f) => f.name),
      });
    }
    if (options.onlineOnly && !view.def.online)
      throw invalid(`Feature view '${viewName}' is not online (online: false)`, { feature_view: viewName });
    const outputName = request.full_feature_names ? `${viewName}__${feature}` : feature;
    const clash = seenOutput.get(outputName);
    if (clash) {
      throw invalid(
        `Features '${clash}' and '${ref}' would both be named '${outputName}': set full_feature_names to true`,
        { collision: [clash, ref] },
      );
    }
    seenOutput.set(outputName, ref);
    let entry = byView.get(viewName);
    if (!entry) {
      entry = { view, features: [] };
      byView.set(viewName, entry);
    }
    entry.features.push({ name: feature, outputName });
    columns.push(outputName);
  }
  return { views: [...byView.values()], columns, refs };
}
