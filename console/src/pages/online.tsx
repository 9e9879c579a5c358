/**
 * Online lookup: entity keys in, each feature's value, status (PRESENT,
 * NOT_FOUND, NULL_VALUE, OUTSIDE_MAX_AGE), event time and age out, read
 * with POST /online-features exactly as a model server would.
 */
import { useState } from "preact/hooks";
import type { OnlineFeaturesResponse } from "../../../src/client";
import { asApiError, useApi, useConsole } from "../api";
import { ErrorPanel, Loaded, PageTitle, StatusBadge } from "../components/feedback";
import {
  FeaturePicker,
  initialSelection,
  joinKeysOf,
  type Selection,
  selectionRequest,
} from "../components/feature-picker";
import { parseKeyList, typedKey } from "../entity-keys";
import { formatAgo, formatNumber, formatTime, formatValue } from "../format";
import { loadRegistry, type Registry } from "../registry-model";

interface Answer {
  response: OnlineFeaturesResponse;
  answeredAt: number;
}

function Results({ answer }: { answer: Answer }) {
  const { response, answeredAt } = answer;
  const rows = Object.keys(response.features);
  return (
    <section class="card" aria-labelledby="h-online-results">
      <h2 id="h-online-results">
        {rows.length} entit{rows.length === 1 ? "y" : "ies"} ·{" "}
        <span class="muted small">
          {formatNumber(response.metadata.latency_ms)} ms on the server, {response.metadata.keys_read} keys read
        </span>
      </h2>
      {rows.map((key) => (
        <table key={key} class="lookup" data-entity={key}>
          <caption>
            <code>{key}</code>
          </caption>
          <thead>
            <tr>
              <th scope="col">Feature</th>
              <th scope="col">Value</th>
              <th scope="col">Status</th>
              <th scope="col">Event time</th>
              <th scope="col">Age</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(response.features[key]).map(([feature, value]) => {
              const status = response.statuses?.[key]?.[feature] ?? "PRESENT";
              const at = response.event_timestamps?.[key]?.[feature] ?? null;
              return (
                <tr key={feature} data-feature={feature} data-status={status}>
                  <th scope="row">
                    <code>{feature}</code>
                  </th>
                  <td class={value === null ? "muted" : ""}>{formatValue(value)}</td>
                  <td>
                    <StatusBadge status={status} />
                  </td>
                  <td>{formatTime(at)}</td>
                  <td>{at ? formatAgo(at, answeredAt) : "–"}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ))}
    </section>
  );
}

function LookupForm({ registry }: { registry: Registry }) {
  const { client } = useConsole();
  const [selection, setSelection] = useState<Selection>(() => initialSelection(registry));
  const [keys, setKeys] = useState<Record<string, string>>({});
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [error, setError] = useState<ReturnType<typeof asApiError> | null>(null);
  const [busy, setBusy] = useState(false);
  const joinKeys = joinKeysOf(registry, selection);

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    const entities: Record<string, (string | number)[]> = {};
    for (const key of joinKeys)
      entities[key.name] = parseKeyList(keys[key.name] ?? "").map((v) => typedKey(v, key.valueType));
    setBusy(true);
    try {
      const response = await client.getOnlineFeatures({
        ...selectionRequest(selection),
        entities,
        full_feature_names: true,
        include_statuses: true,
        include_event_timestamps: true,
      });
      setAnswer({ response, answeredAt: Date.now() });
    } catch (err) {
      setAnswer(null);
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <form class="card" onSubmit={submit} aria-labelledby="h-lookup">
        <h2 id="h-lookup">Look up entities</h2>
        <FeaturePicker registry={registry} value={selection} onChange={setSelection} onlineOnly idPrefix="online" />
        {joinKeys.length === 0 ? <p class="muted">Choose features to see which keys they need.</p> : null}
        {joinKeys.map((key) => (
          <label key={key.name} class="field">
            <span>
              <code>{key.name}</code> <span class="dtype">{key.valueType ?? ""}</span> values
            </span>
            <textarea
              rows={2}
              value={keys[key.name] ?? ""}
              placeholder="cust_12345, cust_67890"
              onInput={(e) => setKeys({ ...keys, [key.name]: e.currentTarget.value })}
              aria-describedby="keys-help"
            />
          </label>
        ))}
        <p id="keys-help" class="muted small">
          Separate values with commas, spaces or new lines. For a composite key, give each key's values in the same
          order.
        </p>
        <button type="submit" disabled={busy || joinKeys.length === 0}>
          {busy ? "Reading…" : "Read online features"}
        </button>
      </form>
      {error ? <ErrorPanel error={error} title="The lookup failed" /> : null}
      {answer ? <Results answer={answer} /> : null}
    </>
  );
}

export function OnlinePage() {
  const registry = useApi(loadRegistry, []);
  return (
    <>
      <PageTitle>Online lookup</PageTitle>
      <p class="muted">
        Values as a model server reads them (POST /online-features), with each value's status and age; the view's ttl
        applies on read.
      </p>
      <Loaded data={registry.data} error={registry.error} what="Loading the registry">
        {(r) => <LookupForm registry={r} />}
      </Loaded>
    </>
  );
}
