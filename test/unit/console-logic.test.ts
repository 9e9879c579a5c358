/**
 * The console's pure parts: token claims and scopes, the session kept in
 * sessionStorage, entity tables and key lists as pasted, registry links and
 * search, the histogram axes, and how numbers and times are written.
 */
import { describe, expect, it } from "vitest";
import { histogramScale } from "../../console/src/charts/plots";
import { logAxisTicks } from "../../console/src/charts/ticks";
import { parseKeyList, typedKey } from "../../console/src/entity-keys";
import { parseEntityTable } from "../../console/src/entity-table";
import { formatAgo, formatDuration, formatNumber, formatPercent, formatValue } from "../../console/src/format";
import {
  type Registry,
  searchRegistry,
  servicesOfView,
  sourceKind,
  viewsOfEntity,
  viewsOfSource,
} from "../../console/src/registry-model";
import { can, clearSession, loadSession, readClaims, saveSession } from "../../console/src/session";

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
const jwt = (claims: Record<string, unknown>) => `${b64url({ alg: "HS256" })}.${b64url(claims)}.c2ln`;

class MemoryStorage {
  private items = new Map<string, string>();
  get length() {
    return this.items.size;
  }
  getItem(k: string) {
    return this.items.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.items.set(k, v);
  }
  removeItem(k: string) {
    this.items.delete(k);
  }
  clear() {
    this.items.clear();
  }
  key(i: number) {
    return [...this.items.keys()][i] ?? null;
  }
}

describe("token claims", () => {
  it("reads scopes from `scope` and `scopes`, projects, subject and expiry, as the server does", () => {
    const claims = readClaims(
      jwt({ sub: "ana", scope: "online:read  registry:read", scopes: ["materialize"], projects: ["a"], exp: 10 }),
    );
    expect([...claims.scopes].sort()).toEqual(["materialize", "online:read", "registry:read"]);
    expect(claims).toMatchObject({ subject: "ana", projects: ["a"], expiresAt: 10_000 });
    expect(can(claims, "registry:read")).toBe(true);
    expect(can(claims, "registry:write")).toBe(false);
    expect(can(readClaims(jwt({ scope: "admin" })), "registry:write")).toBe(true);
    expect(readClaims(jwt({ projects: "a" })).projects).toEqual([]);
    expect(readClaims(jwt({})).projects).toBeNull();
  });

  it("refuses what is not a JWT, saying why", () => {
    expect(() => readClaims("abc")).toThrow(/three base64url parts/);
    expect(() => readClaims("a.b c.d")).toThrow(/three base64url parts/);
    expect(() => readClaims(`x.${Buffer.from("nope").toString("base64url")}.y`)).toThrow(/not base64url-encoded JSON/);
    expect(() => readClaims(`x.${b64url([1])}.y`)).toThrow(/not a JSON object/);
  });

  it("keeps the session in the given storage only, and drops one whose token no longer reads", () => {
    const storage = new MemoryStorage();
    const token = jwt({ scope: "admin" });
    saveSession({ token, project: "ai_etl", claims: readClaims(token) }, storage);
    expect(loadSession(storage)).toMatchObject({ token, project: "ai_etl" });
    storage.setItem("larder.console.token", "garbage");
    expect(loadSession(storage)).toBeNull();
    clearSession(storage);
    expect(storage.length).toBe(0);
  });
});

describe("entity tables as pasted", () => {
  it("types label columns like the CLI and keeps join keys and timestamps as written", () => {
    const df = parseEntityTable(
      "customer_id,event_timestamp,churned,score,flag,note\n001,2024-01-15T10:00:00Z,1,0.5,true,a\n002,1705312800,0,,false,",
      ["customer_id"],
    );
    expect(df).toEqual({
      customer_id: ["001", "002"],
      event_timestamp: ["2024-01-15T10:00:00Z", "1705312800"],
      churned: [1, 0],
      score: [0.5, null],
      flag: [true, false],
      note: ["a", null],
    });
  });

  it("reads tab-separated text copied from a spreadsheet, and quoted cells", () => {
    expect(parseEntityTable('id\tevent_timestamp\tlabel\n"a,b"\t2024-01-01T00:00:00Z\tx', ["id"])).toEqual({
      id: ["a,b"],
      event_timestamp: ["2024-01-01T00:00:00Z"],
      label: ["x"],
    });
  });

  it("says what is wrong with a table it cannot use", () => {
    expect(() => parseEntityTable("  ", [])).toThrow(/empty/);
    expect(() => parseEntityTable("customer_id,event_timestamp", [])).toThrow(/no rows/);
    expect(() => parseEntityTable("customer_id\nc1", [])).toThrow(/needs an event_timestamp column/);
    expect(() => parseEntityTable("a,a,event_timestamp\n1,2,3", [])).toThrow(/names 'a' twice/);
    expect(() => parseEntityTable("a,event_timestamp\n1,2,3", [])).toThrow(/not valid CSV/);
  });

  it("splits key lists on commas, spaces and new lines, and types integer keys", () => {
    expect(parseKeyList("c1, c2\nc3  c1,,")).toEqual(["c1", "c2", "c3"]);
    expect(typedKey("42", "INT64")).toBe(42);
    expect(typedKey("42", "STRING")).toBe("42");
    expect(typedKey("9007199254740993", "INT64")).toBe("9007199254740993");
    expect(typedKey("4.2", "INT32")).toBe("4.2");
  });
});

