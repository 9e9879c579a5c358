import { describe, expect, it } from "vitest";
import { LarderError } from "../../src/domain/errors";
import { outputNameCollisions, resultRows } from "../../src/domain/join-output";
import { pointInTimeJoin, type FeatureTable } from "../../src/domain/pit-join";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T = Date.UTC(2024, 0, 15, 10); // a fixed hour

function view(partial: Partial<FeatureTable> & Pick<FeatureTable, "rows">): FeatureTable {
  return {
    view: "customer",
    joinKeys: ["customer_id"],
    keyTypes: { customer_id: "INT64" },
    features: ["score"],
    ttlSeconds: 0,
    ...partial,
  };
}

describe("pointInTimeJoin: the specified cases", () => {
  it("takes the latest event, ties broken by the latest created timestamp", () => {
    const features = view({
      rows: [
        { customer_id: 1001, score: 10, event_timestamp: T, created_timestamp: T },
        { customer_id: 1001, score: 20, event_timestamp: T, created_timestamp: T + DAY },
        { customer_id: 1002, score: 30, event_timestamp: T, created_timestamp: T + DAY },
        { customer_id: 1002, score: 40, event_timestamp: T + DAY, created_timestamp: T },
      ],
    });
    const entities = [
      { customer_id: 1001, event_timestamp: T + 2 * DAY },
      { customer_id: 1002, event_timestamp: T + 2 * DAY },
    ];
    const out = resultRows(pointInTimeJoin(entities, [features], { fullFeatureNames: false }));
    expect(out.map((r) => r.score)).toEqual([20, 40]);
  });

  it("applies the ttl inclusively: 1h old is returned, 2d old is null", () => {
    const now = T + 10 * DAY;
    const features = view({
      ttlSeconds: 86_400,
      rows: [
        { customer_id: 1, score: 1, event_timestamp: now - HOUR },
        { customer_id: 2, score: 2, event_timestamp: now - 2 * DAY },
        { customer_id: 3, score: 3, event_timestamp: now - DAY }, // exactly at the bound
      ],
    });
    const entities = { customer_id: [1, 2, 3], event_timestamp: [now, now, now] };
    const result = pointInTimeJoin(entities, [features], { fullFeatureNames: false });
    expect(result.data.score).toEqual([1, null, 3]);
  });

  it("gives null to an entity row older than every feature row, and counts an equal timestamp as a match", () => {
    const features = view({ rows: [{ customer_id: 7, score: 1, event_timestamp: T }] });
    const result = pointInTimeJoin({ customer_id: [7, 7], event_timestamp: [T - 1, T] }, [features], {
      fullFeatureNames: false,
    });
    expect(result.data.score).toEqual([null, 1]);
  });

  it("names features bare or view__feature", () => {
    const features = view({
      features: ["score", "age"],
      rows: [{ customer_id: 1, score: 5, age: 30, event_timestamp: T }],
    });
    const entities = [{ customer_id: 1, event_timestamp: T }];
    const bare = pointInTimeJoin(entities, [features], { fullFeatureNames: false });
    expect(bare.columns).toEqual(["customer_id", "event_timestamp", "score", "age"]);
    const full = pointInTimeJoin(entities, [features], { fullFeatureNames: true });
    expect(full.columns).toEqual(["customer_id", "event_timestamp", "customer__score", "customer__age"]);
    expect(resultRows(full)).toEqual([{ customer_id: 1, event_timestamp: T, customer__score: 5, customer__age: 30 }]);
  });

  it("matches on every key of a composite key", () => {
    const features: FeatureTable = {
      view: "store_sales",
      joinKeys: ["merchant_id", "store_id"],
      keyTypes: { merchant_id: "INT32", store_id: "STRING" },
      features: ["sales"],
      ttlSeconds: 0,
      rows: {
        merchant_id: [1, 1, 2],
        store_id: ["a", "b", "a"],
        event_timestamp: [T, T, T],
        sales: [100, 200, 300],
      },
    };
    const entities = { merchant_id: [1, 2, 2, "1"], store_id: ["b", "a", "b", "a"], event_timestamp: [T, T, T, T] };
    const result = pointInTimeJoin(entities, [features], { fullFeatureNames: false });
    expect(result.data.sales).toEqual([200, 300, null, 100]);
  });

  it("does not let a value fake a composite-key separator", () => {
    const features: FeatureTable = {
      view: "v",
      joinKeys: ["a", "b"],
      keyTypes: { a: "STRING", b: "STRING" },
      features: ["f"],
      ttlSeconds: 0,
      rows: { a: ["x:1:y"], b: [""], event_timestamp: [T], f: [1] },
    };
    const result = pointInTimeJoin({ a: ["x"], b: ["y"], event_timestamp: [T] }, [features], {
      fullFeatureNames: false,
    });
    expect(result.data.f).toEqual([null]);
  });

  it("joins several views, each with its own keys and ttl, and carries extra entity columns in order", () => {
    const customer = view({ features: ["age"], rows: [{ customer_id: 1, age: 40, event_timestamp: T - 30 * DAY }] });
    const tx = view({
      view: "transactions",
      features: ["count_30d"],
      ttlSeconds: 7 * 86_400,
      rows: [
        { customer_id: 1, count_30d: 3, event_timestamp: T - 10 * DAY },
        { customer_id: 2, count_30d: 9, event_timestamp: T - DAY },
      ],
    });
    const entities = [
      { label: 1, customer_id: 1, event_timestamp: T, note: "a" },
      { label: 0, customer_id: 2, event_timestamp: T, note: "b" },
    ];
    const result = pointInTimeJoin(entities, [customer, tx], { fullFeatureNames: true });
    expect(result.columns).toEqual([
      "label",
      "customer_id",
      "event_timestamp",
      "note",
      "customer__age",
      "transactions__count_30d",
    ]);
    expect(resultRows(result)).toEqual([
      { label: 1, customer_id: 1, event_timestamp: T, note: "a", customer__age: 40, transactions__count_30d: null },
      { label: 0, customer_id: 2, event_timestamp: T, note: "b", customer__age: null, transactions__count_30d: 9 },
    ]);
  });

  it("treats integers given as numbers, bigints and decimal strings as the same key", () => {
    const features = view({ rows: { customer_id: [7n, "0042"], event_timestamp: [T, T], score: [1, 2] } });
    const result = pointInTimeJoin({ customer_id: ["7", 42, " 7 "], event_timestamp: [T, T, T] }, [features], {
      fullFeatureNames: false,
    });
    expect(result.data.score).toEqual([1, 2, 1]);
  });

  it("counts a missing created timestamp as the lowest", () => {
    const features = view({
      rows: [
        { customer_id: 1, score: 1, event_timestamp: T, created_timestamp: 5 },
        { customer_id: 1, score: 2, event_timestamp: T, created_timestamp: null },
      ],
    });
    const result = pointInTimeJoin([{ customer_id: 1, event_timestamp: T }], [features], { fullFeatureNames: false });
    expect(result.data.score).toEqual([1]);
  });

  it("keeps entity rows whose key is null, with null features", () => {
    const features = view({ rows: [{ customer_id: 1, score: 1, event_timestamp: T }] });
    const result = pointInTimeJoin({ customer_id: [null, 1], event_timestamp: [T, T] }, [features], {
      fullFeatureNames: false,
    });
    expect(result.data.score).toEqual([null, 1]);
  });

  it("gives null for a feature the rows lack, and handles no entity rows", () => {
    const features = view({
      features: ["score", "added_later"],
      rows: [{ customer_id: 1, score: 1, event_timestamp: T }],
    });
    expect(
      pointInTimeJoin([{ customer_id: 1, event_timestamp: T }], [features], { fullFeatureNames: false }).data
        .added_later,
    ).toEqual([null]);
    const empty = pointInTimeJoin({ customer_id: [], event_timestamp: [] }, [features], { fullFeatureNames: false });
    expect(empty).toEqual({
      columns: ["customer_id", "event_timestamp", "score", "added_later"],
      data: { customer_id: [], event_timestamp: [], score: [], added_later: [] },
      numRows: 0,
    });
  });
});

