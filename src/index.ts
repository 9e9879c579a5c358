/**
 * Worker entry: `fetch` serves the API (src/app.ts), `queue` routes batches
 * to their consumers (src/queue.ts), `scheduled` runs the cron work.
 */
import { buildApp } from "./app";
import type { Bindings } from "./platform/bindings";
import { routeQueueBatch } from "./queue";
import { runCron } from "./services/cron";
import { servicesFor } from "./services/services";

export { Features } from "./rpc/features";

const app = buildApp();

export default {
  fetch: app.fetch,
  queue: routeQueueBatch,

  async scheduled(controller: ScheduledController, env: Bindings, ctx: ExecutionContext): Promise<void> {
    ctx.waitUntil(runCron(servicesFor(env), controller.scheduledTime));
  },
} satisfies ExportedHandler<Bindings>;
