/**
 * The registry's tables (D1, drizzle). JSON columns hold lists and maps;
 * `drizzle-kit generate` turns this file into the SQL in migrations/.
 */
import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { ValueType } from "../domain/dtypes";
import type { FeatureDef, Tags } from "../domain/registry-model";

const timestamps = {
  created_at: text("created_at").notNull(),
  updated_at: text("updated_at").notNull(),
};

/** One row per project; `version` increments on every registry change (optimistic concurrency). */
export const projects = sqliteTable("projects", {
  name: text("name").primaryKey(),
  version: integer("version").notNull(),
  updated_at: text("updated_at").notNull(),
});

export const entities = sqliteTable(
  "entities",
  {
    project: text("project").notNull(),
    name: text("name").notNull(),
    join_keys: text("join_keys", { mode: "json" }).$type<string[]>().notNull(),
    value_types: text("value_types", { mode: "json" }).$type<Record<string, ValueType>>().notNull(),
    description: text("description").notNull().default(""),
    tags: text("tags", { mode: "json" }).$type<Tags>().notNull(),
    ...timestamps,
  },
  (t) => [primaryKey({ columns: [t.project, t.name] })],
);

/** Batch sources (`type = 'batch'`) and push sources (`type = 'push'`). */
export const dataSources = sqliteTable(
  "data_sources",
  {
    project: text("project").notNull(),
    name: text("name").notNull(),
    type: text("type", { enum: ["batch", "push"] }).notNull(),
    path: text("path"),
    file_format: text("file_format"),
    timestamp_field: text("timestamp_field"),
    created_timestamp_column: text("created_timestamp_column"),
    batch_source: text("batch_source"),
    description: text("description").notNull().default(""),
    tags: text("tags", { mode: "json" }).$type<Tags>().notNull(),
    ...timestamps,
  },
  (t) => [primaryKey({ columns: [t.project, t.name] })],
);

export const featureViews = sqliteTable(
  "feature_views",
  {
    project: text("project").notNull(),
    name: text("name").notNull(),
    entities: text("entities", { mode: "json" }).$type<string[]>().notNull(),
    features: text("features", { mode: "json" }).$type<FeatureDef[]>().notNull(),
    source: text("source").notNull(),
    ttl_seconds: integer("ttl_seconds").notNull(),
    online: integer("online", { mode: "boolean" }).notNull(),
    tags: text("tags", { mode: "json" }).$type<Tags>().notNull(),
    schedule: text("schedule"),
    description: text("description").notNull().default(""),
    /** The materialized interval, recorded by materialization (never by apply). */
    materialized_start: text("materialized_start"),
    materialized_end: text("materialized_end"),
    ...timestamps,
  },
  (t) => [primaryKey({ columns: [t.project, t.name] })],
);

export const featureServices = sqliteTable(
  "feature_services",
  {
    project: text("project").notNull(),
    name: text("name").notNull(),
    features: text("features", { mode: "json" }).$type<string[]>().notNull(),
    description: text("description").notNull().default(""),
    tags: text("tags", { mode: "json" }).$type<Tags>().notNull(),
    ...timestamps,
  },
  (t) => [primaryKey({ columns: [t.project, t.name] })],
);
