/**
 * Entity keys: the one canonical encoding of join-key values. Pure.
 *
 * Every place that compares entities (the online key, the point-in-time join,
 * the historical key filter, materialization) goes through
 * `canonicalKeyValue`: STRING and BYTES values are their text, INT32/INT64
 * values are canonical decimals checked against their range (so `7`, `"7"`,
 * `"007"` and `7n` name one entity, and integers above 2^53 are exact: a
 * JSON number beyond ±2^53 is refused, since it has already lost digits).
 *
 * Two renderings are built from it:
 * - the online form (`entityKey`): join keys sorted by name, each value tagged
 *   with its type and percent-encoded, `customer_id=s:cust_1` or, composite,
 *   `merchant_id=i:7&store_id=s:a%26b` (so `&` and `=` inside a value never
 *   collide); the KV key of materialization's record is
 *   `v1/<project>/<view>/<entity key>`, a push source's record adds
 *   `#<writer tag>` (`#` never occurs in the percent-encoded form), and
 *   every key stays within KV's 512 bytes with room for any writer tag;
 * - the join identity (`identityBuilder`): the canonical text itself for one
 *   join key, length-prefixed texts for several, with no percent-encoding, so
 *   joining a million rows costs no escaping.
 */
import { invalid } from "./errors";
import type { ValueType } from "./dtypes";
import { hash32 } from "./hash";

export const KEY_ENCODING_VERSION = 1;
export const KV_KEY_MAX_BYTES = 512;

const INT_RANGES: Record<"INT32" | "INT64", [bigint, bigint]> = {
  INT32: [-(2n ** 31n), 2n ** 31n - 1n],
  INT64: [-(2n ** 63n), 2n ** 63n - 1n],
};
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;
const BASE64_ALPHABET = /^[A-Za-z0-9+/]*={0,2}$/;

export type CanonicalKey = { ok: true; text: string } | { ok: false; reason: string };

function canonicalInteger(type: "INT32" | "INT64", value: unknown): CanonicalKey {
  const bad: CanonicalKey = { ok: false, reason: `expected an integer (${type})` };
  let n: bigint;
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) return bad;
    if (type === "INT32" && (value < INT32_MIN || value > INT32_MAX))
      return { ok: false, reason: "integer out of INT32 range" };
    return { ok: true, text: String(value) }; // String(-0) is "0"
  }
  if (typeof value === "bigint") n = value;
  else if (typeof value === "string") {
    const text = value.trim();
    if (!/^-?\d+$/.test(text)) return bad;
    n = BigInt(text);
  } else return bad;
  const [min, max] = INT_RANGES[type];
  if (n < min || n > max) return { ok: false, reason: `integer out of ${type} range` };
  return { ok: true, text: n.toString() };
}

/** The canonical text of one join-key value, or why it cannot be one. */
export function canonicalKeyValue(type: ValueType, value: unknown): CanonicalKey {
  switch (type) {
    case "STRING":
      return typeof value === "string" ? { ok: true, text: value } : { ok: false, reason: "expected a string" };
    case "BYTES":
      return typeof value === "string" && BASE64_ALPHABET.test(value)
        ? { ok: true, text: value }
        : { ok: false, reason: "expected base64 bytes" };
    case "INT32":
    case "INT64":
      return canonicalInteger(type, value);
  }
}

/** Percent-encoding, or undefined for text that is not well-formed Unicode (a lone surrogate). */
function percentEncode(value: string): string | undefined {
  try {
    return encodeURIComponent(value);
  } catch {
    return undefined;
  }
}

const TAGS: Record<ValueType, string> = { STRING: "s", BYTES: "b", INT32: "i", INT64: "i" };

/** One typed part of the online form, or a reason it cannot be one. */
export function encodeKeyValue(
  type: ValueType,
  value: unknown,
): { ok: true; part: string } | { ok: false; reason: string } {
  const canonical = canonicalKeyValue(type, value);
  if (!canonical.ok) return canonical;
  if (type === "INT32" || type === "INT64") return { ok: true, part: `i:${canonical.text}` };
  const encoded = percentEncode(canonical.text);
  if (encoded === undefined) return { ok: false, reason: "expected well-formed Unicode text" };
  return { ok: true, part: `${TAGS[type]}:${encoded}` };
}

