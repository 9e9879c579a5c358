/**
 * Feast's materialize routes as Feast's own client calls them (issue 13):
 * `FeatureStore.materialize(...)` / `materialize_incremental(...)` with a
 * `remote` online store post to the feature server and rely on the answer
 * coming once the data is online, unless they ask for `?async=true`.
 *
 * Feast sources followed, at feast-dev/feast commit
 * f0bc0700be7029166e6605e407de6d229cd1e93e (2026-08-21):
 * - sdk/python/feast/feature_store.py (`materialize`, `materialize_incremental` in the remote topology:
 *   their payloads, `_delegate_remote_materialize`, `_post_to_feature_server`; ported in ./feast-remote.ts)
 * - sdk/python/feast/feature_server.py (`MaterializeRequest`, `MaterializeIncrementalRequest`,
 *   `_parse_materialize_timestamps`, the `async` query flag and its 202 answer)
 * - sdk/python/tests/unit/test_feature_server.py (test_materialize_endpoint_logic,
 *   test_materialize_request_model: a body with only `feature_views` and `disable_event_timestamp: true`)
 * - sdk/python/feast/infra/online_stores/remote.py (reading the materialized values back)
 *
 * The job's tasks are captured (./task-queue.ts) and delivered by each test
 * while the request waits, so the tests see the request answer only after
 * the job has ended.
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { servicesFor } from "../../src/services/services";
import { fromErrorDetail, post, type Reply, pyLoads } from "./feast-client";
import { type FeastTable, pyIsoformatUtc, RemoteOnlineStore, remoteMaterialize } from "./feast-remote";
import { applyDemo } from "./fixtures";
import { call, expectStatus, token } from "./helpers";
import { appendHistory, DAY, HOUR } from "./offline-fixtures";
import { captureTasks, deliverTasks, drainTasks, sentTasks } from "./task-queue";

captureTasks();

const CUSTOMER: FeastTable = {
  name: "customer",
  joinKey: "customer_id",
  features: { age: "INT32", lifetime_value: "DOUBLE", segment: "STRING" },
};

const NOW = Date.now();

async function loadHistory(project = "ai_etl", age = 30) {
  await appendHistory(
    "customer_profile_source",
    [
      {
        customer_id: "m1",
        event_timestamp: NOW - 2 * HOUR,
        created_timestamp: null,
        age,
        lifetime_value: 100,
        segment: "a",
      },
      {
        customer_id: "m2",
        event_timestamp: NOW - 3 * HOUR,
        created_timestamp: null,
        age: age + 1,
        lifetime_value: 2.5,
        segment: "b",
      },
      // Older than the view's 2-day ttl: materialized, then read as OUTSIDE_MAX_AGE.
      {
        customer_id: "old",
        event_timestamp: Date.parse("2024-01-15T00:00:00Z"),
        created_timestamp: null,
        age: 70,
        lifetime_value: 1,
        segment: "c",
      },
    ],
    project,
  );
}

async function jobCount(): Promise<number> {
  const row = await env.DB.prepare("SELECT COUNT(*) AS n FROM jobs WHERE kind = 'materialize'").first<{ n: number }>();
  return row!.n;
}

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts `request`, waits until it has sent its tasks, checks it has not answered, then delivers them. */
async function answeredAfterTasks<T>(request: Promise<T>): Promise<T> {
  let settled = false;
  const tracked = request.finally(() => {
    settled = true;
  });
  for (let i = 0; i < 200 && sentTasks.length === 0 && !settled; i++) await tick(10);
  expect(sentTasks.length).toBeGreaterThan(0);
  await tick(300);
  expect(settled).toBe(false); // still waiting for the job
  await drainTasks();
  return tracked;
}

let admin: string;

beforeEach(async () => {
  await applyDemo();
  admin = await token();
});

