import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { API_BASE, buildApp } from "../../src/app";
import { call, expectStatus, token } from "./helpers";
import { applyDemo } from "./fixtures";

describe("GET /config", () => {
  it("answers in the specification's shape with live counts", async () => {
    await applyDemo();
    const config = await expectStatus(call("GET", "/config"), 200);
    expect(config).toMatchObject({
      project: "ai_etl",
      entity_key_serialization_version: expect.any(Number),
      feature_views_count: 7,
      entities_count: 5,
    });
    for (const key of ["registry", "online_store", "offline_store"]) {
      expect(config[key]).toEqual(expect.objectContaining({ type: expect.any(String) }));
    }
    expect(config.registry.type).toBe("d1");
    expect(config.online_store.type).toBe("cloudflare_kv");
    expect(config.offline_store.type).toBe("r2");
    expect(Number.isInteger(config.entity_key_serialization_version)).toBe(true);
    expect(config.entity_key_serialization_version).toBeGreaterThanOrEqual(1);
  });

  it("counts the project named by ?project=, and follows registry changes", async () => {
    await applyDemo("sandbox");
    expect(await expectStatus(call("GET", "/config"), 200)).toMatchObject({
      project: "ai_etl",
      feature_views_count: 0,
      entities_count: 0,
    });
    expect(await expectStatus(call("GET", "/config?project=sandbox"), 200)).toMatchObject({
      project: "sandbox",
      feature_views_count: 7,
      entities_count: 5,
    });
    await expectStatus(call("DELETE", "/feature-views/connector?project=sandbox"), 200);
    expect(await expectStatus(call("GET", "/config?project=sandbox"), 200)).toMatchObject({ feature_views_count: 6 });
  });

  it("never contains the JWT secret", async () => {
    await applyDemo();
    expect(env.AUTH_JWT_SECRET.length).toBeGreaterThan(0);
    const text = await (await call("GET", "/config")).text();
    expect(text).toContain("ai_etl"); // it is the config, not an error
    expect(text).not.toContain(env.AUTH_JWT_SECRET);
    // Nor a recognisable part of it.
    expect(text).not.toContain(env.AUTH_JWT_SECRET.slice(0, 16));
  });

  it("needs a token and registry:read", async () => {
    expect((await expectStatus(call("GET", "/config", { token: null }), 401)).error.code).toBe("UNAUTHENTICATED");
    const body = await expectStatus(call("GET", "/config", { token: await token({ scopes: ["online:read"] }) }), 403);
    expect(body.error).toMatchObject({ code: "FORBIDDEN", details: { required_scope: "registry:read" } });
    await expectStatus(call("GET", "/config", { token: await token({ scopes: ["registry:read"] }) }), 200);
    expect(
      (
        await expectStatus(
          call("GET", "/config", { token: await token({ scopes: ["registry:read"], projects: ["other"] }) }),
          403,
        )
      ).error.code,
    ).toBe("FORBIDDEN");
  });
});