describe("pointInTimeJoin: bad input", () => {
  const features = view({ rows: [{ customer_id: 1, score: 1, event_timestamp: T }] });

  function error(fn: () => unknown): LarderError {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(LarderError);
      return err as LarderError;
    }
    throw new Error("expected a LarderError");
  }

  it("rejects a missing or non-numeric entity timestamp, naming the row", () => {
    expect(error(() => pointInTimeJoin({ customer_id: [1] }, [features], { fullFeatureNames: false })).message).toMatch(
      /event_timestamp/,
    );
    const err = error(() =>
      pointInTimeJoin({ customer_id: [1, 1], event_timestamp: [T, "2024-01-01"] }, [features], {
        fullFeatureNames: false,
      }),
    );
    expect(err.code).toBe("VALIDATION_ERROR");
    expect(err.details.row).toBe(1);
  });

  it("rejects a join key of the wrong type and a missing join key column", () => {
    const err = error(() =>
      pointInTimeJoin({ customer_id: [1, "abc"], event_timestamp: [T, T] }, [features], { fullFeatureNames: false }),
    );
    expect(err.message).toMatch(/row 1: join key 'customer_id'.*INT64.*"abc"/);
    expect(
      error(() => pointInTimeJoin({ user_id: [1], event_timestamp: [T] }, [features], { fullFeatureNames: false }))
        .message,
    ).toMatch(/customer_id/);
  });

  it("rejects columns of unequal length", () => {
    expect(
      error(() =>
        pointInTimeJoin({ customer_id: [1, 2], event_timestamp: [T] }, [features], { fullFeatureNames: false }),
      ).message,
    ).toMatch(/column/);
  });

  it("reports and refuses output name collisions", () => {
    const other = view({ view: "other", rows: [] });
    expect(outputNameCollisions([features, other], false)).toEqual([
      { name: "score", sources: ["customer:score", "other:score"] },
    ]);
    expect(outputNameCollisions([features, other], true)).toEqual([]);
    expect(outputNameCollisions([features], false, ["customer_id", "score"])).toEqual([
      { name: "score", sources: ["entity_df", "customer:score"] },
    ]);
    const err = error(() =>
      pointInTimeJoin([{ customer_id: 1, event_timestamp: T }], [features, other], { fullFeatureNames: false }),
    );
    expect(err.details.collisions).toHaveLength(1);
  });
});
