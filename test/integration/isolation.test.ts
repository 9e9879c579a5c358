/**
 * Isolation cases one by one: the path rule, the one project-name rule,
 * export links bound to their project, RFC 9110 ranges, token verification
 * per configuration (HS256 secret length, JWKS with issuer and audience end
 * to end), and the order of checks. The route-by-route sweep is
 * tenancy.test.ts.
 */
import { env, exports } from "cloudflare:workers";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { afterEach, describe, expect, it, vi } from "vitest";
import { buildApp } from "../../src/app";
import { signedExportUrl } from "../../src/services/export-links";
import { applyDemo } from "./fixtures";
import { appendHistory, DAY } from "./offline-fixtures";
import { BASE, call, expectStatus, token } from "./helpers";

const HIST = {
  features: ["customer:age"],
  entity_df: { customer_id: ["cust_001"], event_timestamp: ["2024-01-15T10:00:00Z"] },
};

async function historyIn(project: string, age: number) {
  await applyDemo(project);
  await appendHistory(
    "customer_profile_source",
    [{ customer_id: "cust_001", event_timestamp: Date.UTC(2024, 0, 14), age }],
    project,
  );
}

function fetchLink(url: string, headers: Record<string, string> = {}) {
  const u = new URL(url);
  return exports.default.fetch(new Request(`http://larder.test${u.pathname}${u.search}`, { headers }));
}

describe("batch source paths", () => {
  const source = (path: string) => ({ data_sources: [{ name: "probe", type: "batch", path }] });

  it.each([
    ["s3://b/a/../B/", /'\.' or '\.\.'/],
    ["s3://b/a//b/", /empty segment/],
    ["s3://b/./x/", /'\.' or '\.\.'/],
    ["s3://b/x\u0000y/", /control character/],
    ["external://lake/", /EXTERNAL_PREFIXES/],
  ])("refuses %j at apply with a 400 naming the rule", async (path, rule) => {
    const body = await expectStatus(call("POST", "/apply", { body: source(path) }), 400);
    expect(body.error.code).toBe("VALIDATION_ERROR");
    expect(body.error.message).toMatch(rule);
    expect(body.error.details.problems[0]).toMatchObject({ data_source: "probe", path });
    await expectStatus(call("GET", "/data-sources"), 200).then((b) => expect(b.data_sources).toEqual([]));
  });

  it("keeps a path naming another project's prefix inside its own project", async () => {
    await historyIn("beta", 77);
    await applyDemo("alpha");
    const stolen = {
      data_sources: [{ name: "stolen", type: "batch", path: "s3://any/offline/beta/customer_profile_source/" }],
    };
    const applied = await expectStatus(call("POST", "/apply?project=alpha", { body: stolen }), 200);
    expect(applied.warnings).toEqual([expect.objectContaining({ data_source: "stolen" })]);
    const scan = await expectStatus(call("POST", "/data-sources/stolen/scan?project=alpha", { body: {} }), 200);
    expect(scan.discovered).toEqual([]);
    const hist = await expectStatus(call("POST", "/historical-features?project=alpha", { body: HIST }), 200);
    expect(hist.data[0].age).toBeNull();
  });

  it("refresh reports stored paths that changed meaning", async () => {
    await call("POST", "/apply", {
      body: { data_sources: [{ name: "legacy", type: "batch", path: "r2://larder-offline/offline/ai_etl/legacy/" }] },
    });
    const refreshed = await expectStatus(call("POST", "/refresh-registry"), 200);
    expect(refreshed.warnings).toEqual([
      expect.objectContaining({ data_source: "legacy", problem: expect.stringMatching(/offline\/ai_etl\/offline/) }),
    ]);
  });
});

describe("project names", () => {
  it.each(["\ud800", "x".repeat(600), "__proto__", "a-b", "9lives"])(
    "refuses %j in the query and the body",
    async (name) => {
      // A lone surrogate has no UTF-8 form: send its WTF-8 bytes, which decode to nothing valid.
      const query = name === "\ud800" ? "%ED%A0%80" : encodeURIComponent(name);
      const q = await expectStatus(call("GET", `/feature-views?project=${query}`), 400);
      expect(q.error.code).toBe("VALIDATION_ERROR");
      const body = {
        feature_views: ["customer"],
        start_date: "2024-01-01T00:00:00Z",
        end_date: "2024-01-02T00:00:00Z",
        project: name,
      };
      const b = await expectStatus(call("POST", "/materialize", { body }), 400);
      expect(b.error.code).toBe("VALIDATION_ERROR");
      expect(JSON.stringify(b.error.details)).toContain("project");
    },
  );

  it("checks a body's project against the token's projects claim", async () => {
    await applyDemo("beta");
    const alphaOnly = await token({ scopes: ["admin"], projects: ["alpha"] });
    const body = {
      feature_views: ["customer"],
      start_date: "2024-01-01T00:00:00Z",
      end_date: "2024-01-02T00:00:00Z",
      project: "beta",
    };
    const refused = await expectStatus(call("POST", "/materialize?project=alpha", { token: alphaOnly, body }), 403);
    expect(refused.error.details).toEqual({ project: "beta" });
  });
});

