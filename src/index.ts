/**
 * Worker entry: `fetch` serves the API, `queue` routes batches to their
 * consumers (src/queues.ts), `scheduled` runs the cron work.
 */
import { buildApp } from "./app";
import type { Bindings } from "./env";
import { routeQueueBatch } from "./queues";

const app = buildApp();

export default {
  fetch: app.fetch,
  queue: routeQueueBatch,

  async scheduled(controller: ScheduledController, _env: Bindings, _ctx: ExecutionContext): Promise<void> {
    console.warn(`cron ${controller.cron}: no scheduled work is built yet`);
  },
} satisfies ExportedHandler<Bindings>;
