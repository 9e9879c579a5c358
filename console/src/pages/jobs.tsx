/**
 * Jobs: the project's materialization and historical jobs (GET /jobs),
 * newest first, filtered by kind and state, refreshed every 2 s while one
 * is queued or running, each linking to its detail page.
 */
import { useLocation } from "preact-iso/router";
import { useState } from "preact/hooks";
import type { JobSummary, JobsQuery } from "../../../src/client";
import { asApiError, isTransient, useApi, useConsole, useNow, usePolling } from "../api";
import { ErrorPanel, Loaded, PageTitle, Progress, StatusBadge } from "../components/feedback";
import { formatAgo, formatDuration, formatNumber } from "../format";

export type JobKind = JobSummary["kind"];

export const jobHref = (kind: JobKind, id: string) => `/console/jobs/${kind}/${encodeURIComponent(id)}`;

export const isRunning = (status: string) => status === "queued" || status === "in_progress";

function JobRow({ job, now }: { job: JobSummary; now: number }) {
  return (
    <tr data-job={job.job_id} data-status={job.status}>
      <th scope="row">
        <a href={jobHref(job.kind, job.job_id)}>{job.job_id}</a>
      </th>
      <td>{job.kind === "materialize" ? `materialize (${job.trigger ?? "?"})` : "historical"}</td>
      <td>
        <StatusBadge status={job.status} />
      </td>
      <td>{job.feature_views.join(", ") || "–"}</td>
      <td>
        <Progress done={job.progress.tasks_done} total={job.progress.tasks_total} label={`Progress of ${job.job_id}`} />
      </td>
      <td class="num">{formatNumber(job.rows_read)}</td>
      <td class="num">{formatNumber(job.rows_written)}</td>
      <td>
        {formatAgo(job.created_at, now)}
        <div class="muted small">took {formatDuration(job.duration_seconds)}</div>
      </td>
      <td class="num">{job.errors.length > 0 ? <span class="error-text">{job.errors.length}</span> : "0"}</td>
    </tr>
  );
}

function StartIncremental({ onStarted }: { onStarted: (id: string) => void }) {
  const { client } = useConsole();
  const [error, setError] = useState<ReturnType<typeof asApiError> | null>(null);
  const [busy, setBusy] = useState(false);
  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      onStarted((await client.materializeIncremental({})).materialization_id);
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" onClick={start} disabled={busy}>
        {busy ? "Starting…" : "Materialize every online view (incremental)"}
      </button>
      {error ? <ErrorPanel error={error} title="Materialization did not start" /> : null}
    </>
  );
}

export function JobsPage() {
  const { can } = useConsole();
  const { route } = useLocation();
  const [kind, setKind] = useState<JobsQuery["kind"]>(undefined);
  const [status, setStatus] = useState<JobsQuery["status"]>(undefined);
  const jobs = useApi((client, signal) => client.listJobs({ kind, status, limit: 50 }, { signal }), [kind, status]);
  const running = jobs.data?.jobs.some((j) => isRunning(j.status)) ?? false;
  usePolling(jobs, 2000, running || isTransient(jobs.error));
  const now = useNow();
  return (
    <>
      <PageTitle>Jobs</PageTitle>
      <div class="toolbar">
        <label>
          Kind{" "}
          <select
            value={kind ?? ""}
            onChange={(e) => setKind((e.currentTarget.value || undefined) as JobsQuery["kind"])}
          >
            <option value="">all</option>
            <option value="materialize">materialization</option>
            <option value="historical">historical</option>
          </select>
        </label>
        <label>
          State{" "}
          <select
            value={status ?? ""}
            onChange={(e) => setStatus((e.currentTarget.value || undefined) as JobsQuery["status"])}
          >
            <option value="">all</option>
            <option value="queued">queued</option>
            <option value="in_progress">running</option>
            <option value="completed">completed</option>
            <option value="failed">failed</option>
          </select>
        </label>
        <button type="button" class="secondary" onClick={jobs.reload}>
          Refresh
        </button>
        {can("materialize") ? <StartIncremental onStarted={(id) => route(jobHref("materialize", id))} /> : null}
      </div>
      <p class="muted small" aria-live="polite">
        {running ? "Jobs are running: this list refreshes every 2 s." : ""}
        {isTransient(jobs.error) ? "Trying again every 2 s." : ""}
      </p>
      <Loaded data={jobs.data} error={jobs.error} what="Loading jobs">
        {(data) =>
          data.jobs.length === 0 ? (
            <p class="muted">No job matches.</p>
          ) : (
            <table>
              <caption class="visually-hidden">Jobs, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Job</th>
                  <th scope="col">Kind</th>
                  <th scope="col">State</th>
                  <th scope="col">Views</th>
                  <th scope="col">Progress</th>
                  <th scope="col" class="num">
                    Rows read
                  </th>
                  <th scope="col" class="num">
                    Rows written
                  </th>
                  <th scope="col">Created</th>
                  <th scope="col">Errors</th>
                </tr>
              </thead>
              <tbody>
                {data.jobs.map((job) => (
                  <JobRow key={job.job_id} job={job} now={now} />
                ))}
              </tbody>
            </table>
          )
        }
      </Loaded>
      {jobs.data?.has_more ? <p class="muted small">Showing the newest 50.</p> : null}
    </>
  );
}