/**
 * The online form of one entity row's key. `joinKeys` must be sorted by name
 * (CompiledView.joinKeys is); `valueAt(key)` gives the row's value.
 */
export function entityKey(
  joinKeys: readonly string[],
  types: Readonly<Record<string, ValueType>>,
  valueAt: (key: string) => unknown,
): string {
  const parts: string[] = [];
  for (const key of joinKeys) {
    const value = valueAt(key);
    if (value === undefined || value === null) throw invalid(`Missing value for join key '${key}'`, { join_key: key });
    const encoded = encodeKeyValue(types[key] ?? "STRING", value);
    if (!encoded.ok) {
      throw invalid(`Join key '${key}': ${encoded.reason}, got ${JSON.stringify(value)}`, { join_key: key, value });
    }
    parts.push(`${key}=${encoded.part}`);
  }
  return parts.join("&");
}

/** A row's join identity: its text, null (a null key part: matches nothing, as in SQL) or BAD_KEY. */
export const BAD_KEY = Symbol("bad key value");
export type KeyIdentity = string | null | typeof BAD_KEY;

/** The canonical text of one value for the join identity (fast paths for the common types). */
export function keyText(type: ValueType, value: unknown): KeyIdentity {
  if (value === null || value === undefined) return null;
  if (type === "STRING" && typeof value === "string") return value;
  const canonical = canonicalKeyValue(type, value);
  return canonical.ok ? canonical.text : BAD_KEY;
}

/**
 * Builds the join identity of row i from key columns (`columnOf(key)`): one
 * key gives its canonical text, several give `<length>:<text>` parts in
 * join-key order, so no value can fake a separator.
 */
export function identityBuilder(
  joinKeys: readonly string[],
  types: Readonly<Record<string, ValueType>>,
  columnOf: (key: string) => ArrayLike<unknown>,
): (row: number) => KeyIdentity {
  const parts = joinKeys.map((key) => ({ col: columnOf(key), type: types[key] ?? "STRING" }));
  if (parts.length === 1) {
    const [{ col, type }] = parts;
    return (i) => keyText(type, col[i]);
  }
  return (i) => {
    let out = "";
    for (const { col, type } of parts) {
      const part = keyText(type, col[i]);
      if (part === null || part === BAD_KEY) return part;
      out += `${part.length}:${part}`;
    }
    return out;
  };
}

const encoder = new TextEncoder();

/** Separates an entity's key from a writer tag in the online key. */
export const WRITER_SEPARATOR = "#";
/** Room kept in every key for `#` and the longest writer tag (base-36 of 32 bits: 7 characters). */
const WRITER_TAG_MAX_BYTES = 8;
/** The writer of materialization (and Feast's write-to-online-store): no tag. */
export const MATERIALIZATION_WRITER = "";

/**
 * The writer tag of a push source: `#` and a base-36 hash of its name. Two
 * push sources of one view whose names hash alike (odds 2^-32) would share
 * a record, which is still correct, only no longer race-free between them.
 */
export function pushWriterTag(pushSource: string): string {
  return `${WRITER_SEPARATOR}${hash32(pushSource).toString(36)}`;
}

/**
 * The online-store key of one writer's record (`writerTag` from
 * `pushWriterTag`, or MATERIALIZATION_WRITER); 400 when the key, with room
 * for any writer tag, would exceed KV's key limit.
 */
export function onlineKey(project: string, view: string, key: string, writerTag = MATERIALIZATION_WRITER): string {
  const kvKey = `v${KEY_ENCODING_VERSION}/${project}/${view}/${key}`;
  const limit = KV_KEY_MAX_BYTES - WRITER_TAG_MAX_BYTES;
  if (kvKey.length * 3 > limit && encoder.encode(kvKey).byteLength > limit) {
    throw invalid(`Entity key is too long: the store key would exceed ${limit} bytes; use shorter join key values`, {
      feature_view: view,
      max_bytes: limit,
    });
  }
  return kvKey + writerTag;
}

/** The prefix of every online key of one view (for listing and counting). */
export function onlinePrefix(project: string, view: string): string {
  return `v${KEY_ENCODING_VERSION}/${project}/${view}/`;
}