describe("GET /openapi.json", () => {
  type Operation = {
    security?: unknown[];
    requestBody?: { content?: Record<string, { schema?: unknown }> };
    responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
    parameters?: { name: string; in: string }[];
  };
  type Doc = {
    openapi: string;
    servers?: { url: string }[];
    paths: Record<string, Record<string, Operation>>;
    components?: { schemas?: Record<string, unknown> };
  };

  /** The routes this brief's app must document; more routes may be added, so the check is "contains". */
  const EXPECTED: [method: string, path: string][] = [
    ["get", "/health"],
    ["get", "/config"],
    ["post", "/apply"],
    ["post", "/refresh-registry"],
    ["get", "/feature-views"],
    ["get", "/feature-views/{name}"],
    ["delete", "/feature-views/{name}"],
    ["get", "/entities"],
    ["delete", "/entities/{name}"],
    ["get", "/feature-services"],
    ["delete", "/feature-services/{name}"],
    ["get", "/push-sources"],
    ["delete", "/push-sources/{name}"],
    ["get", "/data-sources"],
    ["delete", "/data-sources/{name}"],
  ];
  /** POST routes that take no body. */
  const BODYLESS_POSTS = new Set(["/refresh-registry"]);
  const METHODS = ["get", "post", "put", "patch", "delete"];

  async function getDoc(): Promise<Doc> {
    const res = await call("GET", "/openapi.json", { token: null });
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    return expectStatus<Doc>(res, 200);
  }

  function operations(doc: Doc): [method: string, path: string, op: Operation][] {
    return Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([m]) => METHODS.includes(m))
        .map(([m, op]) => [m, path, op] as [string, string, Operation]),
    );
  }

  it("is served without a token, as OpenAPI 3.1.0, with the API base as its server", async () => {
    const doc = await getDoc();
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.servers?.map((s) => s.url)).toContain(API_BASE);
  });

  it("documents every expected route", async () => {
    const doc = await getDoc();
    const documented = new Set(operations(doc).map(([m, p]) => `${m.toUpperCase()} ${p}`));
    const missing = EXPECTED.map(([m, p]) => `${m.toUpperCase()} ${p}`).filter((r) => !documented.has(r));
    expect(missing).toEqual([]);
  });

  it("documents every route the app serves (nothing hidden)", async () => {
    const doc = await getDoc();
    const documented = new Set(operations(doc).map(([m, p]) => `${m.toUpperCase()} ${p}`));
    const served = new Set(
      buildApp()
        .routes.filter((r) => r.method !== "ALL" && r.path.startsWith(`${API_BASE}/`))
        .map((r) => `${r.method} ${r.path.slice(API_BASE.length).replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, "{$1}")}`)
        .filter((r) => r !== "GET /openapi.json"),
    );
    expect(served.size).toBeGreaterThanOrEqual(EXPECTED.length);
    expect([...served].filter((r) => !documented.has(r))).toEqual([]);
  });

  it("documents only routes the app answers", async () => {
    const doc = await getDoc();
    const admin = await token({ scopes: ["admin"] });
    const unrouted: string[] = [];
    for (const [method, path] of operations(doc)) {
      const concrete = path.replace(/\{[^}]+\}/g, "no_such_object");
      const res = await call(method.toUpperCase(), concrete, {
        token: admin,
        ...(method === "post" ? { body: {} } : {}),
      });
      const body = res.headers.get("content-type")?.includes("json")
        ? ((await res.json()) as { error?: { code?: string } })
        : {};
      if ((res.status === 404 && body.error?.code === "NOT_FOUND") || res.status === 405)
        unrouted.push(`${method.toUpperCase()} ${path}`);
    }
    expect(unrouted).toEqual([]);
  });

  it("gives every POST that takes a body a JSON request body schema", async () => {
    const doc = await getDoc();
    const posts = operations(doc).filter(([m]) => m === "post");
    expect(posts.map(([, p]) => p)).toEqual(expect.arrayContaining(["/apply", "/refresh-registry"]));
    for (const [, path, op] of posts) {
      if (BODYLESS_POSTS.has(path)) continue;
      expect({ path, schema: op.requestBody?.content?.["application/json"]?.schema }).toEqual({
        path,
        schema: expect.any(Object),
      });
    }
    const apply = doc.paths["/apply"].post;
    expect(apply.requestBody?.content?.["application/json"]?.schema).toEqual({
      $ref: "#/components/schemas/ApplyRequest",
    });
  });

  it("gives every operation a JSON success response schema", async () => {
    const doc = await getDoc();
    for (const [method, path, op] of operations(doc)) {
      const success = Object.keys(op.responses ?? {}).filter((s) => /^2\d\d$/.test(s));
      // An operation Larder does not support (Feast's document search) documents its 501 instead.
      const unsupported = "501" in (op.responses ?? {});
      expect({ route: `${method} ${path}`, success: success.length > 0 || unsupported }).toEqual({
        route: `${method} ${path}`,
        success: true,
      });
      // Feast's health and push answer an empty 200 (both mounts), as Feast's own server does.
      if (/^(\/projects\/\{project\})?\/feast\/(health|push)$/.test(path)) continue;
      for (const status of success) {
        const content = op.responses?.[status]?.content ?? {};
        // JSON everywhere, except downloads (Parquet) which still declare their schema.
        const schema = content["application/json"]?.schema ?? content["application/vnd.apache.parquet"]?.schema;
        expect({ route: `${method} ${path} ${status}`, schema }).toEqual({
          route: `${method} ${path} ${status}`,
          schema: expect.any(Object),
        });
      }
    }
  });

  it("documents the 401 and 403 answers of every authenticated route, and the 404 of lookups", async () => {
    const doc = await getDoc();
    for (const [method, path, op] of operations(doc)) {
      // Open routes (health, signed downloads) declare `security: []`.
      if (path === "/health" || (Array.isArray(op.security) && op.security.length === 0)) continue;
      expect({ route: `${method} ${path}`, codes: Object.keys(op.responses ?? {}) }).toEqual({
        route: `${method} ${path}`,
        codes: expect.arrayContaining(["401", "403"]),
      });
      if (path.includes("{name}")) expect(Object.keys(op.responses ?? {})).toContain("404");
    }
  });

  it("declares the path parameter of {name} routes", async () => {
    const doc = await getDoc();
    for (const [method, path, op] of operations(doc)) {
      for (const [, param] of path.matchAll(/\{([^}]+)\}/g)) {
        expect({
          route: `${method} ${path}`,
          params: op.parameters?.filter((p) => p.in === "path").map((p) => p.name),
        }).toEqual({
          route: `${method} ${path}`,
          params: expect.arrayContaining([param]),
        });
      }
    }
  });

  it("resolves every $ref to a component schema", async () => {
    const doc = await getDoc();
    const refs = new Set<string>();
    JSON.stringify(doc, (key, value: unknown) => {
      if (key === "$ref" && typeof value === "string") refs.add(value);
      return value;
    });
    expect(refs.size).toBeGreaterThan(0);
    const schemas = doc.components?.schemas ?? {};
    const dangling = [...refs].filter(
      (r) => !(r.startsWith("#/components/schemas/") && r.slice("#/components/schemas/".length) in schemas),
    );
    expect(dangling).toEqual([]);
  });

  it("describes the list responses with the specification's keys", async () => {
    const doc = await getDoc();
    const listKey = (path: string) => {
      const schema = doc.paths[path].get.responses?.["200"]?.content?.["application/json"]?.schema as {
        properties?: Record<string, unknown>;
      };
      return Object.keys(schema?.properties ?? {});
    };
    expect(listKey("/feature-views")).toEqual(["feature_views"]);
    expect(listKey("/entities")).toEqual(["entities"]);
    expect(listKey("/feature-services")).toEqual(["feature_services"]);
    expect(listKey("/push-sources")).toEqual(["push_sources"]);
    expect(listKey("/data-sources")).toEqual(["data_sources"]);
  });
});
