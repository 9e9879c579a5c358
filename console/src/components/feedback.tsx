/** What the console shows while it waits, when something failed, and how jobs are going. */
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import type { LarderApiError } from "../../../src/client";
import { formatNumber } from "../format";

/**
 * An API failure with its code and message (never a blank page), the HTTP
 * status and request id to quote, and the details the server gave.
 */
export function ErrorPanel({ error, title = "The request failed" }: { error: LarderApiError; title?: string }) {
  const details = error.details && Object.keys(error.details).length > 0 ? error.details : null;
  return (
    <div class="error-panel" role="alert">
      <p class="error-title">
        <strong>{title}:</strong> <code class="error-code">{error.code}</code>
        {error.status ? <span class="muted"> (HTTP {error.status})</span> : null}
      </p>
      <p class="error-message">{error.message}</p>
      {details ? (
        <details>
          <summary>Details</summary>
          <pre>{JSON.stringify(details, null, 2)}</pre>
        </details>
      ) : null}
      {error.requestId ? <p class="muted small">Request id {error.requestId}</p> : null}
    </div>
  );
}

export function Loading({ what = "Loading" }: { what?: string }) {
  return (
    <p class="loading" role="status">
      {what}…
    </p>
  );
}

/** Loading, the error, or the content once there is data. */
export function Loaded<T>(props: {
  data: T | undefined;
  error: LarderApiError | undefined;
  what?: string;
  children: (data: T) => ComponentChildren;
}) {
  if (props.error && props.data === undefined) return <ErrorPanel error={props.error} />;
  if (props.data === undefined) return <Loading what={props.what} />;
  return (
    <>
      {props.error ? <ErrorPanel error={props.error} title="Refreshing failed" /> : null}
      {props.children(props.data)}
    </>
  );
}

const STATUS_LABELS: Record<string, string> = {
  queued: "queued",
  in_progress: "running",
  completed: "completed",
  failed: "failed",
  PRESENT: "PRESENT",
  NOT_FOUND: "NOT_FOUND",
  NULL_VALUE: "NULL_VALUE",
  OUTSIDE_MAX_AGE: "OUTSIDE_MAX_AGE",
};

/** A job or value status as a labelled badge (colour is never the only sign: the word is there). */
export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge badge-${status.toLowerCase()}`}>{STATUS_LABELS[status] ?? status}</span>;
}

/** Tasks done of total, as a native progress bar with its figures in words. */
export function Progress({ done, total, label }: { done: number; total: number; label: string }) {
  const fraction = total > 0 ? done / total : 1;
  return (
    <span class="progress">
      <progress max={1} value={fraction} aria-label={label} />
      <span class="small">
        {formatNumber(done)} / {formatNumber(total)} tasks
      </span>
    </span>
  );
}

export function Tags({ tags }: { tags: Record<string, string> }) {
  const entries = Object.entries(tags);
  if (entries.length === 0) return <span class="muted">–</span>;
  return (
    <ul class="tags" aria-label="Tags">
      {entries.map(([k, v]) => (
        <li key={k}>
          <span class="tag">
            {k}={v}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** A page's title, focused on arrival so keyboard and screen-reader users start at the new page. */
export function PageTitle({ children }: { children: ComponentChildren }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => ref.current?.focus({ preventScroll: true }), []);
  return (
    <h1 tabIndex={-1} class="page-title" ref={ref}>
      {children}
    </h1>
  );
}
