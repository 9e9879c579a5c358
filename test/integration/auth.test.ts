import { env } from "cloudflare:workers";
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { call, expectStatus, token } from "./helpers";
import { applyDemo, SPEC_APPLY_BODY } from "./fixtures";

const b64url = (value: unknown) =>
  btoa(JSON.stringify(value)).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Sends GET /feature-views with a raw Authorization header (or none) and checks the 401 envelope. */
async function expect401(authorization: string | null, reason?: string) {
  const res = await call("GET", "/feature-views", {
    token: null,
    headers: authorization === null ? {} : { authorization },
  });
  const body = await expectStatus(res, 401);
  expect(body.error.code).toBe("UNAUTHENTICATED");
  expect(body.error.message).toEqual(expect.any(String));
  expect(body.error.message.length).toBeGreaterThan(0);
  expect(body.request_id).toMatch(/^req_/);
  expect(res.headers.get("x-request-id")).toBe(body.request_id);
  if (reason) expect(body.error.details.reason).toBe(reason);
  // Nothing of the registry leaks into a refused answer.
  expect(JSON.stringify(body)).not.toContain("feature_views");
  return body;
}

describe("401 UNAUTHENTICATED", () => {
  it("without an Authorization header", async () => {
    await applyDemo();
    await expect401(null, "missing");
  });

  it("with a non-Bearer header", async () => {
    await expect401(`Basic ${btoa("user:pass")}`, "malformed");
    await expect401(await token(), "malformed"); // the token without the Bearer scheme
  });

  it("with a bearer value that is not a JWT", async () => {
    await expect401("Bearer not-a-jwt", "malformed");
    await expect401("Bearer a.b.c");
  });

  it("with an expired token", async () => {
    const body = await expect401(`Bearer ${await token({ expiresIn: nowSeconds() - 60 })}`, "expired");
    expect(body.error.message).toMatch(/expired/i);
  });

  it("with a token signed by the wrong secret", async () => {
    await expect401(`Bearer ${await token({ secret: "wrong-secret-wrong-secret-wrong-secret-000" })}`, "bad_signature");
  });

  it("with an unsigned alg=none token", async () => {
    const none = `${b64url({ alg: "none", typ: "JWT" })}.${b64url({ sub: "mallory", scope: "admin", exp: nowSeconds() + 3600 })}.`;
    await expect401(`Bearer ${none}`, "algorithm_not_allowed");
  });

  it("with a token whose claims were altered after signing", async () => {
    const [header, , signature] = (await token({ scopes: ["online:read"] })).split(".");
    const forged = `${header}.${b64url({ sub: "test", scope: "admin", exp: nowSeconds() + 3600 })}.${signature}`;
    await expect401(`Bearer ${forged}`, "bad_signature");
  });

  it("on POST and DELETE routes before anything is read or written", async () => {
    await applyDemo();
    const apply = await expectStatus(call("POST", "/apply", { token: null, body: SPEC_APPLY_BODY }), 401);
    expect(apply.error.code).toBe("UNAUTHENTICATED");
    const del = await expectStatus(
      call("DELETE", "/entities/product", { headers: { authorization: "Bearer nope" }, token: null }),
      401,
    );
    expect(del.error.code).toBe("UNAUTHENTICATED");
    const { entities } = await expectStatus(call("GET", "/entities"), 200);
    expect(entities.map((e: { name: string }) => e.name)).toContain("product");
    await expectStatus(call("GET", "/feature-views/product_features"), 404);
  });

  it("even for a malformed body or an invalid project (auth comes first)", async () => {
    expect((await expectStatus(call("POST", "/apply", { token: null, rawBody: "{not json" }), 401)).error.code).toBe(
      "UNAUTHENTICATED",
    );
    expect((await expectStatus(call("GET", "/feature-views?project=9-bad", { token: null }), 401)).error.code).toBe(
      "UNAUTHENTICATED",
    );
  });
});