describe("feast/materialize waits for the job, as Feast's server does", () => {
  it("answers null once the data is online (FeatureStore.materialize, remote topology)", async () => {
    await loadHistory();
    const payload = {
      start_ts: pyIsoformatUtc(NOW - 10 * DAY),
      end_ts: pyIsoformatUtc(NOW),
      feature_views: ["customer"],
      disable_event_timestamp: false,
      full_feature_names: false,
    };
    const reply = await answeredAfterTasks(post("/feast", "/materialize", payload, { token: admin }));
    expect({ status: reply.status, text: reply.text }).toEqual({ status: 200, text: "null" });
    const id = reply.headers.get("x-larder-materialization-id");
    expect(id).toMatch(/^mat_/);
    const status = await expectStatus(call("GET", `/materialization-status/${id}`), 200);
    expect(status).toMatchObject({ status: "completed", rows_materialized: 2 });
    const rows = await new RemoteOnlineStore("/feast", admin).onlineRead(
      CUSTOMER,
      ["m1", "m2"],
      ["age", "lifetime_value"],
    );
    expect(rows.map(([, v]) => v)).toEqual([
      { age: { field: "int32_val", value: 30n }, lifetime_value: { field: "double_val", value: 100 } },
      { age: { field: "int32_val", value: 31n }, lifetime_value: { field: "double_val", value: 2.5 } },
    ]);
    // The client's own call: _post_to_feature_server returns the decoded body (None).
    expect(pyLoads(reply.text)).toBeNull();
  });

  it("materialize-incremental waits too, from each view's materialized end", async () => {
    await loadHistory();
    const payload = { end_ts: pyIsoformatUtc(NOW), feature_views: ["customer"], full_feature_names: false };
    const result = await answeredAfterTasks(remoteMaterialize("/feast", admin, "/materialize-incremental", payload));
    expect(result).toBeNull();
    const rows = await new RemoteOnlineStore("/feast", admin).onlineRead(CUSTOMER, ["m1"], ["age"]);
    expect(rows[0][1].age).toEqual({ field: "int32_val", value: 30n });
    // Nothing new since: the next run is an empty window, completed at once.
    const again = await post("/feast", "/materialize-incremental", payload, { token: admin });
    expect({ status: again.status, text: again.text, sent: sentTasks.length }).toEqual({
      status: 200,
      text: "null",
      sent: 0,
    });
  });

  it("with ?async=true (run_async=True) answers 202 at once, as Feast's server does", async () => {
    await loadHistory();
    const payload = { end_ts: pyIsoformatUtc(NOW), feature_views: ["customer"], full_feature_names: false };
    const accepted = await remoteMaterialize("/feast", admin, "/materialize-incremental", payload, {
      runAsync: true,
      force: true,
    });
    expect(accepted).toEqual({
      status: "accepted",
      feature_views: ["customer"],
      materialization_id: expect.stringMatching(/^mat_/),
      progress_url: expect.stringMatching(/^\/api\/v1\/features\/materialization-status\/mat_/),
    });
    expect(sentTasks.length).toBeGreaterThan(0); // not run yet
    const id = (accepted as { materialization_id: string }).materialization_id;
    expect((await expectStatus(call("GET", `/materialization-status/${id}`), 200)).status).toBe("queued");
    await drainTasks();
    expect((await expectStatus(call("GET", `/materialization-status/${id}`), 200)).status).toBe("completed");
  });

  it("answers a failed job with a Feast error naming the failed task, not a 200", async () => {
    await loadHistory();
    const list = await env.OFFLINE_STORE.list({ prefix: "offline/ai_etl/customer_profile_source/" });
    // The file of the recent rows (the 2024 one is outside the window).
    const corrupt = list.objects.find((o) => !o.key.includes("date=2024-01-15"))!.key;
    await env.OFFLINE_STORE.put(
      corrupt,
      "this is not parquet at all, just text long enough to not be a footer".repeat(4),
    );
    await env.DB.prepare("UPDATE offline_files SET bytes = ? WHERE path = ?").bind(272, corrupt).run();
    const payload = {
      start_ts: pyIsoformatUtc(NOW - 10 * DAY),
      end_ts: pyIsoformatUtc(NOW),
      feature_views: ["customer"],
    };
    const request = remoteMaterialize("/feast", admin, "/materialize", payload).catch((e: unknown) => e);
    for (let i = 0; i < 200 && sentTasks.length === 0; i++) await tick(10);
    const task = sentTasks.shift()!;
    for (let attempt = 1; attempt <= 4; attempt++) await deliverTasks([task], attempt);
    await deliverTasks([task], 5, "larder-materialize-dlq");
    const error = (await request) as Error;
    // 424, not a 5xx that Feast's session would re-post (starting another job) and then hide behind RetryError.
    expect(error.message).toMatch(/^RuntimeError: Remote materialization failed \(424\): /);
    expect(await jobCount()).toBe(1);
    const body = error.message.replace(/^RuntimeError: Remote materialization failed \(424\): /, "");
    const detail = fromErrorDetail(pyLoads(body));
    expect(detail).toMatchObject({
      className: "FeastError",
      message: expect.stringMatching(new RegExp(`^Materialization mat_\\w+ failed: ${task.task_id}: .*${corrupt}`)),
    });
  });

  it("past FEAST_MATERIALIZE_WAIT_SECONDS answers 408 in Feast's form (not re-posted), and the job goes on", async () => {
    await loadHistory();
    const config = servicesFor(env).config;
    const saved = config.feastMaterializeWaitMs;
    config.feastMaterializeWaitMs = 300;
    let reply: Reply;
    try {
      reply = await post(
        "/feast",
        "/materialize",
        { start_ts: pyIsoformatUtc(NOW - 10 * DAY), end_ts: pyIsoformatUtc(NOW), feature_views: ["customer"] },
        { token: admin },
      );
    } finally {
      config.feastMaterializeWaitMs = saved;
    }
    expect(reply.status).toBe(408);
    expect(await jobCount()).toBe(1); // Feast's session did not re-post it
    const detail = fromErrorDetail(pyLoads(reply.text));
    expect(detail?.className).toBe("FeastError");
    expect(detail?.message).toMatch(
      /^Materialization (mat_\w+) is still queued after 0\.3 s \(FEAST_MATERIALIZE_WAIT_SECONDS\); it goes on in the background: GET \/api\/v1\/features\/materialization-status\/mat_\w+$/,
    );
    const id = /mat_\w+/.exec(detail!.message)![0];
    await drainTasks();
    expect((await expectStatus(call("GET", `/materialization-status/${id}`), 200)).status).toBe("completed");
  });
});

