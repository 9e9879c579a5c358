/**
 * One feature view: its definition, features with dtypes, freshness and
 * last materialization, online and offline record counts, and per feature
 * the statistics materialization gathered, with a histogram (numbers) or
 * top values (strings, booleans). Tokens with `materialize` can start an
 * incremental materialization of the view from here.
 */
import { useLocation } from "preact-iso/router";
import { useEffect, useState } from "preact/hooks";
import type { FeatureView, FeatureViewStats } from "../../../src/client";
import { asApiError, useApi, useConsole, useNow } from "../api";
import { ErrorPanel, Loaded, PageTitle, Tags } from "../components/feedback";
import { FeaturePlot } from "../components/feature-plots";
import { formatAgo, formatDuration, formatNumber, formatPercent, formatTime } from "../format";
import { anchor } from "../registry-model";
import { jobHref } from "./jobs";
import { ttlText } from "../components/registry-tables";

function Freshness({ stats, view }: { stats: FeatureViewStats["statistics"]; view: FeatureView }) {
  const seconds = stats.freshness_seconds;
  if (seconds === null) return <span class="muted">never materialized</span>;
  const stale = view.ttl_seconds > 0 && seconds > view.ttl_seconds;
  return (
    <>
      {formatDuration(seconds)}{" "}
      {stale ? (
        <span class="badge badge-failed">stale: older than the ttl</span>
      ) : (
        <span class="badge badge-completed">fresh</span>
      )}
      <div class="muted small">since the newest event materialized</div>
    </>
  );
}

function Summary({ view, stats, services }: { view: FeatureView; stats: FeatureViewStats; services: string[] }) {
  const now = useNow(5000);
  const s = stats.statistics;
  return (
    <dl class="facts">
      <div>
        <dt>Last materialization</dt>
        <dd>
          {s.last_materialization ? (
            <>
              {formatTime(s.last_materialization)}
              <div class="muted small">{formatAgo(s.last_materialization, now)}</div>
            </>
          ) : (
            <span class="muted">never</span>
          )}
        </dd>
      </div>
      <div>
        <dt>Freshness</dt>
        <dd>
          <Freshness stats={s} view={view} />
        </dd>
      </div>
      <div>
        <dt>Online records</dt>
        <dd>{s.online_store_records === null ? "more than can be counted" : formatNumber(s.online_store_records)}</dd>
      </div>
      <div>
        <dt>Offline rows</dt>
        <dd>{formatNumber(s.offline_store_records)}</dd>
      </div>
      <div>
        <dt>Entities (estimate)</dt>
        <dd>{formatNumber(s.total_entities)}</dd>
      </div>
      <div>
        <dt>TTL</dt>
        <dd>{ttlText(view.ttl_seconds)}</dd>
      </div>
      <div>
        <dt>Entities</dt>
        <dd>
          {view.entities.join(", ")} <span class="muted small">({view.join_keys.join(", ")})</span>
        </dd>
      </div>
      <div>
        <dt>Source</dt>
        <dd>
          <a href={`/console/#${anchor("source", view.source)}`}>{view.source}</a>
        </dd>
      </div>
      <div>
        <dt>Feature services</dt>
        <dd>{services.length > 0 ? services.join(", ") : <span class="muted">none</span>}</dd>
      </div>
      <div>
        <dt>Online · schedule</dt>
        <dd>
          {view.online ? "online" : "offline only"} · {view.schedule ?? "no schedule"}
        </dd>
      </div>
      <div>
        <dt>Tags</dt>
        <dd>
          <Tags tags={view.tags} />
        </dd>
      </div>
    </dl>
  );
}

