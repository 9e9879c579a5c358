import { env, exports } from "cloudflare:workers";
import { parquetReadObjects } from "hyparquet";
import { beforeEach, describe, expect, it } from "vitest";
import type { HistoricalShardTask } from "../../src/queues/messages";
import { call, expectStatus, token } from "./helpers";
import { applyDemo } from "./fixtures";
import { captureTasks, deliverTasks, sentTasks } from "./task-queue";
import { appendHistory, DAY } from "./offline-fixtures";

const SPEC_HISTORICAL_BODY = {
  feature_service: "customer_features_v1",
  entity_df: {
    customer_id: ["cust_001", "cust_002", "cust_003"],
    event_timestamp: ["2024-01-15T10:00:00Z", "2024-01-16T14:30:00Z", "2024-01-17T09:15:00Z"],
  },
  features: ["customer:age", "customer:lifetime_value", "transactions:total_count_30d", "transactions:avg_amount_30d"],
  full_feature_names: true,
};

const JAN = Date.parse("2024-01-01T00:00:00Z");

async function loadJanuary() {
  const customers: Record<string, unknown>[] = [];
  const transactions: Record<string, unknown>[] = [];
  for (let d = 0; d < 31; d++) {
    for (const [i, id] of ["cust_001", "cust_002", "cust_003"].entries()) {
      const ts = JAN + d * DAY;
      customers.push({
        customer_id: id,
        event_timestamp: ts,
        created_timestamp: ts,
        age: 30 + i,
        lifetime_value: 1000 * (i + 1) + d,
        days_since_signup: 100 + d,
        segment: i ? "standard" : "premium",
      });
      transactions.push({
        customer_id: id,
        event_timestamp: ts,
        created_timestamp: ts,
        total_count_30d: d + i,
        count_30d: d,
        avg_amount_30d: 50 + d + i / 4,
        total_amount_30d: 10 * d,
      });
    }
  }
  await appendHistory("customer_profile_source", customers);
  await appendHistory("transactions_source", transactions);
}

async function fetchExport(url: string, headers: Record<string, string> = {}) {
  const u = new URL(url);
  return exports.default.fetch(new Request(`http://larder.test${u.pathname}${u.search}`, { headers }));
}

beforeEach(async () => {
  await applyDemo();
  await loadJanuary();
});

