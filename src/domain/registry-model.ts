/**
 * The registry's objects as the API shows them and the snapshot stores them.
 * Field names are the API's (snake_case) so that no layer has to rename them.
 */
import type { Dtype, ValueType } from "./dtypes";

export type Tags = Record<string, string>;

export interface EntityDef {
  name: string;
  /** One or more join keys: composite keys are allowed. */
  join_keys: string[];
  /** The value type of each join key. */
  value_types: Record<string, ValueType>;
  description: string;
  tags: Tags;
}

export interface BatchSourceDef {
  name: string;
  type: "batch";
  /** R2 prefix; `s3://bucket/x/` and `r2://bucket/x/` map onto the bound bucket as `x/`. */
  path: string;
  file_format: "parquet";
  timestamp_field: string;
  created_timestamp_column: string | null;
  description: string;
  tags: Tags;
}

export interface PushSourceDef {
  name: string;
  type: "push";
  /** The batch source pushed rows are appended to (offline). */
  batch_source: string;
  description: string;
  tags: Tags;
}

export type DataSourceDef = BatchSourceDef | PushSourceDef;

export interface FeatureDef {
  name: string;
  dtype: Dtype;
  description?: string;
}

export interface FeatureViewDef {
  name: string;
  entities: string[];
  features: FeatureDef[];
  /** Name of a batch or push data source. */
  source: string;
  /** 0 means values never expire. */
  ttl_seconds: number;
  online: boolean;
  tags: Tags;
  /** Incremental materialization interval (`30m`, `1h`, `1d`, `@hourly`, `@daily`) or null. */
  schedule: string | null;
  description: string;
}

export interface FeatureServiceDef {
  name: string;
  /** Feature references `view:feature`, or a bare `view` for all of its features. */
  features: string[];
  description: string;
  tags: Tags;
}

/** Everything a project's registry holds. */
export interface RegistryContents {
  entities: EntityDef[];
  data_sources: DataSourceDef[];
  feature_views: FeatureViewDef[];
  feature_services: FeatureServiceDef[];
}

export const OBJECT_KINDS = ["entities", "data_sources", "feature_views", "feature_services"] as const;
export type ObjectKind = (typeof OBJECT_KINDS)[number];

export function emptyContents(): RegistryContents {
  return { entities: [], data_sources: [], feature_views: [], feature_services: [] };
}

/** Views a push source feeds: those sourced from it, and those sourced from its batch source. */
export function viewsFedBy(contents: Pick<RegistryContents, "feature_views">, push: PushSourceDef): FeatureViewDef[] {
  return contents.feature_views.filter((v) => v.source === push.name || v.source === push.batch_source);
}

/** The join keys of a view: the union of its entities' join keys, sorted by name. */
export function viewJoinKeys(entities: Map<string, EntityDef>, view: FeatureViewDef): string[] {
  const keys = new Set<string>();
  for (const name of view.entities) for (const key of entities.get(name)?.join_keys ?? []) keys.add(key);
  return [...keys].sort();
}

const SCHEDULE_UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Seconds between scheduled runs, or undefined when the schedule is not understood. */
export function scheduleSeconds(schedule: string): number | undefined {
  if (schedule === "@hourly") return 3600;
  if (schedule === "@daily") return 86400;
  const match = /^(\d+)([smhd])$/.exec(schedule);
  if (!match) return undefined;
  const seconds = Number(match[1]) * SCHEDULE_UNITS[match[2]];
  return seconds >= 60 ? seconds : undefined;
}