function Features({ view, stats }: { view: FeatureView; stats: FeatureViewStats }) {
  const all = stats.statistics.feature_stats;
  return (
    <>
      <table>
        <caption>Features and the statistics of the rows the last materialization read</caption>
        <thead>
          <tr>
            <th scope="col">Feature</th>
            <th scope="col">dtype</th>
            <th scope="col" class="num">
              Rows
            </th>
            <th scope="col" class="num">
              Nulls
            </th>
            <th scope="col" class="num">
              Mean
            </th>
            <th scope="col" class="num">
              Std
            </th>
            <th scope="col" class="num">
              Min
            </th>
            <th scope="col" class="num">
              Max
            </th>
          </tr>
        </thead>
        <tbody>
          {view.features.map((f) => {
            const s = all[f.name];
            return (
              <tr key={f.name}>
                <th scope="row">
                  <a href={`#feature-${f.name}`}>{f.name}</a>
                  {f.description ? <div class="muted small">{f.description}</div> : null}
                </th>
                <td>
                  <span class="dtype">{f.dtype}</span>
                </td>
                <td class="num">{formatNumber(s?.count)}</td>
                <td class="num">{formatPercent(s?.null_percentage)}</td>
                <td class="num">{formatNumber(s?.mean)}</td>
                <td class="num">{formatNumber(s?.std)}</td>
                <td class="num">{formatNumber(s?.min)}</td>
                <td class="num">{formatNumber(s?.max)}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <div class="plots">
        {view.features.map((f) => (
          <section key={f.name} id={`feature-${f.name}`} class="plot-card" aria-labelledby={`plot-${f.name}`}>
            <h3 id={`plot-${f.name}`}>
              {f.name} <span class="dtype">{f.dtype}</span>
            </h3>
            {all[f.name] ? <FeaturePlot name={f.name} stat={all[f.name]} /> : <p class="muted">No statistics yet.</p>}
          </section>
        ))}
      </div>
    </>
  );
}

function MaterializeButton({ view }: { view: string }) {
  const { client } = useConsole();
  const { route } = useLocation();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ReturnType<typeof asApiError> | null>(null);
  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      const job = await client.materializeIncremental({ feature_views: [view] });
      route(jobHref("materialize", job.materialization_id));
    } catch (err) {
      setError(asApiError(err));
      setBusy(false);
    }
  };
  return (
    <div class="actions">
      <button type="button" onClick={start} disabled={busy}>
        {busy ? "Starting…" : "Materialize now (incremental)"}
      </button>
      {error ? <ErrorPanel error={error} title="Materialization did not start" /> : null}
    </div>
  );
}

export function ViewPage({ name }: { name: string }) {
  const { can } = useConsole();
  // Fetch the plotting chunk while the statistics load, not after.
  useEffect(() => void import("../charts/plots").catch(() => undefined), []);
  const data = useApi(
    async (client, signal) => {
      const [view, stats, services] = await Promise.all([
        client.getFeatureView(name, { signal }),
        client.getFeatureViewStats(name, { signal }),
        client.listFeatureServices({ signal }),
      ]);
      const using = services.feature_services.filter((s) => s.feature_views.includes(name)).map((s) => s.name);
      return { view, stats, services: using };
    },
    [name],
  );
  return (
    <>
      <PageTitle>
        Feature view <code>{name}</code>
      </PageTitle>
      <Loaded data={data.data} error={data.error} what="Loading the view">
        {({ view, stats, services }) => (
          <>
            {view.description ? <p>{view.description}</p> : null}
            <div class="toolbar">
              {can("materialize") && view.online ? <MaterializeButton view={name} /> : null}
              <button type="button" class="secondary" onClick={data.reload} disabled={data.loading}>
                {data.loading ? "Refreshing…" : "Refresh"}
              </button>
            </div>
            <section class="card" aria-labelledby="h-summary">
              <h2 id="h-summary">Freshness and records</h2>
              <Summary view={view} stats={stats} services={services} />
            </section>
            <section class="card" aria-labelledby="h-features">
              <h2 id="h-features">Features</h2>
              <Features view={view} stats={stats} />
            </section>
          </>
        )}
      </Loaded>
    </>
  );
}
