/**
 * One job, followed live: the job's own status route (materialization-status
 * or historical-features/{id}) polled every second until it completes or
 * fails, with progress, rows, timings, errors and, for a historical job, the
 * download link. State changes are announced to screen readers. A token
 * the status route refuses (it needs `materialize`, or `offline:read` for a
 * historical job) still follows the job through GET /jobs (`registry:read`).
 */
import type { HistoricalJobStatus, JobSummary, LarderApiError, MaterializationStatus } from "../../../src/client";
import { asApiError, isTransient, useApi, usePolling } from "../api";
import { Loaded, PageTitle, Progress, StatusBadge } from "../components/feedback";
import { formatDuration, formatNumber, formatTime } from "../format";
import { isRunning, type JobKind } from "./jobs";

function Errors({ errors }: { errors: { task: string; reason: string }[] }) {
  if (errors.length === 0) return <p>No errors.</p>;
  return (
    <table>
      <caption>Errors</caption>
      <thead>
        <tr>
          <th scope="col">Task</th>
          <th scope="col">Reason</th>
        </tr>
      </thead>
      <tbody>
        {errors.map((e) => (
          <tr key={`${e.task}:${e.reason}`}>
            <td>
              <code>{e.task}</code>
            </td>
            <td>{e.reason}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Materialization({ job }: { job: MaterializationStatus }) {
  return (
    <dl class="facts">
      <div>
        <dt>Feature views</dt>
        <dd>{job.feature_views.join(", ")}</dd>
      </div>
      <div>
        <dt>Records written online</dt>
        <dd data-field="rows_materialized">{formatNumber(job.rows_materialized)}</dd>
      </div>
      <div>
        <dt>Offline rows read</dt>
        <dd data-field="rows_read">{formatNumber(job.rows_read)}</dd>
      </div>
      <div>
        <dt>Rows skipped</dt>
        <dd>{formatNumber(job.rows_skipped)}</dd>
      </div>
      <div>
        <dt>Duration</dt>
        <dd>{formatDuration(job.duration_seconds)}</dd>
      </div>
      <div>
        <dt>Completed</dt>
        <dd>{formatTime(job.completed_at)}</dd>
      </div>
    </dl>
  );
}

function Historical({ job }: { job: HistoricalJobStatus }) {
  const seconds = job.completed_at ? (Date.parse(job.completed_at) - Date.parse(job.created_at)) / 1000 : null;
  return (
    <dl class="facts">
      <div>
        <dt>Entity rows</dt>
        <dd>{formatNumber(job.rows_count)}</dd>
      </div>
      <div>
        <dt>Created</dt>
        <dd>{formatTime(job.created_at)}</dd>
      </div>
      <div>
        <dt>Completed</dt>
        <dd>
          {formatTime(job.completed_at)}
          {seconds !== null ? <div class="muted small">after {formatDuration(seconds)}</div> : null}
        </dd>
      </div>
      <div>
        <dt>Offline rows scanned</dt>
        <dd data-field="rows_scanned">
          {formatNumber(job.rows_scanned)}
          <div class="muted small">from {formatNumber(job.files_read)} files</div>
        </dd>
      </div>
      <div>
        <dt>Phases (split / shards / combine)</dt>
        <dd>
          {(["split", "shards", "combine"] as const)
            .map((phase) => {
              const t = job.timings[phase];
              return `${t.tasks} task${t.tasks === 1 ? "" : "s"}, ${t.wall_ms === null ? "–" : formatDuration(t.wall_ms / 1000)}`;
            })
            .join(" / ")}
        </dd>
      </div>
      <div>
        <dt>Training set</dt>
        <dd>
          {job.download_url ? (
            <>
              <a href={job.download_url} download>
                Download Parquet
              </a>
              <div class="muted small">link valid until {formatTime(job.download_expires_at)}</div>
            </>
          ) : (
            <span class="muted">when the job completes</span>
          )}
        </dd>
      </div>
    </dl>
  );
}

/** What the job list knows of a job, for tokens its own status route refuses (it needs materialize or offline:read). */
function FromList({ job, refused }: { job: JobSummary; refused: LarderApiError }) {
  return (
    <>
      <p class="notice">
        This token cannot read the job's own status ({refused.message}); shown from the job list, without download
        links.
      </p>
      <dl class="facts">
        <div>
          <dt>Feature views</dt>
          <dd>{job.feature_views.join(", ") || "–"}</dd>
        </div>
        <div>
          <dt>Rows read</dt>
          <dd>{formatNumber(job.rows_read)}</dd>
        </div>
        <div>
          <dt>Rows written</dt>
          <dd data-field="rows_written">{formatNumber(job.rows_written)}</dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd>{formatDuration(job.duration_seconds)}</dd>
        </div>
        <div>
          <dt>Completed</dt>
          <dd>{formatTime(job.completed_at)}</dd>
        </div>
      </dl>
    </>
  );
}

type Followed =
  | { job: MaterializationStatus | HistoricalJobStatus; refused?: undefined }
  | { job: JobSummary; refused: LarderApiError };

export function JobPage({ kind, id }: { kind: string; id: string }) {
  const jobKind: JobKind = kind === "historical" ? "historical" : "materialize";
  const status = useApi<Followed>(
    async (client, signal) => {
      try {
        const job =
          jobKind === "historical"
            ? await client.getHistoricalJob(id, { signal })
            : await client.getMaterializationStatus(id, { signal });
        return { job };
      } catch (err) {
        const refused = asApiError(err);
        if (refused.code !== "FORBIDDEN") throw refused;
        const listed = (await client.listJobs({ kind: jobKind, limit: 100 }, { signal })).jobs;
        const job = listed.find((j) => j.job_id === id);
        if (!job) throw refused;
        return { job, refused };
      }
    },
    [jobKind, id],
  );
  const state = status.data?.job.status;
  // Until the job ends; a failure with no answer (a busy Worker, a dropped connection) is tried again.
  const following = (state !== undefined && isRunning(state)) || isTransient(status.error);
  usePolling(status, 1000, following);
  return (
    <>
      <PageTitle>
        {jobKind === "historical" ? "Historical job" : "Materialization"} <code>{id}</code>
      </PageTitle>
      <p>
        <a href="/console/jobs">← All jobs</a>
      </p>
      {isTransient(status.error) ? (
        <p class="muted small" role="status">
          No answer yet: trying again every second.
        </p>
      ) : null}
      <Loaded data={status.data} error={status.error} what="Loading the job">
        {({ job, refused }) => (
          <section class="card" aria-labelledby="h-job">
            <h2 id="h-job">
              State{" "}
              <span aria-live="polite" data-job-status={job.status}>
                <StatusBadge status={job.status} />
              </span>
            </h2>
            <Progress done={job.progress.tasks_done} total={job.progress.tasks_total} label={`Progress of job ${id}`} />
            {isRunning(job.status) ? <p class="muted small">Following the job: updated every second.</p> : null}
            {refused ? (
              <FromList job={job as JobSummary} refused={refused} />
            ) : "materialization_id" in job ? (
              <Materialization job={job} />
            ) : (
              <Historical job={job as HistoricalJobStatus} />
            )}
            <Errors errors={job.errors} />
          </section>
        )}
      </Loaded>
    </>
  );
}
