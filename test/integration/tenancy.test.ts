/**
 * Tenancy: a token for one project never reaches another project's data,
 * on any route of the OpenAPI document (so a new route is swept without
 * editing this file). See tenancy-suite.ts for the attempts and the verdict.
 */
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { operations } from "../tools/openapi-requests";
import { call, token } from "./helpers";
import { captureTasks } from "./task-queue";
import { tenant } from "./tenancy-fixtures";
import { type Send, tenancyViolations } from "./tenancy-suite";

captureTasks();

const app: Send = (request) => exports.default.fetch(request);

async function openapi() {
  return (await call("GET", "/openapi.json", { token: null })).json();
}

async function twoTenants() {
  const alpha = await tenant("alpha", { text: "ALPHA-MARKER-7c1e", number: 1111.5 });
  const beta = await tenant("beta", { text: "BETA-MARKER-9f3a", number: 4242.25 });
  return { alpha, beta };
}

describe("tenancy", () => {
  it("sweeps every route of the OpenAPI document, both ways, and finds no way across", async () => {
    const doc = await openapi();
    expect(operations(doc).length).toBeGreaterThan(30);
    const { alpha, beta } = await twoTenants();
    const ab = await tenancyViolations(doc, app, alpha, beta);
    const ba = await tenancyViolations(doc, app, beta, alpha);
    // Every authenticated route is tried with the victim's project, and every path parameter with each handle.
    expect(ab.attempts).toBeGreaterThan(100);
    expect([...ab.violations, ...ba.violations]).toEqual([]);
  }, 60_000);

  it("fails when a route forgets the project check", async () => {
    const doc = await openapi();
    const { alpha, beta } = await twoTenants();
    // A route that trusted ?project= without checking the token's claim: the list of views.
    const unrestricted = await token({ scopes: ["admin"] });
    const leaky: Send = async (request) => {
      const url = new URL(request.url);
      if (request.method !== "GET" || !url.pathname.endsWith("/feature-views")) return app(request);
      const headers = new Headers(request.headers);
      headers.set("authorization", `Bearer ${unrestricted}`);
      return app(new Request(request, { headers }));
    };
    const { violations } = await tenancyViolations(doc, leaky, alpha, beta);
    expect(violations).toContainEqual(
      expect.objectContaining({ operation: "GET /feature-views", vector: "?project=<victim>", status: 200 }),
    );
    expect(violations.every((v) => v.operation === "GET /feature-views")).toBe(true);
  }, 60_000);
});
