/**
 * The `Features` service-binding entrypoint, called the way an inference
 * Worker calls it: from an auxiliary worker (test/integration/binding/) whose
 * bindings target the entrypoint with the props its configuration gives.
 * Answers are compared with the HTTP routes' for the same request.
 */
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { bindingError } from "../../src/client/binding";
import { applyDemo } from "./fixtures";
import { call, expectStatus } from "./helpers";
import { appendHistory, DAY } from "./offline-fixtures";
import { seedOnline } from "./seed";

type Binding = "FEATURES" | "FEATURES_TEAM_B" | "FEATURES_UNLISTED" | "FEATURES_READ_ONLY";

// biome-ignore lint/suspicious/noExplicitAny: answers are arbitrary JSON
async function viaBinding(binding: Binding, method: string, request: unknown): Promise<any> {
  const res = await env.INFERENCE.fetch("http://inference/", {
    method: "POST",
    body: JSON.stringify({ binding, method, request }),
  });
  const answer = (await res.json()) as { ok: boolean; result?: unknown; error?: { name: string; message: string } };
  if (!answer.ok) throw Object.assign(new Error(answer.error!.message), { name: answer.error!.name });
  return answer.result;
}

/** The LarderApiError a binding call rejected with (fails the test when it resolved). */
async function bindingFailure(binding: Binding, method: string, request: unknown) {
  const err = await viaBinding(binding, method, request).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, "the call should have failed").toBeInstanceOf(Error);
  const decoded = bindingError(err);
  expect(decoded, `not a Larder error: ${String(err)}`).toBeDefined();
  return { error: decoded!, raw: err as Error };
}

const ONLINE_BODY = {
  feature_service: "customer_features_v1",
  entities: { customer_id: ["cust_12345", "cust_67890"] },
  features: ["customer:age", "customer:lifetime_value", "customer:segment"],
  include_statuses: true,
};

const now = Date.now();

beforeEach(async () => {
  await applyDemo();
  await seedOnline("customer", "customer_id", [
    { id: "cust_12345", e: now - 60_000, v: { age: 34, lifetime_value: 2450.5, segment: "premium" } },
    { id: "cust_67890", e: now - 60_000, v: { age: 28, lifetime_value: 890.25, segment: "standard" } },
  ]);
});

const withoutLatency = (body: { metadata: Record<string, unknown> }) => ({
  ...body,
  metadata: { ...body.metadata, latency_ms: 0 },
});

describe("Features.getOnlineFeatures", () => {
  it("answers what POST /online-features answers, with no token", async () => {
    const viaRpc = await viaBinding("FEATURES", "getOnlineFeatures", ONLINE_BODY);
    const viaHttp = await expectStatus(call("POST", "/online-features", { body: ONLINE_BODY }), 200);
    expect(viaRpc.features.cust_12345).toEqual({ age: 34, lifetime_value: 2450.5, segment: "premium" });
    expect(viaRpc.statuses.cust_67890.segment).toBe("PRESENT");
    expect(withoutLatency(viaRpc)).toEqual(withoutLatency(viaHttp));
    expect(viaRpc.metadata.latency_ms).toBeGreaterThanOrEqual(0);
  });

  it("rejects with coded errors the client decodes: unknown view (with details), bad request", async () => {
    const missing = await bindingFailure("FEATURES", "getOnlineFeatures", {
      features: ["nope:age"],
      entities: { customer_id: ["cust_12345"] },
    });
    expect(missing.error.code).toBe("FEATURE_VIEW_NOT_FOUND");
    expect(missing.error.details.available_views).toContain("customer");
    expect(missing.error.requestId).toMatch(/^rpc_[0-9a-f]{32}$/);
    // What a caller that does not decode sees: a readable first line.
    expect(missing.raw.message.split("\n")[0]).toMatch(/^FEATURE_VIEW_NOT_FOUND: /);

    const bad = await bindingFailure("FEATURES", "getOnlineFeatures", { entities: "cust_12345" });
    expect(bad.error.code).toBe("VALIDATION_ERROR");
    expect(bad.error.details.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: "entities" })]));
  });
});

