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
import { valueProblem, type Dtype, type ValueType } from "./dtypes";
import { encodeKeyValue, entityKey, onlineKey } from "./entity-key";
import { LarderError } from "./errors";
import { describeFields, type FieldRole, ingestFields } from "./ingest-fields";
import { CREATED_TIMESTAMP, EVENT_TIMESTAMP } from "./names";
import { RowRejected, type RowRejection } from "./row-rejection";
import type { OfflineRow, SourceSchema } from "./source-schema";
import { inTimestampRange, parseTimestamp } from "./timestamps";

/** Rejected rows listed in a response; `rejected` still counts them all. */
export const MAX_LISTED_ERRORS = 1_000;

/** Epoch ms of a timestamp value, or why it is not one. */
function toMillis(value: unknown, epochMs: boolean): { ms: number } | { problem: string } {
  const ms = epochMs && typeof value === "number" ? value : parseTimestamp(value);
  if (ms === undefined || !Number.isFinite(ms))
    return {
      problem: epochMs
        ? "expected a timestamp"
        : "expected an RFC 3339 timestamp or epoch seconds, within the years 0001-9999",
    };
  if (!inTimestampRange(ms)) return { problem: "timestamp outside the years 0001-9999 (numbers are epoch seconds)" };
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

/** Refuses a row whose entity key could never be served: it would not fit an online view's KV key. */
function checkOnlineKeys(schema: SourceSchema, project: string, row: OfflineRow): void {
  const types = Object.fromEntries(schema.joinKeys.map((k) => [k.name, k.type]));
  for (const view of schema.onlineViews) {
    try {
      onlineKey(
        project,
        view.name,
        entityKey(view.joinKeys, types, (k) => row[k]),
      );
    } catch (err) {
      if (err instanceof LarderError)
        throw new RowRejected(`${err.message} (online view '${view.name}')`, view.joinKeys[0]);
      throw err;
    }
  }
}

export interface ValidateIngestOptions {
  /** Fields whose numbers are epoch ms already (Parquet timestamp columns); others read numbers as epoch seconds. */
  epochMsFields?: ReadonlySet<string>;
  /** Errors listed at most; default MAX_LISTED_ERRORS. */
  maxListedErrors?: number;
  /** The project written to: with it, rows whose entity key would not fit an online key are refused. */
  project?: string;
}

export interface IngestValidation {
  /** Rows ready for `appendRows`, in input order. */
  accepted: OfflineRow[];
  rejected: number;
  /** The first `maxListedErrors` rejections, by index. */
  errors: RowRejection[];
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
  const errors: RowRejection[] = [];
  let rejected = 0;
  rows.forEach((row, index) => {
    try {
      const converted = convertRow(schema, roles, row, epochMsFields);
      if (options.project) checkOnlineKeys(schema, options.project, converted);
      accepted.push(converted);
    } catch (err) {
      if (!(err instanceof RowRejected)) throw err;
      rejected++;
      if (errors.length < maxErrors) errors.push(err.rejection(index));
    }
  });
  return { accepted, rejected, errors, errorsTruncated: rejected > errors.length };
}
