/**
 * Ingest into a batch source (POST /data-sources/{name}/ingest): which fields
 * a row may hold, and the validation and conversion of rows into the
 * `OfflineRow`s `appendRows` writes. Pure.
 *
 * A row holds the join keys of every view reading the source, the event time
 * (`event_timestamp`, or the source's own `timestamp_field`), optionally the
 * created time (`created_timestamp`, or the source's `created_timestamp_column`)
 * and feature values, flat. Each row is checked on its own and accepted whole
 * or rejected whole with its index and reason, so a bad row never blocks good
 * ones and is never half-written.
 *
 * Timestamps follow the API (timestamps.ts): RFC 3339 text, or numbers of
 * epoch SECONDS. The one exception is a field listed in `epochMsFields`: a
 * Parquet column of a timestamp type, whose values the reader already gives
 * as epoch milliseconds. Every timestamp must fall within the years
 * 0001–9999, so it can be partitioned by date, written as INT64 and printed
 * as RFC 3339. Unlike push, a future event time is accepted: offline history
 * only reaches the online store through materialization, which reads up to
 * its end time.
 */
import { LarderError, invalid } from "../errors";
import { valueProblem, type Dtype, type ValueType } from "../domain/dtypes";
import { encodeKeyValue } from "../domain/entity-key";
import { parseTimestamp } from "../domain/timestamps";
import type { CompiledRegistry } from "../domain/compiled-registry";
import { CREATED_TIMESTAMP, EVENT_TIMESTAMP, type OfflineRow } from "./parquet";
import { sourceSchema, type SourceSchema } from "./source-schema";

/** Rows per request, JSON or Parquet: bounds a request's memory and CPU; larger loads are split. */
export const MAX_INGEST_ROWS = 100_000;
/** Rejected rows listed in a response; `rejected` still counts them all. */
export const MAX_LISTED_ERRORS = 1_000;
/** 0001-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z. */
export const MIN_TIMESTAMP_MS = -62_135_596_800_000;
export const MAX_TIMESTAMP_MS = 253_402_300_799_999;

export type FieldRole =
  | { kind: "join_key"; type: ValueType }
  | { kind: "feature"; dtype: Dtype }
  | { kind: "event_timestamp" }
  | { kind: "created_timestamp" };

export interface IngestError {
  index: number;
  reason: string;
  field?: string;
}

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