describe("export links", () => {
  it("bind the export to its project: another project's link never serves it", async () => {
    await historyIn("beta", 77);
    const made = await expectStatus(call("POST", "/historical-features?project=beta", { body: HIST }), 200);
    const url = new URL(made.download_url);
    expect(url.searchParams.get("project")).toBe("beta");
    url.searchParams.set("project", "alpha");
    expect((await expectStatus(fetchLink(url.toString()), 403)).error.details.reason).toBe("bad_signature");
    // A correctly signed link for another project with this export's id is still not this export.
    const forged = await signedExportUrl(
      "http://larder.test",
      { project: "alpha", id: made.export_id },
      env.AUTH_JWT_SECRET,
    );
    expect((await expectStatus(fetchLink(forged.url), 404)).error.code).toBe("EXPORT_NOT_FOUND");
  });

  it("are not signed with the token secret itself (a derived key)", async () => {
    await historyIn("ai_etl", 30);
    const made = await expectStatus(call("POST", "/historical-features", { body: HIST }), 200);
    const url = new URL(made.download_url);
    const message = `${made.export_id}.${url.searchParams.get("expires")}`;
    const key = await crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(env.AUTH_JWT_SECRET),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    const plain = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(message)));
    const hex = [...plain].map((b) => b.toString(16).padStart(2, "0")).join("");
    expect(url.searchParams.get("signature")).not.toBe(hex);
  });

  describe("ranges (RFC 9110)", () => {
    async function link() {
      await historyIn("ai_etl", 30);
      const made = await expectStatus(call("POST", "/historical-features", { body: HIST }), 200);
      const whole = await fetchLink(made.download_url);
      return { url: made.download_url as string, size: (await whole.arrayBuffer()).byteLength };
    }

    it("serves one range, a suffix range and an open range with the exact bytes", async () => {
      const { url, size } = await link();
      const head = await fetchLink(url, { range: "bytes=0-3" });
      expect(head.status).toBe(206);
      expect(head.headers.get("content-range")).toBe(`bytes 0-3/${size}`);
      expect(new TextDecoder().decode(await head.arrayBuffer())).toBe("PAR1");
      const suffix = await fetchLink(url, { range: "bytes=-4" });
      expect(suffix.status).toBe(206);
      expect(suffix.headers.get("content-range")).toBe(`bytes ${size - 4}-${size - 1}/${size}`);
      expect(new TextDecoder().decode(await suffix.arrayBuffer())).toBe("PAR1");
      const open = await fetchLink(url, { range: `bytes=${size - 2}-` });
      expect(open.headers.get("content-length")).toBe("2");
      const beyond = await fetchLink(url, { range: `bytes=0-${size + 100}` });
      expect(beyond.headers.get("content-range")).toBe(`bytes 0-${size - 1}/${size}`);
    });

    it.each(["bytes=10-5", "bytes=999999999-", "bytes=-0", "bytes=abc", "bytes=1", "items=0-1", "0-1"])(
      "answers %j with 416 and Content-Range: bytes */size",
      async (range) => {
        const { url, size } = await link();
        const res = await fetchLink(url, { range });
        expect(res.status).toBe(416);
        expect(res.headers.get("content-range")).toBe(`bytes */${size}`);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe("RANGE_NOT_SATISFIABLE");
      },
    );

    it("serves several ranges as the whole file (allowed by RFC 9110)", async () => {
      const { url, size } = await link();
      const res = await fetchLink(url, { range: "bytes=0-1,4-5" });
      expect(res.status).toBe(200);
      expect((await res.arrayBuffer()).byteLength).toBe(size);
    });
  });
});

