/**
 * Faults and hostile input, one by one: lost task messages healed by the
 * watchdog (on the cron and on a status read), lost finishing steps, queue
 * dispatch that never acknowledges unseen, a bad row that does not block a
 * materialization, keys that could never be served refused at the door,
 * prototype names, and JSON nested too deep.
 */
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { healJobs } from "../../src/services/watchdog";
import { servicesFor } from "../../src/services/services";
import { applyDemo } from "./fixtures";
import { call, expectStatus } from "./helpers";
import { appendHistory, DAY, HOUR, useBuckets } from "./offline-fixtures";
import { captureTasks, deliverTasks, drainTasks, sentTasks } from "./task-queue";

captureTasks();
const NOW = Date.now();
/** The one entity value a plain object cannot hold as a key. */
const PROTO = "__proto__";
const WINDOW = { start_date: new Date(NOW - 10 * DAY).toISOString(), end_date: new Date(NOW).toISOString() };

async function supportJob() {
  await applyDemo();
  await useBuckets("support_source", 1);
  await appendHistory("support_source", [
    { customer_id: "c1", event_timestamp: NOW - HOUR, ticket_count_90d: 1, open_tickets: 0, avg_resolution_hours: 1 },
  ]);
  const started = await expectStatus(
    call("POST", "/materialize", { body: { feature_views: ["support"], ...WINDOW } }),
    202,
  );
  return started.materialization_id as string;
}

const status = (id: string) => expectStatus(call("GET", `/materialization-status/${id}`), 200);

describe("jobs heal themselves", () => {
  it("a task whose message was lost is sent again, and the job completes", async () => {
    const id = await supportJob();
    sentTasks.length = 0; // lost
    const report = await healJobs(servicesFor(env), NOW + 11 * 60_000);
    expect(report).toMatchObject({ resent: 1, failed: 0 });
    await drainTasks();
    const done = await status(id);
    expect(done).toMatchObject({ status: "completed", rows_materialized: 1 });
  });

  it("a status read heals the job it reads", async () => {
    const id = await supportJob();
    sentTasks.length = 0;
    await env.DB.prepare("UPDATE job_tasks SET lease_until = '2000-01-01T00:00:00.000Z' WHERE job_id = ?")
      .bind(id)
      .run();
    expect((await status(id)).status).toBe("queued");
    expect(sentTasks.map((t) => t.task_id)).toEqual(["support-b0"]);
    await drainTasks();
    expect((await status(id)).status).toBe("completed");
  });

  it("a re-sent task that was only slow counts once", async () => {
    const id = await supportJob();
    const original = [...sentTasks];
    await healJobs(servicesFor(env), NOW + 11 * 60_000);
    await deliverTasks(original); // the original arrives after all
    await drainTasks(); // and the re-sent copy too
    const done = await status(id);
    expect(done).toMatchObject({
      status: "completed",
      rows_materialized: 1,
      progress: { tasks_done: 1, tasks_total: 1 },
    });
  });

  it("a job whose tasks are all done but whose end was lost is finished", async () => {
    const id = await supportJob();
    await drainTasks();
    await env.DB.prepare("UPDATE jobs SET status = 'in_progress', completed_at = NULL WHERE id = ?").bind(id).run();
    expect(await healJobs(servicesFor(env), NOW)).toMatchObject({ finished: 1 });
    expect((await status(id)).status).toBe("completed");
  });

  it("a historical job whose combine step was never sent gets it", async () => {
    await applyDemo();
    await appendHistory("customer_profile_source", [{ customer_id: "c1", event_timestamp: NOW - DAY, age: 40 }]);
    const entity_df = { customer_id: ["c1"], event_timestamp: [new Date(NOW).toISOString()] };
    const job = await expectStatus(
      call("POST", "/historical-features", { body: { features: ["customer:age"], entity_df, async: true } }),
      202,
    );
    await deliverTasks(sentTasks.splice(0)); // the shard runs, and sends the combine step...
    // ...but as if its invocation died before that send: no message, no lease.
    sentTasks.length = 0;
    await env.DB.prepare("UPDATE job_tasks SET lease_until = NULL WHERE job_id = ? AND task_id = 'combine'")
      .bind(job.job_id)
      .run();
    const read = await expectStatus(call("GET", `/historical-features/${job.job_id}`), 200);
    expect(read.status).toBe("in_progress");
    expect(sentTasks.map((t) => t.task_id)).toEqual(["combine"]);
    await drainTasks();
    expect((await expectStatus(call("GET", `/historical-features/${job.job_id}`), 200)).status).toBe("completed");
  });
});

