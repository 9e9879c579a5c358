/**
 * Waiting for a materialization job to end, for callers that answer only
 * once its data is online (Feast's synchronous `/materialize`). The job runs
 * on the queue consumers, not in the waiting request: the waiter reads the
 * job's row from D1, sleeps, and reads again. Sleeps start at 100 ms and grow
 * by half up to 2 s, so a short job is seen done quickly and a ten-minute one
 * costs about 300 small D1 reads and almost no CPU (a sleeping request uses
 * none). The wait is bounded: past `timeoutMs` the job is reported still
 * running, and it goes on in the background.
 */
import { getJob, type Job } from "../db/jobs-store";
import { LarderError } from "../domain/errors";
import type { Services } from "./services";

export type JobOutcome =
  | { status: "completed"; job: Job }
  | { status: "failed"; job: Job }
  /** Still queued or in progress when the wait ended. */
  | { status: "running"; job: Job };

export interface WaitOptions {
  /** How long to wait at most, in ms. */
  timeoutMs: number;
  /** The first sleep, in ms (100). */
  firstPollMs?: number;
  /** The longest sleep, in ms (2000). */
  maxPollMs?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Reads the job until it is completed or failed, or `timeoutMs` has passed. */
export async function waitForJob(
  services: Pick<Services, "db">,
  jobId: string,
  options: WaitOptions,
): Promise<JobOutcome> {
  const deadline = Date.now() + options.timeoutMs;
  let pause = options.firstPollMs ?? 100;
  const maxPause = options.maxPollMs ?? 2000;
  for (;;) {
    const job = await getJob(services.db, jobId);
    if (!job) {
      throw new LarderError("MATERIALIZATION_NOT_FOUND", `Materialization '${jobId}' not found`, {
        materialization_id: jobId,
      });
    }
    if (job.status === "completed" || job.status === "failed") return { status: job.status, job };
    const left = deadline - Date.now();
    if (left <= 0) return { status: "running", job };
    await sleep(Math.min(pause, left));
    pause = Math.min(maxPause, Math.round(pause * 1.5));
  }
}
