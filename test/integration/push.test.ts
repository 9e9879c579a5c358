import { beforeEach, describe, expect, it } from "vitest";
import { call, expectStatus, token } from "./helpers";
import { applyDemo } from "./fixtures";
import { offlineSends } from "./task-queue";

const SPEC_PUSH_BODY = {
  push_source_name: "customer_realtime_updates",
  features: [
    {
      customer_id: "cust_12345",
      event_timestamp: "2024-06-30T15:45:23Z",
      features: {
        last_login_timestamp: "2024-06-30T15:45:23Z",
        session_count_today: 3,
        cart_value: 156.5,
        items_in_cart: 4,
      },
    },
    {
      customer_id: "cust_67890",
      event_timestamp: "2024-06-30T15:45:28Z",
      features: {
        last_login_timestamp: "2024-06-30T15:45:28Z",
        session_count_today: 1,
        cart_value: 89.99,
        items_in_cart: 2,
      },
    },
  ],
};

async function realtime(ids: string[]) {
  // customer_realtime has a 1-day ttl: read with statuses so old pushes are visible as OUTSIDE_MAX_AGE.
  const body = await expectStatus(
    call("POST", "/online-features", {
      body: {
        features: ["customer_realtime:cart_value", "customer_realtime:items_in_cart", "customer_realtime:pages_viewed"],
        entities: { customer_id: ids },
        include_statuses: true,
      },
    }),
    200,
  );
  return body;
}

function iso(offsetMs: number) {
  return new Date(Date.now() + offsetMs).toISOString();
}

beforeEach(async () => {
  await applyDemo();
});