describe("feast/materialize bodies", () => {
  it("test_materialize_request_model: only feature_views and disable_event_timestamp means 1970 to now", async () => {
    await loadHistory();
    const reply = await answeredAfterTasks(
      post("/feast", "/materialize", { feature_views: ["customer"], disable_event_timestamp: true }, { token: admin }),
    );
    expect({ status: reply.status, text: reply.text }).toEqual({ status: 200, text: "null" });
    const id = reply.headers.get("x-larder-materialization-id")!;
    const job = await env.DB.prepare("SELECT spec FROM jobs WHERE id = ?").bind(id).first<{ spec: string }>();
    const window = (JSON.parse(job!.spec) as { windows: Record<string, { start: number; end: number }> }).windows
      .customer;
    expect(window.start).toBe(0);
    expect(window.end).toBeGreaterThanOrEqual(NOW);
    const response = await new RemoteOnlineStore("/feast", admin).getOnlineFeatures(["customer:age"], {
      customer_id: ["m1", "old"],
    });
    // The 2024 row was materialized too; the view's ttl then answers it as OUTSIDE_MAX_AGE.
    expect(response.results[1].statuses).toEqual(["PRESENT", "OUTSIDE_MAX_AGE"]);
  });

  it("with no online view in the project, there is nothing to do: answered as done, as Feast does", async () => {
    const reply = await post(
      "/projects/empty_project/feast",
      "/materialize",
      { disable_event_timestamp: true },
      { token: admin },
    );
    expect({ status: reply.status, text: reply.text }).toEqual({ status: 200, text: "null" });
    const accepted = await remoteMaterialize(
      "/projects/empty_project/feast",
      admin,
      "/materialize-incremental",
      { end_ts: pyIsoformatUtc(NOW), feature_views: null },
      { runAsync: true },
    );
    expect(accepted).toEqual({ status: "accepted", feature_views: [], materialization_id: null, progress_url: null });
    expect(sentTasks).toEqual([]);
  });

  it("refuses what Feast's server refuses, with a 400 in Feast's error form", async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ feature_views: ["customer"] }, /^start_ts and end_ts are required when disable_event_timestamp is False$/],
      [{ start_ts: "2024-06-01T00:00:00", feature_views: ["customer"] }, /start_ts and end_ts are required/],
      [
        { start_ts: "2024-06-02T00:00:00", end_ts: "2024-06-01T00:00:00" },
        /start_ts \(2024-06-02T00:00:00\) must be before end_ts/,
      ],
      [{ start_ts: "2024-06-01T00:00:00", end_ts: "2024-06-01T00:00:00" }, /must be before end_ts/],
      [{ start_ts: "yesterday", end_ts: "2024-06-01T00:00:00" }, /Invalid timestamp format: start_ts/],
      [{ disable_event_timestamp: true, version: "v2" }, /Feature view versions are not supported/],
      [{ disable_event_timestamp: true, feature_views: [] }, /feature_views is empty/],
    ];
    for (const [body, message] of cases) {
      const reply = await post("/feast", "/materialize", body, { token: admin });
      expect({ body, status: reply.status, detail: fromErrorDetail(pyLoads(reply.text)) }).toEqual({
        body,
        status: 400,
        detail: expect.objectContaining({ className: "FeastError", message: expect.stringMatching(message) }),
      });
    }
    const incremental = await post(
      "/feast",
      "/materialize-incremental",
      { feature_views: ["customer"] },
      { token: admin },
    );
    expect(incremental.status).toBe(400);
    const badFlag = await post(
      "/feast",
      "/materialize",
      { disable_event_timestamp: true },
      { token: admin, query: { async: "maybe" } },
    );
    expect(badFlag.status).toBe(400);
    const unknown = await post(
      "/feast",
      "/materialize",
      { disable_event_timestamp: true, feature_views: ["nope"] },
      { token: admin },
    );
    expect({ status: unknown.status, detail: fromErrorDetail(pyLoads(unknown.text)) }).toEqual({
      status: 404,
      detail: expect.objectContaining({
        className: "FeatureViewNotFoundException",
        message: "Feature view nope does not exist in project ai_etl",
      }),
    });
    expect(sentTasks).toEqual([]);
  });

  it("needs a token (401) and the materialize scope for the project (403)", async () => {
    const body = { disable_event_timestamp: true, feature_views: ["customer"] };
    expect((await post("/feast", "/materialize", body, { token: null })).status).toBe(401);
    const reader = await token({ scopes: ["online:read", "online:write"] });
    const denied = await post("/feast", "/materialize-incremental", { end_ts: pyIsoformatUtc(NOW) }, { token: reader });
    expect({ status: denied.status, detail: fromErrorDetail(pyLoads(denied.text)) }).toEqual({
      status: 403,
      detail: expect.objectContaining({
        className: "FeastPermissionError",
        message: expect.stringMatching(/'materialize'/),
      }),
    });
    const elsewhere = await token({ scopes: ["materialize"], projects: ["sandbox"] });
    expect((await post("/feast", "/materialize", body, { token: elsewhere })).status).toBe(403);
  });
});

