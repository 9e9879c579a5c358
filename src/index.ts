/**
 * Worker entry: `fetch` serves the API, `queue` routes batches to their
 * consumers (src/queues.ts), `scheduled` runs the cron work.
 */
import { buildApp } from "./app";
import type { Bindings } from "./env";
import { routeQueueBatch } from "./queues";
import { runCron } from "./materialize/cron";

const app = buildApp();

export default {
  fetch: app.fetch,
  queue: routeQueueBatch,

  async scheduled(controller: ScheduledController, env: Bindings, ctx: ExecutionContext): Promise<void> {
    ctx.waitUntil(runCron(env, controller.scheduledTime));
  },
} satisfies ExportedHandler<Bindings>;
