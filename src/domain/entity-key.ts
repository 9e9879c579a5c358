/**
 * Canonical entity keys and online-store keys. Pure.
 *
 * An entity key is the join keys sorted by name, each value typed by its
 * entity's value type: `customer_id=s:cust_1` or, composite,
 * `merchant_id=i:7&store_id=s:a%26b` (values percent-encoded, so `&` and `=`
 * inside a value never collide). Integers are canonical decimals, so `7`,
 * `"7"` and `"007"` name the same entity. The KV key is
 * `v1/<project>/<view>/<entity key>` and must stay within KV's 512 bytes.
 */
import { invalid } from "../errors";
import type { ValueType } from "./dtypes";

export const KEY_ENCODING_VERSION = 1;
export const KV_KEY_MAX_BYTES = 512;

const INT_RANGES: Record<"INT32" | "INT64", [bigint, bigint]> = {
  INT32: [-(2n ** 31n), 2n ** 31n - 1n],
  INT64: [-(2n ** 63n), 2n ** 63n - 1n],
};

/** Percent-encoding, or undefined for text that is not well-formed Unicode (a lone surrogate). */
function percentEncode(value: string): string | undefined {
  try {
    return encodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/** One typed key part, or a reason it cannot be one. */
export function encodeKeyValue(
  type: ValueType,
  value: unknown,
): { ok: true; part: string } | { ok: false; reason: string } {
  switch (type) {
    case "STRING": {
      if (typeof value !== "string") return { ok: false, reason: "expected a string" };
      const encoded = percentEncode(value);
      return encoded === undefined
        ? { ok: false, reason: "expected well-formed Unicode text" }
        : { ok: true, part: `s:${encoded}` };
    }
    case "BYTES":
      if (typeof value !== "string" || !/^[A-Za-z0-9+/]*={0,2}$/.test(value))
        return { ok: false, reason: "expected base64 bytes" };
      return { ok: true, part: `b:${encodeURIComponent(value)}` };
    case "INT32":
    case "INT64": {
      const text =
        typeof value === "number" && Number.isSafeInteger(value)
          ? String(value)
          : typeof value === "string"
            ? value.trim()
            : "";
      if (!/^-?\d+$/.test(text)) return { ok: false, reason: `expected an integer (${type})` };
      const n = BigInt(text);
      const [min, max] = INT_RANGES[type];
      if (n < min || n > max) return { ok: false, reason: `integer out of ${type} range` };
      return { ok: true, part: `i:${n.toString()}` };
    }
  }
}

/**
 * The canonical key of one entity row. `joinKeys` must be sorted by name
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
    if (!encoded.ok)
      throw invalid(`Join key '${key}': ${encoded.reason}, got ${JSON.stringify(value)}`, { join_key: key, value });
    parts.push(`${key}=${encoded.part}`);
  }
  return parts.join("&");
}

const encoder = new TextEncoder();

/** The online-store key; 400 when it would exceed KV's key limit. */
export function onlineKey(project: string, view: string, key: string): string {
  const kvKey = `v${KEY_ENCODING_VERSION}/${project}/${view}/${key}`;
  if (kvKey.length * 3 > KV_KEY_MAX_BYTES && encoder.encode(kvKey).byteLength > KV_KEY_MAX_BYTES) {
    throw invalid(
      `Entity key is too long: the store key would exceed ${KV_KEY_MAX_BYTES} bytes; use shorter join key values`,
      {
        feature_view: view,
        max_bytes: KV_KEY_MAX_BYTES,
      },
    );
  }
  return kvKey;
}

/** The prefix of every online key of one view (for listing and counting). */
export function onlinePrefix(project: string, view: string): string {
  return `v${KEY_ENCODING_VERSION}/${project}/${view}/`;
}
