/**
 * Worker entry. `fetch` serves the API. `queue` and `scheduled` are not built
 * yet (materialization, offline writes and cron land with their issues): they
 * log what they received and acknowledge it, so nothing retries forever.
 */
import { buildApp } from "./app";
import type { Bindings } from "./env";

const app = buildApp();

export default {
  fetch: app.fetch,

  async queue(batch: MessageBatch<unknown>, _env: Bindings, _ctx: ExecutionContext): Promise<void> {
    console.warn(`queue ${batch.queue}: ${batch.messages.length} message(s) received; no consumer is built yet, acknowledging`);
    batch.ackAll();
  },

  async scheduled(controller: ScheduledController, _env: Bindings, _ctx: ExecutionContext): Promise<void> {
    console.warn(`cron ${controller.cron}: no scheduled work is built yet`);
  },
} satisfies ExportedHandler<Bindings>;