const tags = {};
const REGISTRY: Registry = {
  views: [
    {
      name: "customer",
      entities: ["customer"],
      join_keys: ["customer_id"],
      features: [{ name: "age", dtype: "int32" }],
      ttl_seconds: 3600,
      online: true,
      tags: { team: "ds" },
      source: "profile",
      schedule: null,
      description: "Profile",
    },
    {
      name: "live",
      entities: ["customer"],
      join_keys: ["customer_id"],
      features: [{ name: "cart_value", dtype: "float64" }],
      ttl_seconds: 0,
      online: true,
      tags,
      source: "live_batch",
      schedule: null,
      description: "",
    },
  ],
  entities: [
    { name: "customer", join_keys: ["customer_id"], value_type: "STRING", value_types: {}, description: "", tags },
  ],
  services: [
    { name: "svc", features: ["customer:age"], feature_views: ["customer"], description: "", tags },
    { name: "both", features: ["customer:age", "live"], feature_views: ["customer", "live"], description: "", tags },
  ],
  sources: [
    { name: "profile", type: "batch", path: "r2://b/profile/", description: "", tags },
    { name: "live_batch", type: "batch", path: "r2://b/live/", description: "", tags },
  ],
  pushSources: [{ name: "clicks", batch_source: "live_batch", feature_views: ["live"], description: "", tags }],
};

describe("registry links and search", () => {
  it("links sources to views (directly and through push sources), views to services, entities to views", () => {
    expect(servicesOfView(REGISTRY, "live")).toEqual(["both"]);
    expect(servicesOfView(REGISTRY, "customer")).toEqual(["svc", "both"]);
    expect(viewsOfSource(REGISTRY, "live_batch")).toEqual(["live"]);
    expect(viewsOfEntity(REGISTRY, "customer")).toEqual(["customer", "live"]);
    expect(sourceKind(REGISTRY, "clicks")).toBe("push");
    expect(sourceKind(REGISTRY, "profile")).toBe("source");
    expect(sourceKind(REGISTRY, "gone")).toBeNull();
  });

  it("finds objects by every word of the query: names, features, dtypes, tags, paths", () => {
    const names = (q: string) => {
      const r = searchRegistry(REGISTRY, q);
      return [...r.views, ...r.services, ...r.sources, ...r.pushSources, ...r.entities].map((o) => o.name);
    };
    expect(names("")).toHaveLength(8);
    expect(names("team=ds")).toEqual(["customer"]);
    expect(names("CART float64")).toEqual(["live"]);
    expect(names("r2://b/live")).toEqual(["live_batch"]);
    expect(names("customer:age")).toEqual(["svc", "both"]);
    expect(names("nothing-like-this")).toEqual([]);
  });
});

describe("histogram axes", () => {
  it("are logarithmic on one side of zero and symmetric-logarithmic across it", () => {
    expect(histogramScale([{ low: 1, high: 1.09, count: 1 }])).toEqual({ type: "log" });
    expect(histogramScale([{ low: -2, high: -1.8, count: 1 }])).toEqual({ type: "log" });
    expect(
      histogramScale([
        { low: 0, high: 0, count: 3 },
        { low: 0.5, high: 0.545, count: 1 },
      ]),
    ).toEqual({ type: "symlog", constant: 0.5 });
  });

  it("tick at 1-2-5 steps, only powers of ten when those are too many, with zero on symlog axes", () => {
    expect(logAxisTicks(150, 3300, false)).toEqual([200, 500, 1000, 2000]);
    expect(logAxisTicks(4, 160_000, false)).toEqual([10, 100, 1000, 10_000, 100_000]);
    expect(logAxisTicks(20, 90, false)).toBeUndefined();
    expect(logAxisTicks(-3300, -150, false)).toEqual([-2000, -1000, -500, -200]);
    expect(logAxisTicks(0, 9800, true, 1)).toEqual([0, 1, 10, 100, 1000]);
    expect(logAxisTicks(0, 240, true, 1)).toEqual([0, 1, 10, 100]);
    expect(logAxisTicks(0, 30, true, 1)).toEqual([0, 1, 2, 5, 10, 20]);
    expect(logAxisTicks(-100, 100, true, 1)).toEqual([-100, -10, -1, 0, 1, 10, 100]);
    expect(logAxisTicks(0, 0.3, true, 0.1)).toEqual([0, 0.1, 0.2]);
  });
});

describe("formatting", () => {
  it("writes durations in their two largest units", () => {
    expect(formatDuration(0.43)).toBe("0.4 s");
    expect(formatDuration(75)).toBe("1 min 15 s");
    expect(formatDuration(3 * 86_400 + 4 * 3600 + 59)).toBe("3 d 4 h");
    expect(formatDuration(3 * 86_400 + 59)).toBe("3 d");
    expect(formatDuration(-120)).toBe("−2 min");
    expect(formatDuration(null)).toBe("–");
  });

  it("writes ages, numbers, shares and values", () => {
    const now = Date.parse("2024-01-02T00:00:00Z");
    expect(formatAgo("2024-01-01T22:30:00Z", now)).toBe("1 h 30 min ago");
    expect(formatAgo("2024-01-02T00:00:30Z", now)).toBe("in 30 s");
    expect(formatAgo("not a time", now)).toBe("–");
    expect(formatNumber(1234567.891)).toBe("1,234,567.891");
    expect(formatNumber(0.000012)).toBe("1.200e-5");
    expect(formatNumber(null)).toBe("–");
    expect(formatPercent(0.025)).toBe("2.5 %");
    expect(formatValue(null)).toBe("null");
    expect(formatValue([1, 2])).toBe("[1,2]");
  });
});
