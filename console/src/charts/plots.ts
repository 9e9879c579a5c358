/**
 * The statistics plots, drawn with Observable Plot as SVG. Loaded on demand
 * (a chunk of its own), so pages without plots never download Plot.
 *
 * Histograms draw the bins the stats route gives exactly as given: each bar
 * spans its bin's [low, high) and its height is the bin's count. The bins
 * are 8 per power of two (src/domain/distributions.ts), equal widths on a
 * logarithmic axis, so the x axis is logarithmic (bars of equal width, so
 * heights compare honestly); when the bins hold zero or values of both
 * signs it is symmetric-logarithmic, linear near zero. The bin of exactly 0
 * has no width and is drawn as a thick line at 0.
 */
import { barX, plot, rectY, ruleX, ruleY, text } from "@observablehq/plot";
import { formatBound, formatNumber } from "../format";
import { logAxisTicks } from "./ticks";

export interface Bin {
  low: number;
  high: number;
  count: number;
}

export interface TopValue {
  value: string;
  count: number;
}

const FILL = "#2357a6";
const rows = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });
const rowsTick = (n: number) => rows.format(n);

/** The x scale for bins: log when all are on one side of zero, else symlog with its linear part at the smallest bound. */
export function histogramScale(bins: readonly Bin[]): { type: "log" | "symlog"; constant?: number } {
  if (bins.every((b) => b.low > 0) || bins.every((b) => b.high < 0)) return { type: "log" };
  const bounds = bins.flatMap((b) => [Math.abs(b.low), Math.abs(b.high)]).filter((v) => v > 0);
  return { type: "symlog", constant: bounds.length > 0 ? Math.min(...bounds) : 1 };
}

export function histogram(bins: readonly Bin[], feature: string, width: number): Element {
  const ranged = bins.filter((b) => b.high !== b.low);
  const points = bins.filter((b) => b.high === b.low);
  const scale = histogramScale(bins);
  const ticks = logAxisTicks(bins[0].low, bins[bins.length - 1].high, scale.type === "symlog", scale.constant);
  const describe = (b: Bin) =>
    b.low === b.high
      ? `exactly ${formatBound(b.low)}: ${formatNumber(b.count)} rows`
      : `${formatBound(b.low)} to ${formatBound(b.high)}: ${formatNumber(b.count)} rows`;
  return plot({
    width,
    height: 200,
    marginLeft: 48,
    ariaLabel: `Histogram of ${feature}`,
    ariaDescription: `${bins.length} bins from ${formatBound(bins[0].low)} to ${formatBound(bins[bins.length - 1].high)}, on a ${scale.type === "log" ? "logarithmic" : "symmetric logarithmic"} axis`,
    x: {
      ...scale,
      label: `${feature} (${scale.type === "log" ? "log" : "symlog"} scale)`,
      labelAnchor: "center",
      tickFormat: formatBound,
      ...(ticks ? { ticks } : { ticks: 5 }),
    },
    y: { label: "rows", grid: true, tickFormat: rowsTick },
    marks: [
      rectY(ranged, {
        x1: "low",
        x2: "high",
        y: "count",
        fill: FILL,
        insetLeft: 0.5,
        insetRight: 0.5,
        title: describe,
      }),
      ruleX(points, { x: "low", y1: 0, y2: "count", stroke: FILL, strokeWidth: 4, title: describe }),
      ruleY([0]),
    ],
  });
}

export function topValues(values: readonly TopValue[], feature: string, width: number): Element {
  const longest = Math.max(...values.map((v) => v.value.length), 4);
  return plot({
    width,
    height: 28 + values.length * 24,
    marginLeft: Math.min(180, 12 + longest * 7),
    marginRight: 56,
    ariaLabel: `Most frequent values of ${feature}`,
    x: { label: "rows", grid: true, tickFormat: rowsTick, ticks: 4 },
    y: { label: null, domain: values.map((v) => v.value), tickFormat: (v: string) => truncate(v, 24) },
    marks: [
      barX(values, { x: "count", y: "value", fill: FILL, title: (v: TopValue) => `${v.value}: ${v.count}` }),
      text(values, {
        x: "count",
        y: "value",
        text: (v: TopValue) => formatNumber(v.count),
        dx: 4,
        textAnchor: "start",
      }),
      ruleX([0]),
    ],
  });
}

function truncate(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, max - 1)}…` : value;
}
