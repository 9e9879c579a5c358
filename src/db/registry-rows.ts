/** Conversions between registry table rows and the registry's object shapes. */
import type { DataSourceDef, EntityDef, FeatureServiceDef, FeatureViewDef } from "../domain/registry-model";
import type { dataSources, entities, featureServices, featureViews } from "./registry-tables";

type Row<T extends { $inferSelect: unknown }> = T["$inferSelect"];

export function entityFromRow(row: Row<typeof entities>): EntityDef {
  return {
    name: row.name,
    join_keys: row.join_keys,
    value_types: row.value_types,
    description: row.description,
    tags: row.tags,
  };
}

export function dataSourceFromRow(row: Row<typeof dataSources>): DataSourceDef {
  if (row.type === "push") {
    return {
      name: row.name,
      type: "push",
      batch_source: row.batch_source ?? "",
      description: row.description,
      tags: row.tags,
    };
  }
  return {
    name: row.name,
    type: "batch",
    path: row.path ?? "",
    file_format: "parquet",
    timestamp_field: row.timestamp_field ?? "event_timestamp",
    created_timestamp_column: row.created_timestamp_column,
    description: row.description,
    tags: row.tags,
  };
}

export function featureViewFromRow(row: Row<typeof featureViews>): FeatureViewDef {
  return {
    name: row.name,
    entities: row.entities,
    features: row.features,
    source: row.source,
    ttl_seconds: row.ttl_seconds,
    online: row.online,
    tags: row.tags,
    schedule: row.schedule,
    description: row.description,
  };
}

export function featureServiceFromRow(row: Row<typeof featureServices>): FeatureServiceDef {
  return { name: row.name, features: row.features, description: row.description, tags: row.tags };
}

/** The columns an apply sets for a data source (the other kinds' defs map 1:1 onto columns). */
export function dataSourceColumns(source: DataSourceDef) {
  return source.type === "push"
    ? {
        type: "push" as const,
        path: null,
        file_format: null,
        timestamp_field: null,
        created_timestamp_column: null,
        batch_source: source.batch_source,
        description: source.description,
        tags: source.tags,
      }
    : {
        type: "batch" as const,
        path: source.path,
        file_format: source.file_format,
        timestamp_field: source.timestamp_field,
        created_timestamp_column: source.created_timestamp_column,
        batch_source: null,
        description: source.description,
        tags: source.tags,
      };
}
