import { describe, expect, it } from "vitest";
import { call, expectStatus } from "./helpers";

describe("GET /health", () => {
  it("answers without a token, with request id and Server-Timing", async () => {
    const res = await call("GET", "/health", { token: null });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok" });
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
    expect(res.headers.get("server-timing")).toMatch(/total;dur=/);
  });

  it("echoes a well-formed client request id", async () => {
    const res = await call("GET", "/health", { token: null, headers: { "x-request-id": "abc-123" } });
    expect(res.headers.get("x-request-id")).toBe("abc-123");
  });

  it("answers unknown routes with the error envelope", async () => {
    const body = await expectStatus(call("GET", "/nope"), 404);
    expect(body.error.code).toBe("NOT_FOUND");
    expect(body.request_id).toMatch(/^req_/);
  });
});
