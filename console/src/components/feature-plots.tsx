/**
 * A feature's distribution: its histogram (numbers) or top values (strings,
 * booleans) as a plot, with the same figures as a table for keyboards and
 * screen readers. The plotting code is a chunk of its own, loaded here.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { FeatureViewStats } from "../../../src/client";
import { formatBound, formatNumber } from "../format";

type FeatureStat = FeatureViewStats["statistics"]["feature_stats"][string];

function usePlot(draw: (plots: typeof import("../charts/plots"), width: number) => Element, key: string) {
  const host = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    import("../charts/plots").then(
      (plots) => {
        const el = host.current;
        if (cancelled || !el) return;
        el.replaceChildren(draw(plots, Math.max(280, Math.min(720, el.clientWidth || 640))));
      },
      (err: unknown) => setFailed(err instanceof Error ? err.message : String(err)),
    );
    return () => {
      cancelled = true;
    };
  }, [key]);
  return { host, failed };
}

export function FeaturePlot({ name, stat }: { name: string; stat: FeatureStat }) {
  if (stat.histogram && stat.histogram.length > 0) return <HistogramFigure name={name} bins={stat.histogram} />;
  if (stat.top_values && stat.top_values.length > 0) {
    return <TopValuesFigure name={name} values={stat.top_values} undercount={stat.top_values_max_undercount ?? 0} />;
  }
  return <p class="muted">No distribution yet: materialize the view to gather one.</p>;
}

function HistogramFigure({ name, bins }: { name: string; bins: NonNullable<FeatureStat["histogram"]> }) {
  const { host, failed } = usePlot((p, width) => p.histogram(bins, name, width), `${name}:${JSON.stringify(bins)}`);
  const total = bins.reduce((n, b) => n + b.count, 0);
  return (
    <figure class="plot-figure" data-plot="histogram" data-feature={name}>
      <div class="plot" ref={host} />
      {failed ? <p role="alert">The plot could not be drawn: {failed}</p> : null}
      <figcaption>
        Histogram of <code>{name}</code>: {formatNumber(total)} non-null values in {bins.length} bins (8 per power of
        two).
      </figcaption>
      <details>
        <summary>Bins as a table</summary>
        <table class="compact">
          <thead>
            <tr>
              <th scope="col">From</th>
              <th scope="col">To (excluded)</th>
              <th scope="col">Rows</th>
            </tr>
          </thead>
          <tbody>
            {bins.map((b) => (
              <tr key={`${b.low}:${b.high}`}>
                <td>{formatBound(b.low)}</td>
                <td>{b.low === b.high ? "(exactly)" : formatBound(b.high)}</td>
                <td class="num">{formatNumber(b.count)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

function TopValuesFigure(props: { name: string; values: { value: string; count: number }[]; undercount: number }) {
  const { name, values, undercount } = props;
  const { host, failed } = usePlot((p, width) => p.topValues(values, name, width), `${name}:${JSON.stringify(values)}`);
  return (
    <figure class="plot-figure" data-plot="top-values" data-feature={name}>
      <div class="plot" ref={host} />
      {failed ? <p role="alert">The plot could not be drawn: {failed}</p> : null}
      <figcaption>
        Most frequent values of <code>{name}</code>
        {undercount > 0
          ? `: each count may be short by up to ${formatNumber(undercount)} (more distinct values than are counted exactly).`
          : ": exact counts."}
      </figcaption>
      <details>
        <summary>Values as a table</summary>
        <table class="compact">
          <thead>
            <tr>
              <th scope="col">Value</th>
              <th scope="col">Rows</th>
            </tr>
          </thead>
          <tbody>
            {values.map((v) => (
              <tr key={v.value}>
                <td>{v.value}</td>
                <td class="num">{formatNumber(v.count)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