function describeFields(schema: SourceSchema, roles: Map<string, FieldRole>): string {
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

class RowRejected extends Error {
  constructor(
    readonly reason: string,
    readonly field?: string,
  ) {
    super(reason);
  }
}

/** Epoch ms of a timestamp value, or why it is not one. */
function toMillis(value: unknown, epochMs: boolean): { ms: number } | { problem: string } {
  const ms = epochMs && typeof value === "number" ? value : parseTimestamp(value);
  if (ms === undefined || !Number.isFinite(ms))
    return {
      problem: epochMs
        ? "expected a timestamp"
        : "expected an RFC 3339 timestamp or epoch seconds, within the years 0001-9999",
    };
  if (ms < MIN_TIMESTAMP_MS || ms > MAX_TIMESTAMP_MS)
    return { problem: "timestamp outside the years 0001-9999 (numbers are epoch seconds)" };
  return { ms: Math.floor(ms) };
}

/** A join key's value, canonical for its type: integers as numbers (decimal text beyond 2^53). */
function joinKeyValue(name: string, type: ValueType, value: unknown): unknown {
  if (value === undefined || value === null) throw new RowRejected(`join key '${name}' is missing`, name);
  const encoded = encodeKeyValue(type, value);
  // The writer decodes BYTES, which needs whole base64 quanta; encodeKeyValue only checks the alphabet.
  const problem = encoded.ok ? (type === "BYTES" ? valueProblem("bytes", value) : undefined) : encoded.reason;
  if (problem) throw new RowRejected(`join key '${name}' (${type}): ${problem}, got ${JSON.stringify(value)}`, name);
  if (type !== "INT32" && type !== "INT64") return value;
  const n = BigInt((encoded as { part: string }).part.slice(2));
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n.toString();
}

/** A feature value as the writer takes it: unix_timestamp values (scalar or elements) become epoch ms. */
function featureValue(name: string, dtype: Dtype, value: unknown, epochMs: boolean): unknown {
  if (value === null) return null;
  if (dtype === "unix_timestamp" || dtype === "array<unix_timestamp>") {
    const scalar = (v: unknown, where: string) => {
      if (v === null) return null;
      const t = toMillis(v, epochMs);
      if ("problem" in t) throw new RowRejected(`feature '${name}' (${dtype}): ${where}${t.problem}`, name);
      return t.ms;
    };
    if (dtype === "unix_timestamp") return scalar(value, "");
    if (!Array.isArray(value)) throw new RowRejected(`feature '${name}' (${dtype}): expected an array`, name);
    return value.map((v, i) => scalar(v, `element ${i}: `));
  }
  const problem = valueProblem(dtype, value);
  if (problem) throw new RowRejected(`feature '${name}' (${dtype}): ${problem}`, name);
  return value;
}

function convertRow(
  schema: SourceSchema,
  roles: Map<string, FieldRole>,
  row: unknown,
  epochMsFields: ReadonlySet<string>,
): OfflineRow {
  if (!row || typeof row !== "object" || Array.isArray(row)) throw new RowRejected("row must be an object");
  const fields = row as Record<string, unknown>;
  const times: Partial<Record<"event_timestamp" | "created_timestamp", string>> = {};
  for (const name of Object.keys(fields)) {
    const role = roles.get(name);
    if (!role) throw new RowRejected(`unknown field '${name}': ${describeFields(schema, roles)}`, name);
    if (role.kind !== "event_timestamp" && role.kind !== "created_timestamp") continue;
    const other = times[role.kind];
    if (other !== undefined)
      throw new RowRejected(
        `'${other}' and '${name}' both give the ${role.kind === "event_timestamp" ? "event" : "created"} time; send one`,
        name,
      );
    times[role.kind] = name;
  }
  const out: OfflineRow = {};
  for (const key of schema.joinKeys) out[key.name] = joinKeyValue(key.name, key.type, fields[key.name]);

  const eventField = times.event_timestamp ?? EVENT_TIMESTAMP;
  const event =
    fields[eventField] === undefined || fields[eventField] === null
      ? undefined
      : toMillis(fields[eventField], epochMsFields.has(eventField));
  if (!event) throw new RowRejected(`${eventField} is missing`, eventField);
  if ("problem" in event) throw new RowRejected(`${eventField}: ${event.problem}`, eventField);
  out[EVENT_TIMESTAMP] = event.ms;

  const createdField = times.created_timestamp;
  out[CREATED_TIMESTAMP] = null;
  if (createdField !== undefined && fields[createdField] !== null) {
    const created = toMillis(fields[createdField], epochMsFields.has(createdField));
    if ("problem" in created) throw new RowRejected(`${createdField}: ${created.problem}`, createdField);
    out[CREATED_TIMESTAMP] = created.ms;
  }

  for (const [name, value] of Object.entries(fields)) {
    const role = roles.get(name)!;
    if (role.kind === "feature") out[name] = featureValue(name, role.dtype, value, epochMsFields.has(name));
  }
  return out;
}

export interface ValidateIngestOptions {
  /** Fields whose numbers are epoch ms already (Parquet timestamp columns); others read numbers as epoch seconds. */
  epochMsFields?: ReadonlySet<string>;
  /** Errors listed at most; default MAX_LISTED_ERRORS. */
  maxListedErrors?: number;
}

export interface IngestValidation {
  /** Rows ready for `appendRows`, in input order. */
  accepted: OfflineRow[];
  rejected: number;
  /** The first `maxListedErrors` rejections, by index. */
  errors: IngestError[];
  errorsTruncated: boolean;
}

/** Splits rows into accepted (converted, ready to write) and rejected (index and reason). */
export function validateIngestRows(
  schema: SourceSchema,
  rows: readonly unknown[],
  options: ValidateIngestOptions = {},
): IngestValidation {
  const roles = ingestFields(schema);
  const epochMsFields = options.epochMsFields ?? new Set<string>();
  const maxErrors = options.maxListedErrors ?? MAX_LISTED_ERRORS;
  const accepted: OfflineRow[] = [];
  const errors: IngestError[] = [];
  let rejected = 0;
  rows.forEach((row, index) => {
    try {
      accepted.push(convertRow(schema, roles, row, epochMsFields));
    } catch (err) {
      if (!(err instanceof RowRejected)) throw err;
      rejected++;
      if (errors.length < maxErrors)
        errors.push({ index, reason: err.reason, ...(err.field ? { field: err.field } : {}) });
    }
  });
  return { accepted, rejected, errors, errorsTruncated: rejected > errors.length };
}
