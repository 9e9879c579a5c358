import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { offlineMessages, type OfflineWriteMessage } from "../../src/queues/offline-writes";
import { validatePushRows, pushTarget } from "../../src/domain/push-rows";
import { currentRegistry } from "../../src/registry/snapshot";
import { servicesFor } from "../../src/services/services";
import { sourceSchema } from "../../src/domain/source-schema";
import { DEAD_LETTER_PREFIX } from "../../src/offline/scratch-files";
import { applyDemo } from "./fixtures";

const T = Date.parse("2024-06-30T15:45:23Z");

async function messagesFor(rows: unknown[]): Promise<OfflineWriteMessage[]> {
  const registry = await currentRegistry(env.REGISTRY_CACHE, "ai_etl", 0);
  const target = pushTarget(registry, "customer_realtime_updates");
  const { accepted, errors } = validatePushRows(registry, target, rows, { now: Date.now(), writeId: 1 });
  expect(errors).toEqual([]);
  return offlineMessages("ai_etl", "customer_realtime_batch", "push_test", accepted);
}

async function deliver(
  queue: string,
  bodies: OfflineWriteMessage[],
  ids = bodies.map((_, i) => `msg-${i}`),
  attempts = 1,
) {
  const batch = createMessageBatch<OfflineWriteMessage>(
    queue,
    bodies.map((body, i) => ({ id: ids[i], timestamp: new Date(), attempts, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch as MessageBatch<unknown>, env, ctx);
  return getQueueResult(batch, ctx);
}

async function storedRows() {
  const registry = await currentRegistry(env.REGISTRY_CACHE, "ai_etl", 0);
  const schema = sourceSchema(registry, "customer_realtime_batch");
  return servicesFor(env).offline.readRows("ai_etl", schema, {
    features: ["cart_value", "items_in_cart", "last_login_timestamp"],
  });
}

beforeEach(async () => {
  await applyDemo();
});

describe("OFFLINE_WRITES consumer", () => {
  it("turns pushed rows into bucketed, month-partitioned Parquet under the batch source, recorded in the manifest", async () => {
    const bodies = await messagesFor([
      {
        customer_id: "cust_1",
        event_timestamp: "2024-06-30T15:45:23Z",
        features: { cart_value: 156.5, items_in_cart: 4, last_login_timestamp: "2024-06-30T15:45:23Z" },
      },
      {
        customer_id: "cust_2",
        event_timestamp: "2024-07-01T08:00:00Z",
        created_timestamp: "2024-07-01T08:00:01Z",
        features: { cart_value: 89.99 },
      },
    ]);
    const result = await deliver("larder-offline-writes", bodies);
    expect(result.explicitAcks).toEqual(["msg-0"]);
    expect(result.retryMessages).toEqual([]);

    const files = await env.DB.prepare(
      "SELECT path, rows, min_event_ts, max_event_ts, origin FROM offline_files ORDER BY path",
    ).all();
    expect(files.results).toHaveLength(2);
    const june = files.results.find((f) => String(f.path).includes("month=2024-06"))!;
    const july = files.results.find((f) => String(f.path).includes("month=2024-07"))!;
    expect(june).toMatchObject({ rows: 1, min_event_ts: T, max_event_ts: T, origin: "push" });
    expect(String(june.path)).toMatch(
      /^offline\/ai_etl\/customer_realtime_batch\/bucket=\d\d\/month=2024-06\/push-.+\.parquet$/,
    );
    expect(july).toMatchObject({ rows: 1, origin: "push" });

    const read = await storedRows();
    expect(read.numRows).toBe(2);
    const at = (id: string) => read.columns.customer_id.indexOf(id);
    const [one, two] = [at("cust_1"), at("cust_2")];
    expect(read.columns.event_timestamp[one]).toBe(T);
    expect(read.columns.event_timestamp[two]).toBe(Date.parse("2024-07-01T08:00:00Z"));
    expect(read.columns.created_timestamp[two]).toBe(Date.parse("2024-07-01T08:00:01Z"));
    expect(read.columns.cart_value[two]).toBe(89.99);
    // The second row was pushed with cart_value only: it did not carry the other features.
    expect(read.carries.items_in_cart[one]).toBe(1);
    expect(read.carries.items_in_cart[two]).toBe(0);
    expect(read.columns.items_in_cart[one]).toBe(4);
    // Each row keeps the version it was pushed with (the online store has the same).
    expect(read.columns._larder_seq[one]).toBe(bodies[0].rows[0].seq);
    expect(read.columns._larder_wid[two]).toBe(bodies[0].rows[1].wid);
  });

  it("a redelivered batch overwrites its own file instead of duplicating rows", async () => {
    const bodies = await messagesFor([
      { customer_id: "cust_1", event_timestamp: "2024-06-30T15:45:23Z", features: { cart_value: 1 } },
    ]);
    await deliver("larder-offline-writes", bodies, ["same-id"]);
    await deliver("larder-offline-writes", bodies, ["same-id"], 2);
    expect((await storedRows()).numRows).toBe(1);
    expect((await env.OFFLINE_STORE.list({ prefix: "offline/" })).objects).toHaveLength(1);
  });

  it("retries the messages of a group that fails, writing nothing", async () => {
    const bodies = await messagesFor([
      { customer_id: "cust_1", event_timestamp: "2024-06-30T15:45:23Z", features: { cart_value: 1 } },
    ]);
    const broken = bodies.map((b) => ({ ...b, source: "no_such_source" }));
    const result = await deliver("larder-offline-writes", [...broken, ...bodies], ["bad", "good"]);
    expect(result.retryMessages).toEqual([{ msgId: "bad" }]);
    expect(result.explicitAcks).toEqual(["good"]);
    expect((await storedRows()).numRows).toBe(1);
  });

  it("parks dead-lettered rows in R2 rather than dropping them", async () => {
    const bodies = await messagesFor([
      { customer_id: "cust_9", event_timestamp: "2024-06-30T15:45:23Z", features: { cart_value: 9 } },
    ]);
    const result = await deliver("larder-offline-writes-dlq", bodies, ["dead-1"], 6);
    expect(result.explicitAcks).toEqual(["dead-1"]);
    const parked = await env.OFFLINE_STORE.get(`${DEAD_LETTER_PREFIX}offline-writes/dead-1.json`);
    const body = (await parked!.json()) as { body: OfflineWriteMessage };
    expect(body.body.rows[0]).toMatchObject({ keys: { customer_id: "cust_9" }, features: { cart_value: 9 } });
  });
});
