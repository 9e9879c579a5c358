/**
 * Following jobs: poll a status route until the job is `completed` or
 * `failed`, reporting each status seen. Polling waits `intervalMs` between
 * calls (default 1,000) and stops with a TIMEOUT error after `timeoutMs`
 * (default: no limit) or when `signal` aborts. A failed job is returned, not
 * thrown: its `errors` say why, and the caller decides what failure means.
 */
import type { LarderClient } from "./client";
import { LarderApiError } from "./errors";
import type * as T from "./types";

export interface FollowOptions<S> {
  /** Called with every status read, the last one included. */
  onProgress?: (status: S) => void;
  intervalMs?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
}

const DONE = new Set(["completed", "failed"]);

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(new LarderApiError({ status: 0, code: "ABORTED", message: "Following the job was aborted" }));
      },
      { once: true },
    );
  });
}

async function follow<S extends { status: string }>(
  read: (signal?: AbortSignal) => Promise<S>,
  what: string,
  opts: FollowOptions<S> = {},
): Promise<S> {
  const started = Date.now();
  for (;;) {
    const status = await read(opts.signal);
    opts.onProgress?.(status);
    if (DONE.has(status.status)) return status;
    if (opts.timeoutMs !== undefined && Date.now() - started >= opts.timeoutMs) {
      throw new LarderApiError({
        status: 0,
        code: "TIMEOUT",
        message: `${what} is still ${status.status} after ${Math.round(opts.timeoutMs / 1000)} s`,
      });
    }
    await pause(opts.intervalMs ?? 1000, opts.signal);
  }
}

export function followMaterialization(
  client: LarderClient,
  id: string,
  opts?: FollowOptions<T.MaterializationStatus>,
): Promise<T.MaterializationStatus> {
  return follow((signal) => client.getMaterializationStatus(id, { signal }), `Materialization ${id}`, opts);
}

export function followHistoricalJob(
  client: LarderClient,
  jobId: string,
  opts?: FollowOptions<T.HistoricalJobStatus>,
): Promise<T.HistoricalJobStatus> {
  return follow((signal) => client.getHistoricalJob(jobId, { signal }), `Historical job ${jobId}`, opts);
}

/** Whether a historical answer is an accepted job (202) rather than joined rows. */
export function isHistoricalJob(
  answer: T.HistoricalResponse | T.HistoricalJobAccepted,
): answer is T.HistoricalJobAccepted {
  return "job_id" in answer;
}

/** The end of a historical retrieval: where its Parquet export is, and the inline rows when answered at once. */
export interface HistoricalOutcome {
  download_url: string;
  rows_count: number;
  /** The answer when the request was answered at once (its `data` holds at most the first 1,000 rows). */
  response?: T.HistoricalResponse;
  /** The job's final status when the request became a job. */
  job?: T.HistoricalJobStatus;
}

/**
 * Historical features to the end: the rows answered at once, or the job
 * followed until it completes. A failed job throws a LarderApiError with code
 * `JOB_FAILED` and the job's errors in `details`.
 */
export async function retrieveHistorical(
  client: LarderClient,
  body: T.HistoricalHttpRequest,
  opts: FollowOptions<T.HistoricalJobStatus> = {},
): Promise<HistoricalOutcome> {
  const answer = await client.getHistoricalFeatures(body, { signal: opts.signal });
  if (!isHistoricalJob(answer)) {
    return { download_url: answer.download_url, rows_count: answer.metadata.rows_count, response: answer };
  }
  const job = await client.followHistoricalJob(answer.job_id, opts);
  if (job.status !== "completed" || !job.download_url) {
    throw new LarderApiError({
      status: 0,
      code: "JOB_FAILED",
      message: `Historical job ${job.job_id} failed: ${job.errors.map((e) => e.reason).join("; ") || "no reason recorded"}`,
      details: { job_id: job.job_id, errors: job.errors },
    });
  }
  return { download_url: job.download_url, rows_count: job.rows_count, job };
}