describe("POST /push-features", () => {
  it("accepts the specification's example and answers in its shape", async () => {
    const body = await expectStatus(call("POST", "/push-features", { body: SPEC_PUSH_BODY }), 200);
    expect(body).toMatchObject({ accepted: 2, rejected: 0, errors: [] });
    expect(body.push_id).toMatch(/^push_/);
    expect(typeof body.processing_time_ms).toBe("number");
    // The 2024 timestamps are older than the view's 1-day ttl: stored, but expired on read.
    const read = await realtime(["cust_12345"]);
    expect(read.statuses.cust_12345.cart_value).toBe("OUTSIDE_MAX_AGE");
  });

  it("writes fresh rows online, and both push sources feed the same view, merging features", async () => {
    await expectStatus(
      call("POST", "/push-features", {
        body: {
          push_source_name: "customer_realtime_updates",
          features: [
            { customer_id: "c1", event_timestamp: iso(-60_000), features: { cart_value: 10.5, items_in_cart: 1 } },
          ],
        },
      }),
      200,
    );
    await expectStatus(
      call("POST", "/push-features", {
        body: {
          push_source_name: "customer_sessions",
          features: [{ customer_id: "c1", event_timestamp: iso(-30_000), features: { pages_viewed: 7 } }],
        },
      }),
      200,
    );
    const read = await realtime(["c1"]);
    expect(read.features.c1).toEqual({ cart_value: 10.5, items_in_cart: 1, pages_viewed: 7 });
  });

  it("newest wins under out-of-order pushes, with created_timestamp breaking ties", async () => {
    const t = iso(-60_000);
    const push = (
      features: object,
      event_timestamp: string,
      created_timestamp?: string,
    ): Promise<{ written_online: number }> =>
      expectStatus(
        call("POST", "/push-features", {
          body: {
            push_source_name: "customer_realtime_updates",
            to: "online",
            features: [
              { customer_id: "c2", event_timestamp, ...(created_timestamp ? { created_timestamp } : {}), features },
            ],
          },
        }),
        200,
      );
    await push({ cart_value: 2 }, t, iso(-10_000));
    expect((await push({ cart_value: 1 }, iso(-120_000))).written_online).toBe(0); // older event: accepted, changes nothing
    expect((await realtime(["c2"])).features.c2.cart_value).toBe(2);
    await push({ cart_value: 3 }, t, iso(-20_000)); // same event, older created: ignored
    expect((await realtime(["c2"])).features.c2.cart_value).toBe(2);
    await push({ cart_value: 4 }, t, iso(-5_000)); // same event, newer created: wins
    expect((await realtime(["c2"])).features.c2.cart_value).toBe(4);
    // Within one request too: the newest row wins whatever its position.
    await expectStatus(
      call("POST", "/push-features", {
        body: {
          push_source_name: "customer_realtime_updates",
          features: [
            { customer_id: "c3", event_timestamp: iso(-1_000), features: { cart_value: 30 } },
            { customer_id: "c3", event_timestamp: iso(-9_000), features: { cart_value: 10 } },
          ],
        },
      }),
      200,
    );
    expect((await realtime(["c3"])).features.c3.cart_value).toBe(30);
  });

  it("accepts good rows and reports bad ones by index, never half-writing a row", async () => {
    const now = iso(-1000);
    const rows = [
      { customer_id: "good1", event_timestamp: now, features: { cart_value: 1.5 } },
      { customer_id: "bad_type", event_timestamp: now, features: { cart_value: 1.5, items_in_cart: "four" } },
      { event_timestamp: now, features: { cart_value: 2 } },
      { customer_id: "bad_ts", event_timestamp: "yesterday", features: { cart_value: 2 } },
      { customer_id: "bad_feature", event_timestamp: now, features: { shoe_size: 44 } },
      { customer_id: "future", event_timestamp: iso(3 * 86400_000), features: { cart_value: 2 } },
      "not a row",
      { customer_id: "bad_int", event_timestamp: now, features: { items_in_cart: 2.5 } },
      { customer_id: 42, event_timestamp: now, features: { cart_value: 2 } },
      { customer_id: "no_features", event_timestamp: now },
      { customer_id: "good2", event_timestamp: now, created_timestamp: now, features: { items_in_cart: 2 } },
    ];
    const body = await expectStatus(
      call("POST", "/push-features", { body: { push_source_name: "customer_realtime_updates", features: rows } }),
      200,
    );
    expect(body.accepted).toBe(2);
    expect(body.rejected).toBe(9);
    expect(body.accepted + body.rejected).toBe(rows.length);
    const byIndex = Object.fromEntries(body.errors.map((e: { index: number; reason: string }) => [e.index, e.reason]));
    expect(Object.keys(byIndex).map(Number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(byIndex[1]).toMatch(/items_in_cart.*expected an integer/);
    expect(byIndex[2]).toMatch(/customer_id/);
    expect(byIndex[3]).toMatch(/event_timestamp/);
    expect(byIndex[4]).toMatch(/unknown feature\(s\) shoe_size/);
    expect(byIndex[5]).toMatch(/future/);
    expect(byIndex[8]).toMatch(/expected a string/);
    const read = await realtime(["good1", "good2", "bad_type"]);
    expect(read.features.good1.cart_value).toBe(1.5);
    expect(read.features.good2.items_in_cart).toBe(2);
    // The bad row's valid feature was not written either.
    expect(read.statuses.bad_type.cart_value).toBe("NOT_FOUND");
  });

  it("sends accepted rows to the offline queue unless to is online", async () => {
    const rows = [{ customer_id: "q1", event_timestamp: iso(-1000), features: { cart_value: 5 } }];
    const none = await offlineSends(async () => {
      await expectStatus(
        call("POST", "/push-features", {
          body: { push_source_name: "customer_sessions", to: "online", features: rows },
        }),
        200,
      );
    });
    expect(none).toHaveLength(0);
    const offlineRows = [{ ...rows[0], customer_id: "q2" }];
    const sent = await offlineSends(async () => {
      await expectStatus(
        call("POST", "/push-features", {
          body: { push_source_name: "customer_sessions", to: "offline", features: offlineRows },
        }),
        200,
      );
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      kind: "push",
      project: "ai_etl",
      source: "customer_realtime_batch",
      rows: [{ keys: { customer_id: "q2" }, features: { cart_value: 5 } }],
    });
    // offline only: nothing online.
    expect((await realtime(["q2"])).statuses.q2.cart_value).toBe("NOT_FOUND");
  });

  it("refuses an unknown push source, a bad body, too many rows", async () => {
    const err = await expectStatus(
      call("POST", "/push-features", { body: { ...SPEC_PUSH_BODY, push_source_name: "nope" } }),
      404,
    );
    expect(err.error.code).toBe("PUSH_SOURCE_NOT_FOUND");
    expect(err.error.details.available_push_sources).toEqual(["customer_realtime_updates", "customer_sessions"]);
    expect(
      (await expectStatus(call("POST", "/push-features", { body: { push_source_name: "customer_sessions" } }), 400))
        .error.code,
    ).toBe("VALIDATION_ERROR");
    expect(
      (await expectStatus(call("POST", "/push-features", { body: { ...SPEC_PUSH_BODY, to: "somewhere" } }), 400)).error
        .message,
    ).toMatch(/to/);
    const many = Array.from({ length: 1001 }, () => SPEC_PUSH_BODY.features[0]);
    expect(
      (await expectStatus(call("POST", "/push-features", { body: { ...SPEC_PUSH_BODY, features: many } }), 400)).error
        .message,
    ).toMatch(/1000/);
  });

  it("needs the write scopes its destination names", async () => {
    const onlineOnly = await token({ scopes: ["online:write"] });
    await expectStatus(call("POST", "/push-features", { body: SPEC_PUSH_BODY, token: null }), 401);
    const denied = await expectStatus(call("POST", "/push-features", { body: SPEC_PUSH_BODY, token: onlineOnly }), 403);
    expect(denied.error.details.required_scope).toBe("offline:write");
    await expectStatus(
      call("POST", "/push-features", { body: { ...SPEC_PUSH_BODY, to: "online" }, token: onlineOnly }),
      200,
    );
    await expectStatus(
      call("POST", "/push-features", {
        body: { ...SPEC_PUSH_BODY, to: "online" },
        token: await token({ scopes: ["online:read"] }),
      }),
      403,
    );
    await expectStatus(
      call("POST", "/push-features", {
        body: { ...SPEC_PUSH_BODY, to: "online" },
        token: await token({ scopes: ["online:write"], projects: ["x"] }),
      }),
      403,
    );
  });
});
