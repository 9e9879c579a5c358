/**
 * Progress bars on stderr with cli-progress, so stdout stays clean for data
 * and `--json`. On a terminal the bar redraws in place; elsewhere (CI, a
 * pipe) cli-progress prints the bar as a line every `LARDER_PROGRESS_MS`
 * (default 2,000) and once at the end, so logs show how far a job got. No
 * bar at all with `--json`.
 */
import cliProgress from "cli-progress";

export interface ProgressBar {
  update(value: number, payload?: Record<string, unknown>): void;
  setTotal(total: number): void;
  stop(): void;
}

const SILENT: ProgressBar = { update() {}, setTotal() {}, stop() {} };

/**
 * A bar whose format may use `{bar}`, `{percentage}`, `{value}`, `{total}`,
 * `{duration_formatted}`, `{eta_formatted}` and the payload's fields.
 */
export function progressBar(
  format: string,
  total: number,
  payload: Record<string, unknown>,
  enabled = true,
): ProgressBar {
  if (!enabled) return SILENT;
  const tty = Boolean(process.stderr.isTTY);
  const bar = new cliProgress.SingleBar(
    {
      format,
      stream: process.stderr,
      hideCursor: tty,
      noTTYOutput: !tty,
      notTTYSchedule: Number(process.env.LARDER_PROGRESS_MS ?? 2000),
      etaBuffer: 20,
      fps: 5,
      barsize: 24,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.max(total, 1), 0, payload);
  return {
    update: (value, p) => bar.update(value, p),
    setTotal: (t) => bar.setTotal(Math.max(t, 1)),
    // cli-progress draws the final state once more on stop, on a terminal or not.
    stop: () => bar.stop(),
  };
}
