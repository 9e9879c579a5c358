/**
 * Timestamps as users send them. Strings are RFC 3339 / ISO 8601; one without
 * a zone (Python's `datetime.now().isoformat()`) is read as UTC. Numbers are
 * epoch seconds (Feast's convention), fractions allowed. Pure.
 */
const HAS_ZONE = /(Z|[+-]\d{2}:?\d{2})$/i;
const ISO_LIKE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * The one timestamp-bounds rule: years 0001 to 9999 (0001-01-01T00:00:00Z to
 * 9999-12-31T23:59:59.999Z), what RFC 3339 and Parquet timestamps can hold.
 */
export const MIN_TIMESTAMP_MS = -62_135_596_800_000;
export const MAX_TIMESTAMP_MS = 253_402_300_799_999;

/** Whether epoch-ms `ms` lies within the years 0001-9999. */
export function inTimestampRange(ms: number): boolean {
  return ms >= MIN_TIMESTAMP_MS && ms <= MAX_TIMESTAMP_MS;
}

function inRange(ms: number): number | undefined {
  return inTimestampRange(ms) ? ms : undefined;
}

/** Epoch milliseconds, or undefined when `value` is not a timestamp (or outside years 0001-9999). */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? inRange(Math.round(value * 1000)) : undefined;
  if (typeof value !== "string" || !ISO_LIKE.test(value.trim())) return undefined;
  let text = value.trim().replace(" ", "T");
  // Keep milliseconds: JavaScript dates do not hold more precision.
  text = text.replace(/(\.\d{3})\d+/, "$1");
  if (!HAS_ZONE.test(text) && text.includes("T")) text += "Z";
  const ms = Date.parse(text.includes("T") ? text : `${text}T00:00:00Z`);
  return Number.isNaN(ms) ? undefined : inRange(ms);
}

/** RFC 3339 in UTC with a `Z`, as every response writes timestamps. */
export function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString();
}
