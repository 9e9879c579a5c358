/** Fixed-bin histograms and Misra–Gries top values: counted, and merged across tasks exactly. */
import { describe, expect, it } from "vitest";
import {
  addToHistogram,
  addToTop,
  binBounds,
  binOf,
  emptyTop,
  type Histogram,
  histogramBins,
  mergeHistograms,
  mergeTop,
  TOP_CAPACITY,
  topValues,
} from "../../src/domain/distributions";
import { addToProfile, describeProfile, emptyProfile, mergeProfiles } from "../../src/domain/feature-profile";
import { rng } from "../prng";

describe("fixed bins", () => {
  it("put every value inside its bin's bounds, with the sign", () => {
    const random = rng(1);
    for (let i = 0; i < 5000; i++) {
      const x = (random() - 0.5) * 10 ** Math.floor(random() * 12 - 4);
      const { low, high } = binBounds(binOf(x));
      if (x === 0) expect([low, high]).toEqual([0, 0]);
      else if (x > 0) expect(x >= low * (1 - 1e-12) && x < high * (1 + 1e-12)).toBe(true);
      else expect(x > low * (1 + 1e-12) && x <= high * (1 - 1e-12)).toBe(true);
    }
  });

  it("are eight per power of two, the same for every task", () => {
    expect(binBounds(binOf(1))).toEqual({ low: 1, high: 2 ** (1 / 8) });
    expect(binOf(3) - binOf(1.5)).toBe(8);
  });

  it("merge by adding counts: two halves give the whole", () => {
    const random = rng(2);
    const values = Array.from({ length: 2000 }, () => Math.round((random() - 0.3) * 1000));
    const whole: Histogram = {};
    const a: Histogram = {};
    const b: Histogram = {};
    values.forEach((v, i) => {
      addToHistogram(whole, v);
      addToHistogram(i % 2 ? a : b, v);
    });
    expect(mergeHistograms(a, b)).toEqual(whole);
    const bins = histogramBins(whole);
    expect(bins.reduce((n, b) => n + b.count, 0)).toBe(2000);
    expect(bins.map((b) => b.low)).toEqual([...bins.map((b) => b.low)].sort((x, y) => x - y));
  });
});

describe("top values", () => {
  it("are exact while there are no more distinct values than the capacity", () => {
    const a = emptyTop();
    const b = emptyTop();
    for (let i = 0; i < 300; i++) addToTop(i % 3 ? a : b, `v${i % 7}`);
    const merged = mergeTop(a, b);
    expect(merged.maxUndercount).toBe(0);
    const total = topValues(merged, 7).reduce((n, t) => n + t.count, 0);
    expect(total).toBe(300);
  });

  it("beyond the capacity, undercount each value by at most maxUndercount, never overcount", () => {
    const random = rng(3);
    const truth = new Map<string, number>();
    const parts = [emptyTop(), emptyTop(), emptyTop()];
    for (let i = 0; i < 20_000; i++) {
      // A few heavy values and a long tail of distinct ones.
      const v = random() < 0.5 ? `hot${Math.floor(random() * 5)}` : `tail${Math.floor(random() * 5000)}`;
      truth.set(v, (truth.get(v) ?? 0) + 1);
      addToTop(parts[i % 3], v);
    }
    const merged = mergeTop(mergeTop(parts[0], parts[1]), parts[2]);
    expect(Object.keys(merged.counts).length).toBeLessThanOrEqual(TOP_CAPACITY);
    expect(merged.maxUndercount).toBeGreaterThan(0);
    for (const [v, n] of Object.entries(merged.counts)) {
      expect(n).toBeLessThanOrEqual(truth.get(v)!);
      expect(n).toBeGreaterThanOrEqual(truth.get(v)! - merged.maxUndercount);
    }
    expect(
      topValues(merged, 5)
        .map((t) => t.value)
        .sort(),
    ).toEqual(["hot0", "hot1", "hot2", "hot3", "hot4"]);
  });
});

describe("feature profiles", () => {
  it("give numeric features a histogram and strings their top values", () => {
    const n = emptyProfile("float64");
    const s = emptyProfile("string");
    for (const v of [1, 2, 2, null]) addToProfile(n, v);
    for (const v of ["a", "b", "a", null]) addToProfile(s, v);
    const merged = describeProfile(mergeProfiles(n, emptyProfile("float64")));
    expect(merged).toMatchObject({ count: 4, min: 1, max: 2, null_percentage: 0.25 });
    expect(merged.histogram?.map((b) => b.count)).toEqual([1, 2]);
    expect(describeProfile(s).top_values).toEqual([
      { value: "a", count: 2 },
      { value: "b", count: 1 },
    ]);
    expect(describeProfile(emptyProfile("unix_timestamp"))).not.toHaveProperty("histogram");
  });
});
