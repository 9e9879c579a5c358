/**
 * Apply definitions (tokens with `registry:write` only; others never see
 * this page in the menu nor its buttons): JSON as POST /apply takes it,
 * planned first (a dry run, like `larder plan`), then applied atomically.
 */
import { useState } from "preact/hooks";
import type { ApplyRequest, ApplyResponse } from "../../../src/client";
import { asApiError, useConsole } from "../api";
import { ErrorPanel, PageTitle } from "../components/feedback";

const EXAMPLE = `{
  "entities": [{ "name": "product", "join_keys": ["product_id"] }],
  "feature_views": [{
    "name": "product_features",
    "entities": ["product"],
    "schema": [{ "name": "category", "dtype": "string" }, { "name": "price", "dtype": "float64" }],
    "source": { "type": "batch", "path": "r2://larder-offline/product_source/", "timestamp_field": "event_timestamp" },
    "ttl_seconds": 86400,
    "tags": { "team": "product" }
  }]
}`;

function Plan({ answer }: { answer: ApplyResponse }) {
  const groups = [
    ["create", "Create"],
    ["update", "Update"],
    ["delete", "Delete"],
    ["unchanged", "Unchanged"],
  ] as const;
  return (
    <section class="card" aria-labelledby="h-plan">
      <h2 id="h-plan">
        {answer.dry_run ? "Plan (nothing was changed)" : `Applied: registry version ${answer.registry_version}`}
      </h2>
      <table>
        <thead>
          <tr>
            <th scope="col">Change</th>
            <th scope="col">Objects</th>
          </tr>
        </thead>
        <tbody>
          {groups.map(([key, label]) => (
            <tr key={key} data-change={key}>
              <th scope="row">{label}</th>
              <td>
                {answer.plan[key].length === 0
                  ? "–"
                  : answer.plan[key].map((e) => `${e.kind.replaceAll("_", " ")} ${e.name}`).join(", ")}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {answer.warnings.map((w) => (
        <p key={w.data_source} class="warning">
          Data source <code>{w.data_source}</code> ({w.path}): {w.problem}
        </p>
      ))}
    </section>
  );
}

export function ApplyPage() {
  const { client, can } = useConsole();
  const [text, setText] = useState("");
  const [replace, setReplace] = useState(false);
  const [answer, setAnswer] = useState<ApplyResponse | null>(null);
  const [error, setError] = useState<ReturnType<typeof asApiError> | null>(null);
  const [busy, setBusy] = useState(false);

  if (!can("registry:write")) {
    return (
      <>
        <PageTitle>Apply definitions</PageTitle>
        <p>This token cannot change the registry: applying needs the registry:write scope.</p>
      </>
    );
  }

  const send = async (dryRun: boolean) => {
    setError(null);
    let body: ApplyRequest;
    try {
      body = JSON.parse(text) as ApplyRequest;
    } catch (err) {
      setError(asApiError(err, "MALFORMED_JSON"));
      return;
    }
    setBusy(true);
    try {
      const request = { ...body, replace };
      setAnswer(dryRun ? await client.plan(request) : await client.apply({ ...request, dry_run: false }));
    } catch (err) {
      setAnswer(null);
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <PageTitle>Apply definitions</PageTitle>
      <form class="card" onSubmit={(e) => e.preventDefault()} aria-labelledby="h-definitions">
        <h2 id="h-definitions">Definitions</h2>
        <label class="field">
          <span>
            JSON as <code>POST /apply</code> takes it: <code>entities</code>, <code>data_sources</code>,{" "}
            <code>feature_views</code>, <code>feature_services</code>, <code>push_sources</code>
          </span>
          <textarea
            rows={14}
            class="mono"
            value={text}
            placeholder={EXAMPLE}
            spellcheck={false}
            onInput={(e) => setText(e.currentTarget.value)}
          />
        </label>
        <label class="check">
          <input type="checkbox" checked={replace} onChange={(e) => setReplace(e.currentTarget.checked)} /> Replace:
          these definitions are the whole registry (objects they leave out are deleted)
        </label>
        <div class="toolbar">
          <button type="button" class="secondary" onClick={() => send(true)} disabled={busy || !text.trim()}>
            Plan
          </button>
          <button type="button" onClick={() => send(false)} disabled={busy || !text.trim()}>
            Apply
          </button>
        </div>
      </form>
      {error ? <ErrorPanel error={error} title="Apply failed" /> : null}
      {answer ? <Plan answer={answer} /> : null}
    </>
  );
}
