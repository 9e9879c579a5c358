/**
 * Training-set try-out: paste a small entity table (CSV or tab-separated,
 * with a header: join keys, event_timestamp, any labels), get the
 * point-in-time-correct rows of POST /historical-features and the signed
 * download link of the same rows as Parquet. A request the server runs as
 * a job (over 50,000 rows) is followed on the job's page.
 */
import { useLocation } from "preact-iso/router";
import { useState } from "preact/hooks";
import { type HistoricalResponse, isHistoricalJob } from "../../../src/client";
import { asApiError, useApi, useConsole } from "../api";
import { ErrorPanel, Loaded, PageTitle } from "../components/feedback";
import {
  FeaturePicker,
  initialSelection,
  joinKeysOf,
  type Selection,
  selectionRequest,
} from "../components/feature-picker";
import { formatNumber, formatTime, formatValue } from "../format";
import { loadRegistry, type Registry } from "../registry-model";
import { jobHref } from "./jobs";

/** Rows shown in the page; the download has them all. */
const SHOWN_ROWS = 200;

function exampleTable(keys: string[]): string {
  const day = (d: number) => `${new Date(Date.now() - d * 86_400_000).toISOString().slice(0, 19)}Z`;
  const header = [...keys, "event_timestamp", "label"].join(",");
  const row = (i: number, d: number) =>
    [...keys.map((k) => `${k.replace(/_id$/, "")}_00${i}`), day(d), i % 2].join(",");
  return [header, row(1, 1), row(2, 2), row(3, 3)].join("\n");
}

function Rows({ result }: { result: HistoricalResponse }) {
  const columns = result.data.length > 0 ? Object.keys(result.data[0]) : [];
  const m = result.metadata;
  return (
    <section class="card" aria-labelledby="h-training-rows">
      <h2 id="h-training-rows">
        {formatNumber(m.rows_count)} rows × {m.features_count} features
      </h2>
      <p>
        <a class="button" href={result.download_url} download>
          Download the training set (Parquet)
        </a>{" "}
        <span class="muted small">
          signed link, no token needed, valid until {formatTime(result.download_expires_at)} · {result.storage_uri}
        </span>
      </p>
      <p class="muted small">
        {formatNumber(m.processing_time_ms)} ms: read {formatNumber(m.timings.read_ms)} ms (
        {formatNumber(m.rows_scanned)} offline rows from {m.files_read} files), join {formatNumber(m.timings.join_ms)}{" "}
        ms, write {formatNumber(m.timings.write_ms)} ms
      </p>
      <div class="scroll">
        <table class="compact" data-rows={result.data.length}>
          <caption class="visually-hidden">The training rows</caption>
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c} scope="col">
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {result.data.slice(0, SHOWN_ROWS).map((row, i) => (
              <tr key={i}>
                {columns.map((c) => (
                  <td key={c} class={row[c] === null ? "muted" : ""}>
                    {formatValue(row[c])}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {result.data.length > SHOWN_ROWS || result.truncated ? (
        <p class="muted small">The first {SHOWN_ROWS} rows are shown; the download has all of them.</p>
      ) : null}
    </section>
  );
}

function TrainingForm({ registry }: { registry: Registry }) {
  const { client } = useConsole();
  const { route } = useLocation();
  const [selection, setSelection] = useState<Selection>(() => initialSelection(registry));
  const [table, setTable] = useState("");
  const [result, setResult] = useState<HistoricalResponse | null>(null);
  const [error, setError] = useState<ReturnType<typeof asApiError> | null>(null);
  const [busy, setBusy] = useState(false);
  const keys = joinKeysOf(registry, selection).map((k) => k.name);

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const { parseEntityTable } = await import("../entity-table");
      const entity_df = parseEntityTable(table, keys);
      const answer = await client.getHistoricalFeatures({
        ...selectionRequest(selection),
        entity_df,
        full_feature_names: true,
      });
      if (isHistoricalJob(answer)) route(jobHref("historical", answer.job_id));
      else setResult(answer);
    } catch (err) {
      setResult(null);
      const local = err instanceof Error && err.name === "EntityTableError";
      setError(asApiError(err, local ? "INVALID_ENTITY_TABLE" : undefined));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <form class="card" onSubmit={submit} aria-labelledby="h-training">
        <h2 id="h-training">Entity table</h2>
        <FeaturePicker registry={registry} value={selection} onChange={setSelection} onlineOnly={false} idPrefix="tr" />
        <label class="field">
          <span>
            Entity rows: CSV or tab-separated, with a header of the join keys ({keys.join(", ") || "choose features"}),{" "}
            <code>event_timestamp</code> and any label columns
          </span>
          <textarea
            rows={8}
            class="mono"
            value={table}
            spellcheck={false}
            onInput={(e) => setTable(e.currentTarget.value)}
          />
        </label>
        <div class="toolbar">
          <button type="button" class="secondary" onClick={() => setTable(exampleTable(keys))} disabled={!keys.length}>
            Fill in an example
          </button>
          <button type="submit" disabled={busy || !keys.length}>
            {busy ? "Joining…" : "Get the training set"}
          </button>
        </div>
      </form>
      {error ? <ErrorPanel error={error} title="The training set failed" /> : null}
      {result ? <Rows result={result} /> : null}
    </>
  );
}

export function TrainingPage() {
  const registry = useApi(loadRegistry, []);
  return (
    <>
      <PageTitle>Training set</PageTitle>
      <p class="muted">
        Point-in-time-correct rows for a small entity table: for each row, every feature as it was at its{" "}
        <code>event_timestamp</code> (within the view's ttl), as POST /historical-features gives them.
      </p>
      <Loaded data={registry.data} error={registry.error} what="Loading the registry">
        {(r) => <TrainingForm registry={r} />}
      </Loaded>
    </>
  );
}