describe("token verification", () => {
  afterEach(() => vi.unstubAllGlobals());

  /** The app under another configuration (a fresh bindings object gets its own services). */
  function appWith(vars: Record<string, string>) {
    const app = buildApp();
    const custom = { ...env, ...vars };
    return (path: string, bearer: string) =>
      app.fetch(new Request(`${BASE}${path}`, { headers: { authorization: `Bearer ${bearer}` } }), custom);
  }

  it("refuses an HS256 secret shorter than 32 bytes, naming the setting", async () => {
    const short = "only-31-bytes-of-secret-0123456";
    const fetch = appWith({ AUTH_JWT_SECRET: short });
    const res = await fetch("/feature-views", await token({ secret: short }));
    const body = await expectStatus(res, 401);
    expect(body.error.details.reason).toBe("server_misconfigured");
    expect(body.error.message).toMatch(/AUTH_JWT_SECRET.*32 bytes/);
  });

  async function keySet() {
    const { publicKey, privateKey } = await generateKeyPair("ES256");
    const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256", use: "sig" };
    const sign = (claims: Record<string, unknown>, opts: { iss?: string; aud?: string } = {}) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: "ES256", kid: "k1" })
        .setIssuer(opts.iss ?? "https://issuer.test")
        .setAudience(opts.aud ?? "larder")
        .setExpirationTime("1h")
        .sign(privateKey);
    return { jwks: JSON.stringify({ keys: [jwk] }), sign };
  }

  it("verifies ES256 tokens from an inline JWKS with issuer and audience, end to end", async () => {
    const { jwks, sign } = await keySet();
    const fetch = appWith({
      AUTH_JWT_SECRET: "",
      AUTH_JWKS: jwks,
      AUTH_ISSUER: "https://issuer.test",
      AUTH_AUDIENCE: "larder",
    });
    await applyDemo();
    expect((await fetch("/feature-views", await sign({ scope: "registry:read" }))).status).toBe(200);
    const wrongIss = await expectStatus(
      await fetch("/feature-views", await sign({ scope: "registry:read" }, { iss: "https://evil.test" })),
      401,
    );
    expect(wrongIss.error.details.reason).toBe("claim_iss");
    const wrongAud = await expectStatus(
      await fetch("/feature-views", await sign({ scope: "registry:read" }, { aud: "other" })),
      401,
    );
    expect(wrongAud.error.details.reason).toBe("claim_aud");
    // An HS256 token means nothing to a JWKS-only configuration.
    expect((await fetch("/feature-views", await token())).status).toBe(401);
  });

  it("fetches a remote JWKS from AUTH_JWKS_URL", async () => {
    const { jwks, sign } = await keySet();
    const fetched: string[] = [];
    const realFetch = globalThis.fetch;
    vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = String(input instanceof Request ? input.url : input);
      if (url !== "https://keys.test/jwks.json") return realFetch(input, init);
      fetched.push(url);
      return new Response(jwks, { headers: { "content-type": "application/json" } });
    });
    const fetch = appWith({
      AUTH_JWT_SECRET: "",
      AUTH_JWKS_URL: "https://keys.test/jwks.json",
      AUTH_ISSUER: "https://issuer.test",
      AUTH_AUDIENCE: "larder",
    });
    await applyDemo();
    expect((await fetch("/feature-views", await sign({ scope: "registry:read" }))).status).toBe(200);
    expect(fetched).toEqual(["https://keys.test/jwks.json"]);
  });
});

describe("order of checks", () => {
  it("refuses a push from a token with neither write scope before reading its body", async () => {
    const reader = await token({ scopes: ["online:read"] });
    const res = await expectStatus(call("POST", "/push-features", { token: reader, rawBody: "{not json" }), 403);
    expect(res.error.details.required_scope).toEqual(["online:write", "offline:write"]);
    const feast = await call("POST", "/feast/push", { token: reader, rawBody: "{not json" });
    expect(feast.status).toBe(403);
  });

  it("then needs the scope the body asks for", async () => {
    await applyDemo();
    const onlineWriter = await token({ scopes: ["online:write"] });
    const row = {
      customer_id: "c1",
      event_timestamp: new Date(Date.now() - DAY).toISOString(),
      features: { cart_value: 1 },
    };
    const body = { push_source_name: "customer_realtime_updates", features: [row], to: "online_and_offline" };
    const res = await expectStatus(call("POST", "/push-features", { token: onlineWriter, body }), 403);
    expect(res.error.details.required_scope).toBe("offline:write");
    expect((await call("POST", "/push-features", { token: onlineWriter, rawBody: "{not json" })).status).toBe(400);
  });
});
