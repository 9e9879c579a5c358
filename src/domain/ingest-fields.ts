/**
 * Which fields an ingest row (or the columns of a Parquet ingest body) may
 * hold for a batch source: the join keys and features of every view reading
 * it, the event time (`event_timestamp` or the source's `timestamp_field`) and
 * optionally the created time. Pure.
 */
import type { CompiledRegistry } from "./compiled-registry";
import type { Dtype, ValueType } from "./dtypes";
import { invalid, LarderError } from "./errors";
import { CREATED_TIMESTAMP, EVENT_TIMESTAMP } from "./names";
import { type SourceSchema, sourceSchema } from "./source-schema";

/** Rows per request, JSON or Parquet: bounds a request's memory and CPU; larger loads are split. */
export const MAX_INGEST_ROWS = 100_000;

export type FieldRole =
  | { kind: "join_key"; type: ValueType }
  | { kind: "feature"; dtype: Dtype }
  | { kind: "event_timestamp" }
  | { kind: "created_timestamp" };

/**
 * The batch source rows are ingested into. DATA_SOURCE_NOT_FOUND for an
 * unknown name and for a push source (its rows go through /push-features);
 * CONFLICT when no view reads the source, since it then has no columns.
 */
export function ingestTarget(registry: CompiledRegistry, name: string): SourceSchema {
  const source = registry.sources.get(name);
  if (source?.type === "push") {
    throw new LarderError(
      "DATA_SOURCE_NOT_FOUND",
      `'${name}' is a push source; ingest appends to batch sources (push rows with POST /push-features, or ingest into its batch source '${source.batch_source}')`,
      {
        data_source: name,
        batch_source: source.batch_source,
      },
    );
  }
  const schema = sourceSchema(registry, name);
  if (schema.views.length === 0) {
    throw new LarderError(
      "CONFLICT",
      `Batch source '${name}' is read by no feature view, so it has no join keys or features to ingest; apply a view that reads it first`,
      { data_source: name },
    );
  }
  return schema;
}

/**
 * Field name → role. Join keys and features first; the source's own timestamp
 * names are aliases only when no key or feature already uses them.
 */
export function ingestFields(schema: SourceSchema): Map<string, FieldRole> {
  const roles = new Map<string, FieldRole>();
  for (const key of schema.joinKeys) roles.set(key.name, { kind: "join_key", type: key.type });
  for (const feature of schema.features)
    if (!roles.has(feature.name)) roles.set(feature.name, { kind: "feature", dtype: feature.dtype });
  for (const name of [EVENT_TIMESTAMP, schema.source.timestamp_field])
    if (!roles.has(name)) roles.set(name, { kind: "event_timestamp" });
  for (const name of [CREATED_TIMESTAMP, schema.source.created_timestamp_column])
    if (name && !roles.has(name)) roles.set(name, { kind: "created_timestamp" });
  return roles;
}

function namesOf(roles: Map<string, FieldRole>, kind: FieldRole["kind"]): string[] {
  return [...roles].filter(([, role]) => role.kind === kind).map(([name]) => name);
}

export function describeFields(schema: SourceSchema, roles: Map<string, FieldRole>): string {
  const keys = namesOf(roles, "join_key").join(", ");
  return `a row holds the join keys (${keys}), ${namesOf(roles, "event_timestamp").join(" or ")}, optionally ${namesOf(roles, "created_timestamp").join(" or ")}, and features of the views reading '${schema.source.name}' (${schema.views.join(", ")})`;
}

/**
 * Whole-column checks of a Parquet body's top-level column names: every
 * column is a join key, a timestamp or a feature; every join key and one
 * event-time column are present; no time is given by two columns. Throws
 * VALIDATION_ERROR naming the column.
 */
export function checkIngestColumns(schema: SourceSchema, names: readonly string[]): void {
  const roles = ingestFields(schema);
  const unknown = names.filter((n) => !roles.has(n));
  if (unknown.length > 0) {
    throw invalid(
      `Parquet column '${unknown[0]}' is not a join key, timestamp or feature of batch source '${schema.source.name}': ${describeFields(schema, roles)}`,
      {
        column: unknown[0],
        unknown_columns: unknown,
        allowed_columns: [...roles.keys()],
      },
    );
  }
  const present = new Set(names);
  const missingKey = namesOf(roles, "join_key").find((k) => !present.has(k));
  if (missingKey) throw invalid(`Parquet body has no join key column '${missingKey}'`, { column: missingKey });
  for (const kind of ["event_timestamp", "created_timestamp"] as const) {
    const given = namesOf(roles, kind).filter((n) => present.has(n));
    if (given.length > 1)
      throw invalid(
        `Parquet columns ${given.map((n) => `'${n}'`).join(" and ")} both give the ${kind === "event_timestamp" ? "event" : "created"} time; keep one`,
        { columns: given },
      );
    if (kind === "event_timestamp" && given.length === 0) {
      throw invalid(`Parquet body has no event time column (${namesOf(roles, kind).join(" or ")})`, {
        column: EVENT_TIMESTAMP,
      });
    }
  }
}