describe("POST /historical-features", () => {
  it("answers the specification's example with point-in-time values and a signed Parquet link", async () => {
    const body = await expectStatus(call("POST", "/historical-features", { body: SPEC_HISTORICAL_BODY }), 200);
    expect(body.feature_service).toBe("customer_features_v1");
    expect(body.data).toEqual([
      {
        customer_id: "cust_001",
        event_timestamp: "2024-01-15T10:00:00Z",
        customer__age: 30,
        customer__lifetime_value: 1014,
        transactions__total_count_30d: 14,
        transactions__avg_amount_30d: 64,
      },
      {
        customer_id: "cust_002",
        event_timestamp: "2024-01-16T14:30:00Z",
        customer__age: 31,
        customer__lifetime_value: 2015,
        transactions__total_count_30d: 16,
        transactions__avg_amount_30d: 65.25,
      },
      {
        customer_id: "cust_003",
        event_timestamp: "2024-01-17T09:15:00Z",
        customer__age: 32,
        customer__lifetime_value: 3016,
        transactions__total_count_30d: 18,
        transactions__avg_amount_30d: 66.5,
      },
    ]);
    expect(body.metadata).toMatchObject({ rows_count: 3, features_count: 4, files_read: expect.any(Number) });
    expect(body.metadata.timings).toEqual({
      read_ms: expect.any(Number),
      join_ms: expect.any(Number),
      write_ms: expect.any(Number),
    });
    expect(body.truncated).toBe(false);
    expect(body.storage_uri).toMatch(/^r2:\/\/exports\/ai_etl\/exp_.+\.parquet$/);

    const download = await fetchExport(body.download_url);
    expect(download.status).toBe(200);
    expect(download.headers.get("content-type")).toBe("application/vnd.apache.parquet");
    const bytes = await download.arrayBuffer();
    expect(new TextDecoder().decode(bytes.slice(0, 4))).toBe("PAR1");
    const rows = await parquetReadObjects({ file: bytes });
    expect(rows.map((r) => [r.customer_id, Number(r.customer__age), r.transactions__avg_amount_30d])).toEqual([
      ["cust_001", 30, 64],
      ["cust_002", 31, 65.25],
      ["cust_003", 32, 66.5],
    ]);
    expect(new Date(rows[0].event_timestamp as Date).toISOString()).toBe("2024-01-15T10:00:00.000Z");
    // Range requests (pandas/fsspec read Parquet footers this way).
    const tail = await fetchExport(body.download_url, { range: "bytes=0-3" });
    expect(tail.status).toBe(206);
    expect(new TextDecoder().decode(await tail.arrayBuffer())).toBe("PAR1");
  });

  it("refuses tampered, unsigned and expired links", async () => {
    const body = await expectStatus(call("POST", "/historical-features", { body: SPEC_HISTORICAL_BODY }), 200);
    const url = new URL(body.download_url);
    const sig = url.searchParams.get("signature")!;
    url.searchParams.set("signature", `${sig.slice(0, -1)}${sig.endsWith("0") ? "1" : "0"}`);
    expect((await expectStatus(fetchExport(url.toString()), 403)).error.details.reason).toBe("bad_signature");
    url.searchParams.set("signature", sig);
    url.searchParams.set("expires", String(Number(url.searchParams.get("expires")) + 1));
    expect((await expectStatus(fetchExport(url.toString()), 403)).error.details.reason).toBe("bad_signature");
    const { signedExportUrl } = await import("../../src/services/export-links");
    const old = await signedExportUrl(
      "http://larder.test",
      { project: "ai_etl", id: body.export_id },
      env.AUTH_JWT_SECRET,
      Date.now() - 2 * 3600_000,
    );
    expect((await expectStatus(fetchExport(old.url), 403)).error.details.reason).toBe("expired");
    expect(
      (await expectStatus(fetchExport(`http://x/api/v1/features/exports/${body.export_id}`), 403)).error.details.reason,
    ).toBe("unsigned");
  });

  it("never returns a value from the future, honours ttl, keeps input order and label columns", async () => {
    const body = await expectStatus(
      call("POST", "/historical-features", {
        body: {
          features: ["customer:age", "customer:lifetime_value"],
          entity_df: {
            customer_id: ["cust_002", "cust_001", "cust_001", "nobody"],
            event_timestamp: [
              "2024-01-10T23:59:59Z",
              "2023-12-31T00:00:00Z",
              "2024-02-05T00:00:00Z",
              "2024-01-10T00:00:00Z",
            ],
            label: [1, 0, 1, 0],
          },
        },
      }),
      200,
    );
    expect(body.data).toEqual([
      { customer_id: "cust_002", event_timestamp: "2024-01-10T23:59:59Z", label: 1, age: 31, lifetime_value: 2009 },
      { customer_id: "cust_001", event_timestamp: "2023-12-31T00:00:00Z", label: 0, age: null, lifetime_value: null },
      // Last row Jan 31; ttl is 2 days, so Feb 5 is too late.
      { customer_id: "cust_001", event_timestamp: "2024-02-05T00:00:00Z", label: 1, age: null, lifetime_value: null },
      { customer_id: "nobody", event_timestamp: "2024-01-10T00:00:00Z", label: 0, age: null, lifetime_value: null },
    ]);
  });

  it("rejects bad requests with the error envelope", async () => {
    const bad: [unknown, number, RegExp][] = [
      [{ ...SPEC_HISTORICAL_BODY, entity_df: { customer_id: ["a"] } }, 400, /event_timestamp/],
      [
        { ...SPEC_HISTORICAL_BODY, entity_df: { customer_id: ["a", "b"], event_timestamp: ["2024-01-01T00:00:00Z"] } },
        400,
        /differ in length/,
      ],
      [
        { ...SPEC_HISTORICAL_BODY, entity_df: { customer_id: ["a"], event_timestamp: ["soon"] } },
        400,
        /not a timestamp at row\(s\) 0/,
      ],
      [
        { ...SPEC_HISTORICAL_BODY, entity_df: { event_timestamp: ["2024-01-01T00:00:00Z"] } },
        400,
        /join key column\(s\) customer_id/,
      ],
      [{ ...SPEC_HISTORICAL_BODY, features: ["customer_features:age"] }, 404, /customer_features/],
      [{ ...SPEC_HISTORICAL_BODY, features: ["customer:age", "customer:tenure_days"] }, 404, /not in feature service/],
      [{ entity_df: SPEC_HISTORICAL_BODY.entity_df }, 400, /feature_service, a features list/],
    ];
    for (const [body, status, message] of bad)
      expect((await expectStatus(call("POST", "/historical-features", { body }), status)).error.message).toMatch(
        message,
      );
  });

  it("needs offline:read", async () => {
    await expectStatus(call("POST", "/historical-features", { body: SPEC_HISTORICAL_BODY, token: null }), 401);
    await expectStatus(
      call("POST", "/historical-features", {
        body: SPEC_HISTORICAL_BODY,
        token: await token({ scopes: ["online:read"] }),
      }),
      403,
    );
    await expectStatus(
      call("GET", "/historical-features/hist_x", { token: await token({ scopes: ["online:read"] }) }),
      403,
    );
  });
});