describe("the binding's project is fixed by configuration", () => {
  beforeEach(async () => {
    await applyDemo("team_b");
    await seedOnline("customer", "customer_id", [{ id: "cust_12345", e: now, v: { age: 99 } }], "team_b");
  });

  it("props.project picks one of BINDING_PROJECTS; each binding sees only its project's data", async () => {
    const request = { features: ["customer:age"], entities: { customer_id: ["cust_12345"] } };
    expect((await viaBinding("FEATURES", "getOnlineFeatures", request)).features.cust_12345.age).toBe(34);
    expect((await viaBinding("FEATURES_TEAM_B", "getOnlineFeatures", request)).features.cust_12345.age).toBe(99);
  });

  it("a project outside BINDING_PROJECTS is refused, whatever the caller's props say", async () => {
    const { error } = await bindingFailure("FEATURES_UNLISTED", "getOnlineFeatures", {
      features: ["customer:age"],
      entities: { customer_id: ["cust_12345"] },
    });
    expect(error.code).toBe("FORBIDDEN");
    expect(error.details).toMatchObject({ project: "secret_project", binding_projects: ["ai_etl", "team_b"] });
  });

  it("a call cannot pick its project in its arguments", async () => {
    const { error } = await bindingFailure("FEATURES", "getOnlineFeatures", {
      project: "team_b",
      features: ["customer:age"],
      entities: { customer_id: ["cust_12345"] },
    });
    expect(error.code).toBe("FORBIDDEN");
    expect(error.details.field).toBe("project");
  });

  it("props.scopes narrow what a binding may do", async () => {
    const read = await viaBinding("FEATURES_READ_ONLY", "getOnlineFeatures", {
      features: ["customer:age"],
      entities: { customer_id: ["cust_12345"] },
    });
    expect(read.features.cust_12345.age).toBe(34);
    const push = await bindingFailure("FEATURES_READ_ONLY", "pushFeatures", {
      push_source_name: "customer_realtime_updates",
      to: "online",
      features: [
        { customer_id: "cust_12345", event_timestamp: new Date(now).toISOString(), features: { cart_value: 1 } },
      ],
    });
    expect(push.error.code).toBe("FORBIDDEN");
    expect(push.error.details.required_scope).toBe("online:write");
    const hist = await bindingFailure("FEATURES_READ_ONLY", "getHistoricalFeatures", {
      features: ["customer:age"],
      entity_df: { customer_id: ["cust_12345"], event_timestamp: [new Date(now).toISOString()] },
    });
    expect(hist.error.details.required_scope).toBe("offline:read");
  });
});

describe("Features.pushFeatures", () => {
  it("writes like POST /push-features: good rows online, bad rows reported by index", async () => {
    const at = new Date(now - 1000).toISOString();
    const answer = await viaBinding("FEATURES", "pushFeatures", {
      push_source_name: "customer_realtime_updates",
      to: "online",
      features: [
        { customer_id: "cust_12345", event_timestamp: at, features: { cart_value: 156.5, items_in_cart: 4 } },
        { customer_id: "cust_67890", event_timestamp: at, features: { items_in_cart: "four" } },
      ],
    });
    expect(answer).toMatchObject({ accepted: 1, rejected: 1, written_online: 1 });
    expect(answer.push_id).toMatch(/^push_/);
    expect(answer.errors[0]).toMatchObject({ index: 1, field: "features.items_in_cart" });
    const read = await expectStatus(
      call("POST", "/online-features", {
        body: { features: ["customer_realtime:cart_value"], entities: { customer_id: ["cust_12345"] } },
      }),
      200,
    );
    expect(read.features.cust_12345.cart_value).toBe(156.5);
  });

  it("refuses an unknown push source with its code", async () => {
    const { error } = await bindingFailure("FEATURES", "pushFeatures", {
      push_source_name: "nope",
      features: [{ customer_id: "cust_12345", event_timestamp: new Date(now).toISOString(), features: {} }],
    });
    expect(error.code).toBe("PUSH_SOURCE_NOT_FOUND");
  });
});

describe("Features.getHistoricalFeatures", () => {
  const JAN = Date.parse("2024-01-01T00:00:00Z");
  const request = {
    features: ["customer:age", "customer:segment"],
    entity_df: {
      customer_id: ["cust_001", "cust_002", "cust_003"],
      event_timestamp: ["2024-01-15T10:00:00Z", "2024-01-16T14:30:00Z", "2024-01-02T00:00:00Z"],
      label: [1, 0, 1],
    },
    full_feature_names: true,
  };

  beforeEach(async () => {
    const rows = [];
    for (let d = 0; d < 20; d++)
      for (const [i, id] of ["cust_001", "cust_002"].entries())
        rows.push({ customer_id: id, event_timestamp: JAN + d * DAY, age: 30 + i + d, segment: i ? "b" : "a" });
    await appendHistory("customer_profile_source", rows);
  });

  it("joins inline what POST /historical-features joins, every row, labels carried", async () => {
    const viaRpc = await viaBinding("FEATURES", "getHistoricalFeatures", request);
    const viaHttp = await expectStatus(call("POST", "/historical-features", { body: request }), 200);
    expect(viaRpc.data).toEqual(viaHttp.data);
    expect(viaRpc.data[0]).toEqual({
      customer_id: "cust_001",
      event_timestamp: "2024-01-15T10:00:00Z",
      label: 1,
      customer__age: 44,
      customer__segment: "a",
    });
    expect(viaRpc.data[2].customer__age).toBeNull(); // cust_003 has no history
    expect(viaRpc.metadata).toMatchObject({ rows_count: 3, features_count: 2 });
    expect(viaRpc.download_url).toBeUndefined();
  });

  it("refuses more entity rows than it answers inline, pointing at the HTTP route", async () => {
    const many = Array.from({ length: 1001 }, (_, i) => `c${i}`);
    const { error } = await bindingFailure("FEATURES", "getHistoricalFeatures", {
      features: ["customer:age"],
      entity_df: { customer_id: many, event_timestamp: many.map(() => "2024-01-15T00:00:00Z") },
    });
    expect(error.code).toBe("VALIDATION_ERROR");
    expect(error.message).toContain("/historical-features");
  });
});
