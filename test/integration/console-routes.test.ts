/**
 * The console's paths the Worker answers itself (src/http/console.ts): its
 * routes get the console's page from the static assets, a missing file or
 * another method the error envelope, and `/` leads to the console. (The
 * files themselves are static assets served before the Worker runs; the
 * browser tests, test/browser/, load them from wrangler dev.)
 */
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

const ORIGIN = "http://larder.test";
const get = (path: string, init?: RequestInit) => exports.default.fetch(new Request(`${ORIGIN}${path}`, init));

describe("console routes", () => {
  it("answers a route of the console with its page, headers included", async () => {
    for (const path of ["/console/views/customer", "/console/jobs/materialize/mat_x", "/console/online"]) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/html/);
      expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
      const page = await res.text();
      expect(page).toContain('<div id="app">');
      expect(page).toMatch(/src="\/console\/assets\/main-[A-Z0-9]+\.js"/);
    }
    const head = await get("/console/views/customer", { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });

  it("answers a file that is not there, or a method the console has none of, with the error envelope", async () => {
    const missing = await get("/console/assets/nope-123.js");
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
    const post = await get("/console/views/customer", { method: "POST" });
    expect(post.status).toBe(404);
    expect(((await post.json()) as { error: { code: string } }).error.code).toBe("NOT_FOUND");
  });

  it("leads / to the console", async () => {
    const res = await get("/", { redirect: "manual" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/console/");
  });
});
