/**
 * Turns an apply body (already shape-checked by zod) into registry objects:
 * defaults filled in, dtypes and value types folded to canonical spellings,
 * inline sources pulled out as objects of their own. Problems are collected
 * and thrown together as one VALIDATION_ERROR naming each path.
 */
import { invalid } from "../domain/errors";
import { normalizeDtype, normalizeValueType, type ValueType } from "../domain/dtypes";
import {
  emptyContents,
  type BatchSourceDef,
  type DataSourceDef,
  type FeatureViewDef,
  type RegistryContents,
} from "../domain/registry-model";
import type { ApplyRequestBody, BatchSourceInputT, PushSourceInputT } from "../schemas/registry";

type EntityInputT = NonNullable<ApplyRequestBody["entities"]>[number];
type ViewInputT = NonNullable<ApplyRequestBody["feature_views"]>[number];
type ServiceInputT = NonNullable<ApplyRequestBody["feature_services"]>[number];

interface Problem {
  path: string;
  message: string;
}

class Collector {
  readonly problems: Problem[] = [];
  add(path: string, message: string) {
    this.problems.push({ path, message });
  }
}

function entityDef(input: EntityInputT, path: string, out: Collector) {
  const joinKeys = input.join_keys ?? [input.name];
  const valueTypes: Record<string, ValueType> = {};
  for (const key of joinKeys) {
    const raw = input.value_types?.[key] ?? input.value_type ?? "STRING";
    const type = normalizeValueType(raw);
    if (!type) out.add(`${path}.value_types.${key}`, `unknown value type '${raw}': use STRING, INT32, INT64 or BYTES`);
    else valueTypes[key] = type;
  }
  for (const key of Object.keys(input.value_types ?? {})) {
    if (!joinKeys.includes(key)) out.add(`${path}.value_types.${key}`, `'${key}' is not one of the join keys`);
  }
  return {
    name: input.name,
    join_keys: joinKeys,
    value_types: valueTypes,
    description: input.description ?? "",
    tags: input.tags ?? {},
  };
}

function batchDef(input: BatchSourceInputT, name: string): BatchSourceDef {
  return {
    name,
    type: "batch",
    path: input.path,
    file_format: "parquet",
    timestamp_field: input.timestamp_field,
    created_timestamp_column: input.created_timestamp_column ?? null,
    description: input.description ?? "",
    tags: input.tags ?? {},
  };
}

/** A push source; an inline batch source is added to `sources` as `<push>_batch` unless named. */
function pushDefs(input: PushSourceInputT, sources: DataSourceDef[]): DataSourceDef {
  let batchName: string;
  if (typeof input.batch_source === "string") batchName = input.batch_source;
  else {
    batchName = input.batch_source.name ?? `${input.name}_batch`;
    sources.push(batchDef(input.batch_source, batchName));
  }
  return {
    name: input.name,
    type: "push",
    batch_source: batchName,
    description: input.description ?? "",
    tags: input.tags ?? {},
  };
}

function viewDef(input: ViewInputT, path: string, sources: DataSourceDef[], out: Collector): FeatureViewDef {
  const fields = input.schema ?? input.features ?? [];
  const features = fields.map((f, i) => {
    const dtype = normalizeDtype(f.dtype);
    if (!dtype) out.add(`${path}.schema.${i}.dtype`, `unknown dtype '${f.dtype}'`);
    return { name: f.name, dtype: dtype ?? "string", ...(f.description ? { description: f.description } : {}) };
  });
  let source: string;
  if (typeof input.source === "string") source = input.source;
  else if (input.source.type === "batch") {
    source = input.source.name ?? `${input.name}_source`;
    sources.push(batchDef(input.source, source));
  } else {
    source = input.source.name;
    sources.push(pushDefs(input.source, sources));
  }
  return {
    name: input.name,
    entities: input.entities,
    features,
    source,
    ttl_seconds: input.ttl_seconds,
    online: input.online,
    tags: input.tags ?? {},
    schedule: input.schedule ?? null,
    description: input.description ?? "",
  };
}

function serviceDef(input: ServiceInputT) {
  return { name: input.name, features: input.features, description: input.description ?? "", tags: input.tags ?? {} };
}

/** The objects an apply body names, normalized. */
export function contentsFromApply(body: ApplyRequestBody): RegistryContents {
  const out = new Collector();
  const contents = emptyContents();
  body.entities?.forEach((e, i) => {
    contents.entities.push(entityDef(e, `entities.${i}`, out));
  });
  for (const source of body.data_sources ?? []) {
    if (source.type === "batch") contents.data_sources.push(batchDef(source, source.name));
    else contents.data_sources.push(pushDefs(source, contents.data_sources));
  }
  for (const push of body.push_sources ?? []) contents.data_sources.push(pushDefs(push, contents.data_sources));
  const views = [...(body.feature_view ? [body.feature_view] : []), ...(body.feature_views ?? [])];
  views.forEach((v, i) => {
    const path = body.feature_view && i === 0 ? "feature_view" : `feature_views.${i}`;
    contents.feature_views.push(viewDef(v, path, contents.data_sources, out));
  });
  for (const s of body.feature_services ?? []) contents.feature_services.push(serviceDef(s));
  if (out.problems.length > 0) {
    throw invalid(`Invalid definitions: ${out.problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`, {
      issues: out.problems,
    });
  }
  return contents;
}
