/**
 * One feature's statistics as materialization gathers them, by dtype:
 * moments for every feature (count, nulls, mean, std, min, max), a fixed-bin
 * histogram for numeric ones and top values for strings and booleans
 * (domain/distributions.ts). Profiles merge across tasks exactly. Pure.
 */
import {
  addToHistogram,
  addToTop,
  emptyTop,
  type Histogram,
  histogramBins,
  mergeHistograms,
  mergeTop,
  type TopValues,
  topValues,
} from "./distributions";
import type { Dtype } from "./dtypes";
import {
  addValue,
  emptyMoments,
  type FeatureMoments,
  type FeatureSummary,
  mergeMoments,
  summarize,
} from "./feature-stats";

export interface FeatureProfile {
  moments: FeatureMoments;
  histogram?: Histogram;
  top?: TopValues;
}

const NUMERIC: readonly string[] = ["int32", "int64", "float32", "float64"];

export function emptyProfile(dtype: Dtype): FeatureProfile {
  if (NUMERIC.includes(dtype)) return { moments: emptyMoments(), histogram: {} };
  if (dtype === "string" || dtype === "bool") return { moments: emptyMoments(), top: emptyTop() };
  return { moments: emptyMoments() };
}

export function addToProfile(p: FeatureProfile, value: unknown): void {
  addValue(p.moments, value);
  if (value === null || value === undefined) return;
  if (p.histogram && typeof value === "number") addToHistogram(p.histogram, value);
  else if (p.histogram && typeof value === "string" && /^-?\d+$/.test(value))
    addToHistogram(p.histogram, Number(value));
  else if (p.top && (typeof value === "string" || typeof value === "boolean")) addToTop(p.top, String(value));
}

export function mergeProfiles(a: FeatureProfile, b: FeatureProfile): FeatureProfile {
  return {
    moments: mergeMoments(a.moments, b.moments),
    ...(a.histogram || b.histogram ? { histogram: mergeHistograms(a.histogram ?? {}, b.histogram ?? {}) } : {}),
    ...(a.top || b.top ? { top: mergeTop(a.top ?? emptyTop(), b.top ?? emptyTop()) } : {}),
  };
}

export interface FeatureDescription extends FeatureSummary {
  /** Numeric features: the non-empty fixed bins, ascending, with their bounds. */
  histogram?: { low: number; high: number; count: number }[];
  /** Strings and booleans: the 10 most frequent values. */
  top_values?: { value: string; count: number }[];
  /** How much each top value's count may be short of the truth (0: exact). */
  top_values_max_undercount?: number;
}

export function describeProfile(p: FeatureProfile): FeatureDescription {
  return {
    ...summarize(p.moments),
    ...(p.histogram ? { histogram: histogramBins(p.histogram) } : {}),
    ...(p.top ? { top_values: topValues(p.top), top_values_max_undercount: p.top.maxUndercount } : {}),
  };
}