describe("/projects/{project}/feast/materialize", () => {
  it("materializes the path's project only", async () => {
    await applyDemo("sandbox");
    await loadHistory("ai_etl", 30);
    await loadHistory("sandbox", 50);
    const sandboxToken = await token({ scopes: ["materialize", "online:read"], projects: ["sandbox"] });
    const result = await answeredAfterTasks(
      remoteMaterialize("/projects/sandbox/feast", sandboxToken, "/materialize", {
        start_ts: pyIsoformatUtc(NOW - 10 * DAY),
        end_ts: pyIsoformatUtc(NOW),
        feature_views: null,
        disable_event_timestamp: false,
        full_feature_names: false,
      }),
    );
    expect(result).toBeNull();
    const sandbox = await new RemoteOnlineStore("/projects/sandbox/feast", sandboxToken).onlineRead(
      CUSTOMER,
      ["m1"],
      ["age"],
    );
    expect(sandbox[0][1].age).toEqual({ field: "int32_val", value: 50n });
    const main = await new RemoteOnlineStore("/feast", admin).onlineRead(CUSTOMER, ["m1"], ["age"]);
    expect(main[0][1].age).toEqual({});
    expect(
      (
        await post(
          "/projects/sandbox/feast",
          "/materialize",
          { disable_event_timestamp: true },
          { token: await token({ scopes: ["materialize"], projects: ["ai_etl"] }) },
        )
      ).status,
    ).toBe(403);
  });
});