describe("historical jobs", () => {
  captureTasks();

  it("shards by bucket, joins, retries a failed task and combines one Parquet export in input order", async () => {
    const sent = sentTasks;
    {
      const ids = Array.from({ length: 30 }, (_, i) => ["cust_001", "cust_002", "cust_003"][i % 3]);
      const accepted = await expectStatus(
        call("POST", "/historical-features", {
          body: {
            features: ["customer:age", "transactions:count_30d"],
            entity_df: {
              customer_id: ids,
              event_timestamp: ids.map((_, i) => new Date(JAN + (i + 1) * DAY).toISOString()),
              row: ids.map((_, i) => i),
            },
            async: true,
          },
        }),
        202,
      );
      // Both sources have 16 buckets by customer_id: one group, one shard per bucket the three customers hit.
      expect(accepted).toMatchObject({ status: "queued", rows_count: 30 });
      const shards = sent.splice(0) as HistoricalShardTask[];
      expect(shards.length).toBe(accepted.shards);
      expect(shards.length).toBeGreaterThan(0);
      expect(shards.every((t) => t.kind === "historical-shard" && t.group === 0)).toBe(true);
      const status = () => expectStatus(call("GET", `/historical-features/${accepted.job_id}`), 200);
      expect((await status()).progress).toEqual({ tasks_done: 0, tasks_total: shards.length + 1, fraction: 0 });

      // The first attempt fails: the entity rows it needs are briefly unreadable.
      const first = shards[0];
      const entityKey = `jobs/ai_etl/${accepted.job_id}/keys-g0-b${first.bucket}-s0.json`;
      const saved = await (await env.OFFLINE_STORE.get(entityKey))!.text();
      await env.OFFLINE_STORE.delete(entityKey);
      const failed = await deliverTasks([first]);
      expect(failed.retryMessages).toHaveLength(1);
      expect((await status()).status).toBe("in_progress");
      await env.OFFLINE_STORE.put(entityKey, saved);

      for (const [i, shard] of shards.entries()) {
        expect((await deliverTasks([shard], i === 0 ? 2 : 1)).explicitAcks).toHaveLength(1);
      }
      expect(sent).toEqual([expect.objectContaining({ kind: "historical-combine" })]);
      // A redelivered shard does not count twice.
      await deliverTasks([first], 3);
      expect((await status()).progress.tasks_done).toBe(shards.length);
      await deliverTasks([sent.shift()!]);

      const done = await status();
      expect(done).toMatchObject({
        status: "completed",
        progress: { tasks_done: shards.length + 1, tasks_total: shards.length + 1 },
        rows_count: 30,
      });
      const rows = await parquetReadObjects({ file: await (await fetchExport(done.download_url)).arrayBuffer() });
      expect(rows.map((r) => Number(r.row))).toEqual(ids.map((_, i) => i));
      expect(rows.map((r) => Number(r.age))).toEqual(
        ids.map((id) => 30 + ["cust_001", "cust_002", "cust_003"].indexOf(id)),
      );
      expect(Number(rows[0].count_30d)).toBe(1);
    }
  });

  it("a task out of retries fails its job with the error recorded", async () => {
    {
      const accepted = await expectStatus(
        call("POST", "/historical-features", { body: { ...SPEC_HISTORICAL_BODY, async: true } }),
        202,
      );
      const message = sentTasks.splice(0)[0] as HistoricalShardTask;
      await env.OFFLINE_STORE.delete(`jobs/ai_etl/${accepted.job_id}/keys-g0-b${message.bucket}-s0.json`);
      await deliverTasks([message]);
      await deliverTasks([message], 4, "larder-materialize-dlq");
      const job = await expectStatus(call("GET", `/historical-features/${accepted.job_id}`), 200);
      expect(job.status).toBe("failed");
      expect(job.errors).toEqual([
        {
          task: message.task_id,
          reason: expect.stringMatching(/Entity rows of slice 0 .* is missing.*after 4 attempt/),
        },
      ]);
      expect(job.download_url).toBeNull();
    }
  });
});
