/**
 * Feature distributions that merge across tasks exactly, so the figures a
 * view's statistics show are counted, never estimated after the fact. Pure.
 *
 * Histograms: fixed bins that do not depend on the data, so two tasks' counts
 * add bin by bin. A bin is a power-of-two octave split in BINS_PER_OCTAVE
 * equal ratios: bin k > 0 holds |x| in [2^((k-1)/8), 2^(k/8)) times the
 * value's sign, bin 0 holds exactly 0; numbers with |x| < 2^-64 fall into the
 * bin next to 0 and |x| >= 2^64 into the last one, so the bins are finite.
 * Any bin's bounds are a pure function of its index (`binBounds`).
 *
 * Top values (strings, booleans): Misra–Gries summaries of TOP_CAPACITY
 * counters. While a feature has no more distinct values than that, every
 * count is exact; beyond it, counts are lower bounds and `maxUndercount`
 * says by how much each may be short. Summaries merge (add, then keep the
 * largest TOP_CAPACITY after subtracting the (capacity+1)-th count), with
 * the error bound added as well.
 */

export const BINS_PER_OCTAVE = 8;
const MAX_EXPONENT = 64;
export const TOP_CAPACITY = 64;

/** Sparse histogram: signed bin index → count. */
export type Histogram = Record<string, number>;

export interface TopValues {
  counts: Record<string, number>;
  /** Each count may be short of the truth by at most this much (0: exact). */
  maxUndercount: number;
}

/** The bin of a finite number (see the module comment). */
export function binOf(x: number): number {
  if (x === 0) return 0;
  const a = Math.abs(x);
  const e = Math.min(MAX_EXPONENT, Math.max(-MAX_EXPONENT, Math.log2(a)));
  const k = Math.floor(e * BINS_PER_OCTAVE) + MAX_EXPONENT * BINS_PER_OCTAVE + 1;
  return x > 0 ? k : -k;
}

/** The half-open range [low, high) of |x| a bin holds, with the bin's sign. */
export function binBounds(bin: number): { low: number; high: number } {
  if (bin === 0) return { low: 0, high: 0 };
  const k = Math.abs(bin) - MAX_EXPONENT * BINS_PER_OCTAVE - 1;
  const low = 2 ** (k / BINS_PER_OCTAVE);
  const high = 2 ** ((k + 1) / BINS_PER_OCTAVE);
  return bin > 0 ? { low, high } : { low: -high, high: -low };
}

export function addToHistogram(h: Histogram, x: number): void {
  if (!Number.isFinite(x)) return;
  const key = String(binOf(x));
  h[key] = (h[key] ?? 0) + 1;
}

export function mergeHistograms(a: Histogram, b: Histogram): Histogram {
  const out: Histogram = { ...a };
  for (const [k, n] of Object.entries(b)) out[k] = (out[k] ?? 0) + n;
  return out;
}

export function emptyTop(): TopValues {
  return { counts: Object.create(null), maxUndercount: 0 };
}

/** Misra–Gries: count `value`; a full summary decrements every counter instead. */
export function addToTop(top: TopValues, value: string): void {
  if (Object.hasOwn(top.counts, value)) {
    top.counts[value]++;
    return;
  }
  const keys = Object.keys(top.counts);
  if (keys.length < TOP_CAPACITY) {
    top.counts[value] = 1;
    return;
  }
  top.maxUndercount++;
  for (const k of keys) if (--top.counts[k] === 0) delete top.counts[k];
}

/** The union of two summaries, cut back to TOP_CAPACITY counters with the bound kept. */
export function mergeTop(a: TopValues, b: TopValues): TopValues {
  const counts: Record<string, number> = Object.create(null);
  for (const top of [a, b]) for (const [k, n] of Object.entries(top.counts)) counts[k] = (counts[k] ?? 0) + n;
  let maxUndercount = a.maxUndercount + b.maxUndercount;
  const sorted = Object.entries(counts).sort((x, y) => y[1] - x[1]);
  if (sorted.length > TOP_CAPACITY) {
    const cut = sorted[TOP_CAPACITY][1];
    maxUndercount += cut;
    const kept: Record<string, number> = Object.create(null);
    for (const [k, n] of sorted.slice(0, TOP_CAPACITY)) if (n - cut > 0) kept[k] = n - cut;
    return { counts: kept, maxUndercount };
  }
  return { counts, maxUndercount };
}

/** The `k` most frequent values, most frequent first (ties by value, for a stable answer). */
export function topValues(top: TopValues, k = 10): { value: string; count: number }[] {
  return Object.entries(top.counts)
    .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
    .slice(0, k)
    .map(([value, count]) => ({ value, count }));
}

/** A histogram as the stats route shows it: non-empty bins in ascending order, with their bounds. */
export function histogramBins(h: Histogram): { low: number; high: number; count: number }[] {
  return Object.entries(h)
    .map(([k, count]) => ({ bin: Number(k), count }))
    .sort((x, y) => x.bin - y.bin)
    .map(({ bin, count }) => ({ ...binBounds(bin), count }));
}
