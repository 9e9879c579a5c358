/**
 * Feature statistics that merge across tasks (pure): per feature a count,
 * nulls, mean and M2 (Welford; merged with Chan's formula), min and max; per
 * view an approximate distinct count of entity keys (HyperLogLog, 2^12
 * registers, ~1.6% standard error). Non-numeric features get counts only.
 */
import { hash32 } from "./hash";

export interface FeatureMoments {
  count: number;
  nulls: number;
  /** Numeric values seen (mean, m2, min, max are over these). */
  n: number;
  mean: number;
  m2: number;
  min: number | null;
  max: number | null;
}

export function emptyMoments(): FeatureMoments {
  return { count: 0, nulls: 0, n: 0, mean: 0, m2: 0, min: null, max: null };
}

export function addValue(m: FeatureMoments, value: unknown): void {
  m.count++;
  if (value === null || value === undefined) {
    m.nulls++;
    return;
  }
  const x = typeof value === "number" ? value : typeof value === "boolean" ? Number(value) : Number.NaN;
  if (!Number.isFinite(x)) return;
  m.n++;
  const delta = x - m.mean;
  m.mean += delta / m.n;
  m.m2 += delta * (x - m.mean);
  m.min = m.min === null || x < m.min ? x : m.min;
  m.max = m.max === null || x > m.max ? x : m.max;
}

export function mergeMoments(a: FeatureMoments, b: FeatureMoments): FeatureMoments {
  const n = a.n + b.n;
  const delta = b.mean - a.mean;
  return {
    count: a.count + b.count,
    nulls: a.nulls + b.nulls,
    n,
    mean: n === 0 ? 0 : a.mean + (delta * b.n) / n,
    m2: a.m2 + b.m2 + (n === 0 ? 0 : (delta * delta * a.n * b.n) / n),
    min: a.min === null ? b.min : b.min === null ? a.min : Math.min(a.min, b.min),
    max: a.max === null ? b.max : b.max === null ? a.max : Math.max(a.max, b.max),
  };
}

/** The specification's per-feature figures; std is the population standard deviation. */
export interface FeatureSummary {
  mean: number | null;
  std: number | null;
  min: number | null;
  max: number | null;
  null_percentage: number | null;
  count: number;
}

export function summarize(m: FeatureMoments): FeatureSummary {
  return {
    mean: m.n ? m.mean : null,
    std: m.n ? Math.sqrt(m.m2 / m.n) : null,
    min: m.min,
    max: m.max,
    null_percentage: m.count ? m.nulls / m.count : null,
    count: m.count,
  };
}

const HLL_BITS = 12;
const HLL_SIZE = 1 << HLL_BITS;

export function emptySketch(): Uint8Array {
  return new Uint8Array(HLL_SIZE);
}

export function addToSketch(sketch: Uint8Array, key: string): void {
  const h = hash32(key);
  const index = h >>> (32 - HLL_BITS);
  const rest = (h << HLL_BITS) >>> 0;
  const rank = rest === 0 ? 32 - HLL_BITS + 1 : Math.clz32(rest) + 1;
  if (rank > sketch[index]) sketch[index] = rank;
}

export function mergeSketches(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(HLL_SIZE);
  for (let i = 0; i < HLL_SIZE; i++) out[i] = Math.max(a[i], b[i]);
  return out;
}

/** Estimated distinct keys (with the small-range correction). */
export function estimateDistinct(sketch: Uint8Array): number {
  let sum = 0;
  let zeros = 0;
  for (let i = 0; i < HLL_SIZE; i++) {
    sum += 2 ** -sketch[i];
    if (sketch[i] === 0) zeros++;
  }
  const alpha = 0.7213 / (1 + 1.079 / HLL_SIZE);
  const raw = (alpha * HLL_SIZE * HLL_SIZE) / sum;
  if (raw <= 2.5 * HLL_SIZE && zeros > 0) return Math.round(HLL_SIZE * Math.log(HLL_SIZE / zeros));
  return Math.round(raw);
}

export function sketchToBase64(sketch: Uint8Array): string {
  let text = "";
  for (const b of sketch) text += String.fromCharCode(b);
  return btoa(text);
}

export function sketchFromBase64(text: string): Uint8Array {
  const raw = atob(text);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}