async function queueBatch(queue: string, bodies: unknown[]) {
  const batch = createMessageBatch(
    queue,
    bodies.map((body, i) => ({ id: `m${i}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch as MessageBatch<unknown>, env, ctx);
  return getQueueResult(batch, ctx);
}

describe("queue dispatch never acknowledges unseen", () => {
  it("retries a batch from a queue it has no consumer for", async () => {
    const result = await queueBatch("larder-materialize-typo", [{ kind: "materialize" }]);
    expect(result.retryBatch.retry).toBe(true);
    expect(result.explicitAcks).toEqual([]);
  });

  it("retries a message that is not a task, and one that is not an offline write", async () => {
    const tasks = await queueBatch("larder-materialize", [{ hello: "world" }]);
    expect(tasks.retryMessages.map((m: { msgId: string }) => m.msgId)).toEqual(["m0"]);
    const writes = await queueBatch("larder-offline-writes", ["just text"]);
    expect(writes.retryMessages.map((m: { msgId: string }) => m.msgId)).toEqual(["m0"]);
  });

  it("parks a dead-lettered message that is not a task in R2", async () => {
    const result = await queueBatch("larder-materialize-dlq", [{ nonsense: true }]);
    expect(result.explicitAcks).toEqual(["m0"]);
    expect(await env.OFFLINE_STORE.get("dead-letter/tasks/m0.json")).not.toBeNull();
  });
});

describe("a bad row never blocks good ones", () => {
  it("ingest refuses a key that could never be served, with its row index", async () => {
    await applyDemo();
    const rows = [
      { customer_id: "good", event_timestamp: "2024-01-15T10:00:00Z", age: 30 },
      { customer_id: "x".repeat(600), event_timestamp: "2024-01-15T10:00:00Z", age: 31 },
    ];
    const body = await expectStatus(
      call("POST", "/data-sources/customer_profile_source/ingest", { body: { rows } }),
      200,
    );
    expect(body).toMatchObject({ rows_written: 1, rejected: 1 });
    expect(body.errors).toEqual([{ index: 1, reason: expect.stringMatching(/too long/), field: "customer_id" }]);
  });

  it("materialization skips a row it cannot write, reports it, and writes the rest", async () => {
    await applyDemo();
    await useBuckets("support_source", 1);
    // Written straight to the offline store, as a user's own file could hold it.
    await appendHistory("support_source", [
      { customer_id: "ok", event_timestamp: NOW - HOUR, ticket_count_90d: 2, open_tickets: 0, avg_resolution_hours: 1 },
      {
        customer_id: "y".repeat(600),
        event_timestamp: NOW - HOUR,
        ticket_count_90d: 3,
        open_tickets: 0,
        avg_resolution_hours: 1,
      },
    ]);
    const started = await expectStatus(
      call("POST", "/materialize", { body: { feature_views: ["support"], ...WINDOW } }),
      202,
    );
    await drainTasks();
    const done = await status(started.materialization_id);
    expect(done).toMatchObject({ status: "completed", rows_materialized: 1, rows_skipped: 1 });
    expect(done.errors).toEqual([{ task: "support-b0", reason: expect.stringMatching(/skipped 1 row.*too long/) }]);
    const online = await expectStatus(
      call("POST", "/online-features", {
        body: { features: ["support:ticket_count_90d"], entities: { customer_id: ["ok"] } },
      }),
      200,
    );
    expect(online.features.ok.ticket_count_90d).toBe(2);
  });
});

describe("prototype names and values", () => {
  it.each(["__proto__", "constructor", "prototype"])(
    "refuses %s as a join key or feature name at apply",
    async (name) => {
      const body = {
        entities: [{ name: "e", join_keys: [name] }],
        data_sources: [{ name: "s", type: "batch", path: "s/" }],
        feature_views: [{ name: "v", entities: ["e"], schema: [{ name, dtype: "int64" }], source: "s" }],
      };
      const res = await expectStatus(call("POST", "/apply", { body }), 400);
      expect(JSON.stringify(res.error)).toMatch(/reserved|__proto__|constructor|prototype/);
    },
  );

  it("serves an entity whose value is __proto__ like any other", async () => {
    await applyDemo();
    const push = {
      push_source_name: "customer_realtime_updates",
      to: "online",
      features: [
        {
          customer_id: "__proto__",
          event_timestamp: new Date(NOW - HOUR).toISOString(),
          features: { cart_value: 9.5 },
        },
      ],
    };
    expect((await expectStatus(call("POST", "/push-features", { body: push }), 200)).accepted).toBe(1);
    const read = await expectStatus(
      call("POST", "/online-features", {
        body: { features: ["customer_realtime:cart_value"], entities: { customer_id: ["__proto__", "x"] } },
      }),
      200,
    );
    expect(Object.keys(read.features)).toEqual(["__proto__", "x"]);
    expect(Object.getOwnPropertyDescriptor(read.features, PROTO)?.value).toEqual({ cart_value: 9.5 });
  });

  it("refuses a JSON key __proto__ anywhere in a body, naming where", async () => {
    const raw =
      '{"features": ["customer:age"], "entity_df": {"customer_id": ["a"], "event_timestamp": ["2024-01-01T00:00:00Z"], "__proto__": [1]}}';
    const res = await expectStatus(call("POST", "/historical-features", { rawBody: raw }), 400);
    expect(res.error.message).toMatch(/'__proto__' at entity_df/);
  });

  it("refuses JSON nested deeper than 64 levels, naming the column", async () => {
    await applyDemo();
    let deep: unknown = 1;
    for (let i = 0; i < 7000; i++) deep = [deep];
    const body = {
      features: ["customer:age"],
      entity_df: { customer_id: ["a"], event_timestamp: ["2024-01-01T00:00:00Z"], label: [deep] },
    };
    const res = await expectStatus(call("POST", "/historical-features", { body }), 400);
    expect(res.error.message).toMatch(/entity_df\.label\[0\].*deeper than 64/);
  });
});