describe("403 FORBIDDEN", () => {
  it("names the scope the token lacks", async () => {
    await applyDemo();
    const res = await call("GET", "/feature-views", { token: await token({ scopes: ["online:read"] }) });
    const body = await expectStatus(res, 403);
    expect(body.error).toMatchObject({ code: "FORBIDDEN", details: { required_scope: "registry:read" } });
    expect(body.error.message).toMatch(/registry:read/);
    expect(body.request_id).toMatch(/^req_/);
  });

  it("a token with no scope at all may do nothing but health", async () => {
    const bare = await token({ scopes: [] });
    await expectStatus(call("GET", "/health", { token: bare }), 200);
    expect((await expectStatus(call("GET", "/entities", { token: bare }), 403)).error.details.required_scope).toBe(
      "registry:read",
    );
    expect(
      (await expectStatus(call("POST", "/refresh-registry", { token: bare }), 403)).error.details.required_scope,
    ).toBe("registry:write");
  });

  it("registry:write does not imply registry:read, nor the reverse", async () => {
    await applyDemo();
    const writer = await token({ scopes: ["registry:write"] });
    expect((await expectStatus(call("GET", "/entities", { token: writer }), 403)).error.details.required_scope).toBe(
      "registry:read",
    );
    const reader = await token({ scopes: ["registry:read"] });
    expect(
      (await expectStatus(call("DELETE", "/entities/product", { token: reader }), 403)).error.details.required_scope,
    ).toBe("registry:write");
  });

  it("a token limited to other projects, named by ?project=", async () => {
    await applyDemo("sandbox");
    const limited = await token({ scopes: ["registry:read"], projects: ["ai_etl"] });
    const body = await expectStatus(call("GET", "/feature-views?project=sandbox", { token: limited }), 403);
    expect(body.error).toMatchObject({ code: "FORBIDDEN", details: { project: "sandbox" } });
    await expectStatus(call("GET", "/feature-views", { token: limited }), 200);
  });

  it("a token with an empty projects list may use no project", async () => {
    const body = await expectStatus(
      call("GET", "/entities", { token: await token({ scopes: ["admin"], projects: [] }) }),
      403,
    );
    expect(body.error.code).toBe("FORBIDDEN");
  });
});

describe("scopes", () => {
  it("are read from a `scopes` array claim as well as the `scope` string", async () => {
    await applyDemo();
    const arrayToken = await new SignJWT({ scopes: ["registry:read"] })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("array")
      .setExpirationTime("1h")
      .sign(new TextEncoder().encode(env.AUTH_JWT_SECRET));
    expect((await expectStatus(call("GET", "/entities", { token: arrayToken }), 200)).entities).toHaveLength(5);
    expect(
      (await expectStatus(call("DELETE", "/entities/product", { token: arrayToken }), 403)).error.details
        .required_scope,
    ).toBe("registry:write");
  });

  it("admin grants every route", async () => {
    await applyDemo();
    const admin = await token({ scopes: ["admin"] });
    const calls: [string, string, unknown?][] = [
      ["GET", "/config"],
      ["GET", "/feature-views"],
      ["GET", "/feature-views/customer"],
      ["GET", "/entities"],
      ["GET", "/feature-services"],
      ["GET", "/push-sources"],
      ["GET", "/data-sources"],
      ["POST", "/apply", SPEC_APPLY_BODY],
      ["POST", "/refresh-registry"],
      ["DELETE", "/feature-services/customer_features_v1"],
      ["DELETE", "/feature-views/product_features"],
      ["DELETE", "/push-sources/customer_sessions"],
      ["DELETE", "/data-sources/product_features_source"],
      ["DELETE", "/entities/product"],
    ];
    for (const [method, path, body] of calls) {
      const res = await call(method, path, { token: admin, body });
      expect(`${method} ${path} ${res.status}`).toBe(`${method} ${path} 200`);
    }
  });

  it("admin limited to a project is still limited to it", async () => {
    await applyDemo("sandbox");
    const admin = await token({ scopes: ["admin"], projects: ["sandbox"] });
    await expectStatus(call("GET", "/entities?project=sandbox", { token: admin }), 200);
    expect(
      (await expectStatus(call("POST", "/apply", { token: admin, body: SPEC_APPLY_BODY }), 403)).error.details,
    ).toEqual({ project: "ai_etl" });
  });
});

describe("?project=", () => {
  it.each(["9lives", "bad-name", "has%20space", "a.b"])(
    "400 VALIDATION_ERROR for the invalid name %j",
    async (project) => {
      const body = await expectStatus(call("GET", `/feature-views?project=${project}`), 400);
      expect(body.error.code).toBe("VALIDATION_ERROR");
      expect(body.request_id).toMatch(/^req_/);
    },
  );

  it("400 on writes too, without writing", async () => {
    const body = await expectStatus(call("POST", "/apply?project=bad-name", { body: SPEC_APPLY_BODY }), 400);
    expect(body.error.code).toBe("VALIDATION_ERROR");
    expect((await expectStatus(call("GET", "/feature-views"), 200)).feature_views).toEqual([]);
  });

  it("a valid name selects that project", async () => {
    await applyDemo("team_b");
    expect((await expectStatus(call("GET", "/entities?project=team_b"), 200)).entities).toHaveLength(5);
    expect((await expectStatus(call("GET", "/entities"), 200)).entities).toHaveLength(0);
  });
});
