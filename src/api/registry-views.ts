/** Registry objects as the list/get routes show them. */
import type { CompiledRegistry } from "../domain/compiled-registry";
import {
  viewsFedBy,
  type DataSourceDef,
  type EntityDef,
  type FeatureServiceDef,
  type PushSourceDef,
} from "../domain/registry-model";

export function entityOut(e: EntityDef) {
  const types = new Set(Object.values(e.value_types));
  return {
    name: e.name,
    join_keys: e.join_keys,
    value_type: types.size === 1 ? [...types][0] : null,
    value_types: e.value_types,
    description: e.description,
    tags: e.tags,
  };
}

export function featureViewOut(registry: CompiledRegistry, name: string) {
  const { def, joinKeys } = registry.view(name);
  return {
    name: def.name,
    entities: def.entities,
    join_keys: joinKeys,
    features: def.features,
    ttl_seconds: def.ttl_seconds,
    online: def.online,
    tags: def.tags,
    source: def.source,
    schedule: def.schedule,
    description: def.description,
  };
}

export function featureServiceOut(s: FeatureServiceDef) {
  return {
    name: s.name,
    features: s.features,
    feature_views: [...new Set(s.features.map((r) => r.split(":")[0]))],
    description: s.description,
    tags: s.tags,
  };
}

export function pushSourceOut(registry: CompiledRegistry, s: PushSourceDef) {
  return {
    name: s.name,
    batch_source: s.batch_source,
    feature_views: viewsFedBy(registry.contents, s).map((v) => v.name),
    description: s.description,
    tags: s.tags,
  };
}

export function dataSourceOut(s: DataSourceDef) {
  return { ...s };
}
