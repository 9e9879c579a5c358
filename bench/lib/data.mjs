// Deterministic bench data: entity ids, feature values, online-store keys.

/** mulberry32: a small seeded PRNG, so every run loads the same values. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The i-th entity id: `u0000042`. */
export const entityId = (i) => `u${String(i).padStart(7, "0")}`;

/** 32-bit hash of text, as src/domain/hash.ts computes it (FNV-1a and a murmur3 finalizer). */
function hash32(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * The KV key of the record a push source writes for an entity of `view`, for
 * a view with one STRING join key. Mirrors src/domain/entity-key.ts
 * (`onlineKey` over `entityKey`, with `pushWriterTag`):
 * `v1/<project>/<view>/<join key>=s:<percent-encoded value>#<tag>`. The bench
 * checks it against Larder's own writes before measuring.
 */
export const onlineKey = (project, view, joinKey, id, pushSource) =>
  `v1/${project}/${view}/${joinKey}=s:${encodeURIComponent(id)}#${hash32(pushSource).toString(36)}`;

const SEGMENTS = ["new", "casual", "regular", "loyal", "vip", "churn_risk"];
const CATEGORIES = ["electronics", "grocery", "fashion", "home", "sports", "books", "toys", "beauty"];

/** A view's schema (name, dtype) and a value generator for its features. */
export function featureSchema(count) {
  if (count === 4) {
    return [
      { name: "score", dtype: "float64" },
      { name: "txn_count_7d", dtype: "int32" },
      { name: "segment", dtype: "string" },
      { name: "lifetime_value", dtype: "float64" },
    ];
  }
  // A wide view: 30 float64, 10 int32, 5 string, 5 bool (for count = 50).
  const fields = [];
  for (let i = 0; i < count; i++) {
    const kind = i < count * 0.6 ? "float64" : i < count * 0.8 ? "int32" : i < count * 0.9 ? "string" : "bool";
    fields.push({ name: `f${String(i).padStart(2, "0")}_${kind}`, dtype: kind });
  }
  return fields;
}

/** Feature values of entity `i` (version `round`: pushes during the bench change them). */
export function featureValues(schema, i, round = 0) {
  const rand = prng(i * 2654435761 + round * 97 + schema.length);
  const values = {};
  for (const { name, dtype } of schema) {
    const r = rand();
    if (name === "segment") values[name] = SEGMENTS[Math.floor(r * SEGMENTS.length)];
    else if (name === "lifetime_value") values[name] = Math.round(r * 500000) / 100;
    else if (dtype === "float64")
      values[name] = r; // a full-precision double, as model features are
    else if (dtype === "int32") values[name] = Math.floor(r * 1000);
    else if (dtype === "string") values[name] = CATEGORIES[Math.floor(r * CATEGORIES.length)];
    else values[name] = r < 0.5;
  }
  return values;
}

/** `count` distinct integers in [0, n), from `rand`. */
export function distinctSample(rand, n, count) {
  if (count > n) throw new Error(`cannot pick ${count} distinct values out of ${n}`);
  const picked = new Set();
  while (picked.size < count) picked.add(Math.floor(rand() * n));
  return [...picked];
}
