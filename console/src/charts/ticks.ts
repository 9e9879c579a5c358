/**
 * Axis ticks for the histograms' logarithmic axes. Pure.
 *
 * d3's own ticks crowd on these axes (symlog ticks are spaced linearly;
 * log ticks over a few decades put 300, 400 and 500 side by side), so the
 * ticks are 1, 2 and 5 times powers of ten, only powers of ten (every
 * other one, if need be) when those would be too many, and zero when a
 * symlog axis holds it.
 */

const MAX_TICKS = 7;

/** m × 10^e within [lo, hi] (lo > 0), ascending. */
function powersWithin(lo: number, hi: number, multiples: readonly number[]): number[] {
  const out: number[] = [];
  if (!(lo > 0) || !(hi >= lo)) return out;
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of multiples) {
      // Rounded so that 3 × 0.1 reads 0.3, not 0.30000000000000004.
      const tick = Number((m * 10 ** e).toPrecision(12));
      if (tick >= lo && tick <= hi) out.push(tick);
    }
  }
  return out;
}

/** At most `budget` ticks in [lo, hi] (lo > 0). */
function sideTicks(lo: number, hi: number, budget: number): number[] {
  const fine = powersWithin(lo, hi, [1, 2, 5]);
  if (fine.length <= budget) return fine;
  let ticks = powersWithin(lo, hi, [1]);
  while (ticks.length > budget) ticks = ticks.filter((_, i) => i % 2 === 0);
  return ticks;
}

/**
 * Ticks for an axis over [min, max]: a log axis (min and max of one sign)
 * or a symlog one whose linear part ends at `constant`; undefined (let the
 * scale choose) when fewer than 3 would be shown, as on an axis within one
 * decade.
 */
export function logAxisTicks(min: number, max: number, symlog: boolean, constant = 1): number[] | undefined {
  let ticks: number[];
  if (!symlog) {
    if (min > 0) ticks = sideTicks(min, max, MAX_TICKS);
    else if (max < 0)
      ticks = sideTicks(-max, -min, MAX_TICKS)
        .map((t) => -t)
        .reverse();
    else return undefined;
  } else {
    const floor = constant > 0 ? constant : 1;
    const budget = min < 0 && max > 0 ? 3 : MAX_TICKS - 1;
    const negative =
      min < 0
        ? sideTicks(floor, -min, budget)
            .map((t) => -t)
            .reverse()
        : [];
    const positive = max > 0 ? sideTicks(floor, max, budget) : [];
    ticks = [...negative, ...(min <= 0 && max >= 0 ? [0] : []), ...positive];
  }
  return ticks.length >= 3 ? ticks : undefined;
}
