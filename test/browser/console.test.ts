/**
 * The web console in a real browser: Debian's Chromium, headless, driven
 * by playwright-core, against one Larder the file starts (`wrangler dev`,
 * test/e2e/local-worker.ts) serving the console as static assets. The demo
 * project's definitions are applied and a little data loaded through the
 * typed client; then, as a user would: sign in with a pasted token, browse
 * and search the registry and follow its links, open a view and see its
 * plots, start a materialization and follow it to completion, look up
 * entities (every status), run a small training set and download it, and
 * meet API errors shown with their code and message. A read-only token
 * sees no apply or materialize button. A failing test leaves a screenshot
 * in .vitest/console-screenshots/.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SignJWT } from "jose";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ensureBuilt } from "../../scripts/build.mjs";
import { LarderClient } from "../../src/client";
import { type LocalWorker, startLocalWorker } from "../e2e/local-worker";
import { type Browser, launchBrowser, screenshot } from "./browser";

const ROOT = join(import.meta.dirname, "../..");
const HOUR = 3_600_000;
const NOW = Date.now();
const iso = (ms: number) => new Date(ms).toISOString();
const CUSTOMERS = Array.from({ length: 12 }, (_, i) => `c${String(i + 1).padStart(2, "0")}`);
const SEGMENTS = ["vip", "new", "regular"];
const SUPPORT_ENTITIES = [...CUSTOMERS, ...Array.from({ length: 3000 }, (_, i) => `s${i}`)];

let worker: LocalWorker;
let browser: Browser;
let page: Page;
let admin: string;
let larder: LarderClient;
const pageErrors: string[] = [];
/** Every URL the browser asked for, to show that the token is never in one. */
const requested: string[] = [];
const figures: Record<string, number> = {};

async function mint(scopes: string[]): Promise<string> {
  return new SignJWT({ scope: scopes.join(" ") })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject("console-test")
    .setIssuedAt()
    .setExpirationTime("2h")
    .sign(new TextEncoder().encode(worker.secret));
}

/** The demo project's definitions, customers with an older and a newer snapshot, and a materialization. */
async function loadData() {
  await larder.apply(JSON.parse(readFileSync(join(ROOT, "demo/definitions.json"), "utf8")));
  const profile = (at: number, bump: number) =>
    CUSTOMERS.map((id, i) => ({
      customer_id: id,
      event_timestamp: iso(at),
      created_timestamp: iso(at),
      age: 20 + i * 3 + bump,
      lifetime_value: 100.5 * (i + 1) + bump,
      days_since_signup: 10 * i,
      segment: SEGMENTS[i % 3],
      tenure_days: 10 * i,
      total_spend_90d: i * 12.25,
      support_tickets_90d: i % 4,
      last_activity_days_ago: i % 5,
    }));
  await larder.ingest("customer_profile_source", { rows: [...profile(NOW - 30 * HOUR, 0), ...profile(NOW - HOUR, 1)] });
  await larder.ingest("transactions_source", {
    rows: CUSTOMERS.map((id, i) => ({
      customer_id: id,
      event_timestamp: iso(NOW - 2 * HOUR),
      total_count_30d: i,
      count_30d: i,
      avg_amount_30d: 10 + i,
      total_amount_30d: i * (10 + i),
    })),
  });
  // Enough support entities that materializing them fans out to several write tasks: a job that runs for a while.
  await larder.ingest("support_source", {
    rows: SUPPORT_ENTITIES.map((id, i) => ({
      customer_id: id,
      event_timestamp: iso(NOW - 3 * HOUR),
      ticket_count_90d: i % 3,
      open_tickets: i % 2,
      avg_resolution_hours: 1.5 * (i % 10),
    })),
  });
  const job = await larder.materializeIncremental({ feature_views: ["customer", "transactions"] });
  const done = await larder.followMaterialization(job.materialization_id, { intervalMs: 250, timeoutMs: 90_000 });
  expect(done.status).toBe("completed");
  // Online only: one value older than customer_realtime's ttl (1 d), one stored null.
  await larder.pushFeatures({
    push_source_name: "customer_realtime_updates",
    to: "online",
    features: [
      {
        customer_id: "c01",
        event_timestamp: iso(NOW - 30 * HOUR),
        features: { session_count_today: 2, cart_value: 9.5 },
      },
      { customer_id: "c02", event_timestamp: iso(NOW - HOUR), features: { session_count_today: 1, cart_value: null } },
    ],
  });
}

async function signIn(target: Page, token: string) {
  await target.goto(`${worker.url}/console/`);
  await target.getByLabel("Bearer token").fill(token);
  await target.getByRole("button", { name: "Sign in" }).click();
  await target.getByRole("heading", { level: 1, name: "Registry of ai_etl" }).waitFor();
}

const text = async (target: Page, selector: string) => (await target.locator(selector).first().textContent()) ?? "";

beforeAll(async () => {
  await ensureBuilt();
  worker = await startLocalWorker();
  admin = await mint(["admin"]);
  larder = new LarderClient({ baseUrl: worker.url, token: admin, project: "ai_etl" });
  await loadData();
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.setDefaultTimeout(20_000);
  page.on("pageerror", (err) => pageErrors.push(err.message));
  browser.context.on("request", (r) => requested.push(r.url()));
}, 240_000);

afterAll(async () => {
  if (Object.keys(figures).length > 0) console.log(`console figures: ${JSON.stringify(figures)}`);
  await browser?.close();
  await worker?.stop();
});

beforeEach(({ task, onTestFailed }) => {
  onTestFailed(async () => {
    const file = await screenshot(page, task.name);
    console.error(`screenshot of the failure: ${file}`);
  });
});

describe("the console in Chromium", () => {
  it("is served by the Worker at /console, and signs in with a pasted token kept in sessionStorage only", async () => {
    const res = await fetch(`${worker.url}/console`, { redirect: "manual" });
    expect([301, 302, 307, 308]).toContain(res.status);
    expect(res.headers.get("location")).toMatch(/\/console\/$/);
    const deep = await fetch(`${worker.url}/console/views/customer`);
    expect(deep.status).toBe(200);
    expect(deep.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(await deep.text()).toContain('<div id="app">');

    await page.goto(`${worker.url}/console/`);
    await page.getByLabel("Bearer token").fill("not-a-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    expect(await text(page, "[role=alert]")).toContain("INVALID_TOKEN");
    await page
      .getByLabel("Bearer token")
      .fill(
        await new SignJWT({ scope: "admin" })
          .setProtectedHeader({ alg: "HS256" })
          .sign(new TextEncoder().encode("x".repeat(40))),
      );
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByText("UNAUTHENTICATED").waitFor();
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("Larder console");

    await signIn(page, admin);
    // Expressions run in the page (the DOM's globals are not this file's).
    const storage = await page.evaluate(
      `({ session: sessionStorage.getItem("larder.console.token"), local: localStorage.length, cookie: document.cookie })`,
    );
    expect(storage).toEqual({ session: admin, local: 0, cookie: "" });
    expect(requested.filter((u) => u.includes(admin))).toEqual([]);
    expect(page.url()).not.toContain(admin);

    // First render of a signed-in tab: navigation start to the registry's tables on screen.
    await page.reload();
    await page.locator("#h-views").waitFor();
    figures.first_render_ms = Math.round(await page.evaluate<number>("performance.now()"));
    expect(figures.first_render_ms).toBeLessThan(3000);
  });

  it("browses the registry: every kind, search, and the links source → view → services", async () => {
    await page.goto(`${worker.url}/console/`);
    for (const heading of [
      "Feature views (7)",
      "Feature services (2)",
      "Entities (5)",
      "Data sources (7)",
      "Push sources (2)",
    ]) {
      await page.getByRole("heading", { level: 2, name: heading }).waitFor();
    }
    const viewRow = page.locator("#view-customer");
    expect(await viewRow.textContent()).toContain("customer_profile_source");
    expect(await viewRow.textContent()).toContain("customer_features_v1");
    expect(await viewRow.textContent()).toContain("team=data-science");
    await viewRow.getByText("8 features").click();
    expect(await viewRow.locator("ul.schema").textContent()).toContain("lifetime_value float64");

    await page.getByLabel("Search the registry").fill("team=payments");
    await page.getByRole("heading", { name: "Feature views (1)" }).waitFor();
    expect(await page.locator("tr[id^=view-]").count()).toBe(1);
    expect(await page.locator("#view-transactions").count()).toBe(1);
    await page.getByLabel("Search the registry").fill("");

    await page.locator("#view-customer_realtime").getByRole("link", { name: "customer_realtime_batch" }).click();
    expect(page.url()).toMatch(/#source-customer_realtime_batch$/);
    const source = page.locator("#source-customer_realtime_batch");
    expect(await source.textContent()).toContain("customer_realtime_updates");
    await source.getByRole("link", { name: "customer_sessions" }).click();
    expect(page.url()).toMatch(/#push-customer_sessions$/);
    await page.locator("#service-churn_prediction_v1").getByRole("link", { name: "support" }).click();
    await page.getByRole("heading", { level: 1, name: "Feature view support" }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/console/views/support");
  });

  it("opens a view and sees its statistics and plots: a histogram per number, top values per string", async () => {
    const stats = await larder.getFeatureViewStats("customer");
    await page.goto(`${worker.url}/console/views/customer`);
    await page.getByRole("heading", { level: 1, name: "Feature view customer" }).waitFor();
    const facts = await text(page, "dl.facts");
    expect(facts).toContain(`Online records${CUSTOMERS.length}`);
    expect(facts).toContain("fresh");
    const age = page.locator('figure[data-plot="histogram"][data-feature="age"]');
    await age.locator("svg rect").first().waitFor();
    expect(await age.locator("svg rect").count()).toBe(stats.statistics.feature_stats.age.histogram!.length);
    expect(await age.locator("svg").getAttribute("aria-label")).toBe("Histogram of age");
    const segment = page.locator('figure[data-plot="top-values"][data-feature="segment"]');
    await segment.locator("svg rect").first().waitFor();
    expect(await segment.locator("svg rect").count()).toBe(SEGMENTS.length);
    expect(await segment.textContent()).toContain("exact counts");
    expect(await page.locator('figure[data-plot="histogram"]').count()).toBe(7);
    const table = await text(page, "table");
    expect(table).toContain("int32");
    expect(table).toContain(String(stats.statistics.feature_stats.age.count));
  });

  it("starts a materialization from a view and follows it to completion through a failed read, then lists it", async () => {
    await page.goto(`${worker.url}/console/views/support`);
    // Every state the job page shows, in order (the page is not reloaded: the console routes in place).
    await page.evaluate(`window.jobStates = [];
      new MutationObserver(() => {
        const state = document.querySelector("[data-job-status]")?.getAttribute("data-job-status");
        if (state && window.jobStates.at(-1) !== state) window.jobStates.push(state);
      }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-job-status"] });`);
    // The job page's first status read fails with no answer (as from a busy Worker): the page must try again.
    await page.route("**/materialization-status/**", (route) => route.abort("connectionreset"), { times: 1 });
    await page.getByRole("button", { name: "Materialize now (incremental)" }).click();
    await page.waitForURL(/\/console\/jobs\/materialize\/mat_/);
    const id = decodeURIComponent(new URL(page.url()).pathname.split("/").at(-1)!);
    await page.locator('[data-job-status="completed"]').waitFor({ timeout: 90_000 });
    const states = await page.evaluate<string[]>("window.jobStates");
    expect(states.at(-1)).toBe("completed");
    expect(
      states.slice(0, -1).every((s) => s === "queued" || s === "in_progress"),
      states.join(" → "),
    ).toBe(true);
    expect(states.length, "the page showed the job before it completed").toBeGreaterThan(1);
    const status = await larder.getMaterializationStatus(id);
    expect(status.rows_materialized).toBe(SUPPORT_ENTITIES.length);
    expect(status.progress.tasks_total).toBeGreaterThan(1);
    expect(await text(page, '[data-field="rows_materialized"]')).toBe(SUPPORT_ENTITIES.length.toLocaleString("en-US"));
    expect(await page.locator("progress").getAttribute("value")).toBe("1");
    await page.getByRole("link", { name: "← All jobs" }).click();
    const row = page.locator(`tr[data-job="${id}"]`);
    await row.waitFor();
    expect(await row.getAttribute("data-status")).toBe("completed");
    expect(await row.textContent()).toContain("support");
    expect(await page.locator("tr[data-job]").count()).toBe(2);
    await page.getByLabel("Kind").selectOption("historical");
    await page.getByText("No job matches.").waitFor();
  });

  it("looks up entities online: each value with its status and age", async () => {
    await page.goto(`${worker.url}/console/online`);
    await page.getByLabel("Features, view by view").check();
    await page.getByRole("group", { name: "customer", exact: true }).getByRole("checkbox", { name: /^age/ }).check();
    const realtime = page.getByRole("group", { name: "customer_realtime" });
    await realtime.getByRole("checkbox", { name: /^session_count_today/ }).check();
    await realtime.getByRole("checkbox", { name: /^cart_value/ }).check();
    await page.getByRole("textbox", { name: /customer_id/ }).fill("c01, c02\nnobody");
    await page.getByRole("button", { name: "Read online features" }).click();
    await page.locator('table[data-entity="nobody"]').waitFor();
    const status = (entity: string, feature: string) =>
      page.locator(`table[data-entity="${entity}"] tr[data-feature="${feature}"]`).getAttribute("data-status");
    expect(await status("c01", "customer__age")).toBe("PRESENT");
    expect(await status("c01", "customer_realtime__cart_value")).toBe("OUTSIDE_MAX_AGE");
    expect(await status("c02", "customer_realtime__cart_value")).toBe("NULL_VALUE");
    expect(await status("c02", "customer_realtime__session_count_today")).toBe("PRESENT");
    expect(await status("nobody", "customer__age")).toBe("NOT_FOUND");
    const c01age = await text(page, 'table[data-entity="c01"] tr[data-feature="customer__age"]');
    expect(c01age).toContain("21");
    expect(c01age).toMatch(/1 h \d+ min ago|59 min \d+ s ago|1 h ago/);
    expect(await text(page, 'table[data-entity="c01"] tr[data-feature="customer_realtime__cart_value"]')).toMatch(
      /1 d 6 h ago/,
    );
  });

  it("runs a small training set: point-in-time rows on the page and the same rows as a Parquet download", async () => {
    await page.goto(`${worker.url}/console/training`);
    await page.getByRole("combobox", { name: "Feature service" }).selectOption("customer_features_v1");
    const table = [
      "customer_id,event_timestamp,churned",
      `c01,${iso(NOW)},1`,
      `c02,${iso(NOW - 20 * HOUR)},0`,
      `nobody,${iso(NOW)},1`,
    ].join("\n");
    await page.getByRole("textbox", { name: /Entity rows/ }).fill(table);
    await page.getByRole("button", { name: "Get the training set" }).click();
    const rows = page.locator("table[data-rows]");
    await rows.waitFor();
    expect(await rows.getAttribute("data-rows")).toBe("3");
    const cells = await rows.locator("tbody tr").allTextContents();
    expect(cells[0]).toMatch(/^c01.*1\b/);
    // 20 hours ago c02 had its older snapshot (age 23), not the newer one (24).
    expect(await rows.locator("tbody tr").nth(1).locator("td").nth(3).textContent()).toBe("23");
    expect(cells[2]).toContain("null");
    const href = await page.getByRole("link", { name: "Download the training set (Parquet)" }).getAttribute("href");
    expect(href).toMatch(/\/api\/v1\/features\/exports\//);
    const file = new Uint8Array(await (await fetch(new URL(href!, worker.url))).arrayBuffer());
    expect(new TextDecoder().decode(file.slice(0, 4))).toBe("PAR1");
  });

  it("shows API errors with their code and message, never a blank page", async () => {
    await page.goto(`${worker.url}/console/views/nope`);
    const alert = page.getByRole("alert");
    await alert.waitFor();
    expect(await alert.textContent()).toContain("FEATURE_VIEW_NOT_FOUND");
    expect(await alert.textContent()).toContain("Feature view 'nope' not found");
    await page.goto(`${worker.url}/console/training`);
    await page.getByRole("textbox", { name: /Entity rows/ }).fill("customer_id\nc01");
    await page.getByRole("button", { name: "Get the training set" }).click();
    expect(await page.getByRole("alert").textContent()).toContain("INVALID_ENTITY_TABLE");
    await page.getByRole("textbox", { name: /Entity rows/ }).fill("customer_id,event_timestamp\nc01,yesterday");
    await page.getByRole("button", { name: "Get the training set" }).click();
    await page.getByText("VALIDATION_ERROR").waitFor();
    await page.goto(`${worker.url}/console/no/such/page`);
    await page.getByRole("heading", { level: 1, name: "No such page" }).waitFor();
    expect(pageErrors).toEqual([]);
  });

  it("is usable from the keyboard: focus on the new page's title, a skip link, the menu with the current page", async () => {
    await page.goto(`${worker.url}/console/jobs`);
    await page.getByRole("heading", { level: 1, name: "Jobs" }).waitFor();
    const focused = () =>
      page.evaluate<string>('document.activeElement?.tagName + ":" + document.activeElement?.textContent');
    expect(await focused()).toBe("H1:Jobs");
    // Backwards through the header, to its first stop: the skip link.
    const stops: string[] = [];
    for (let i = 0; i < 15 && stops.at(-1) !== "A:Skip to content"; i++) {
      await page.keyboard.press("Shift+Tab");
      stops.push(await focused());
    }
    expect(stops).toEqual(
      expect.arrayContaining(["BUTTON:Sign out", "A:Registry", "A:Jobs", "A:Apply", "A:Skip to content"]),
    );
    expect(await page.getByRole("link", { name: "Jobs" }).getAttribute("aria-current")).toBe("page");
    await page.keyboard.press("Enter");
    expect(await page.evaluate("document.activeElement?.id")).toBe("main");
    await page.keyboard.press("Tab");
    expect(await page.evaluate("document.activeElement?.closest('main') !== null")).toBe(true);
    await page.getByRole("link", { name: "Registry" }).focus();
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name: "Registry of ai_etl" }).waitFor();
  });

  it("respects the token's scopes: a read-only token sees no apply or materialize button", async () => {
    const reader = await browser.context.newPage();
    try {
      await signIn(reader, await mint(["registry:read", "online:read", "offline:read"]));
      const menu = await reader.getByRole("navigation", { name: "Console" }).textContent();
      expect(menu).toContain("Training set");
      expect(menu).not.toContain("Apply");
      await reader.goto(`${worker.url}/console/views/customer`);
      await reader.getByRole("heading", { level: 2, name: "Features" }).waitFor();
      expect(await reader.getByRole("button", { name: /Materialize/ }).count()).toBe(0);
      await reader.goto(`${worker.url}/console/jobs`);
      await reader.locator("tr[data-job]").first().waitFor();
      expect(await reader.getByRole("button", { name: /Materialize/ }).count()).toBe(0);
      // The materialization's own status needs `materialize`: the page follows it through the job list instead.
      await reader.locator("tr[data-job] a").first().click();
      await reader.getByText("This token cannot read the job's own status").waitFor();
      expect(await reader.locator("[data-job-status]").getAttribute("data-job-status")).toBe("completed");
      await reader.goto(`${worker.url}/console/apply`);
      await reader.getByText("This token cannot change the registry").waitFor();
      expect(await reader.getByRole("button", { name: "Apply" }).count()).toBe(0);
    } finally {
      await reader.close();
    }
  });

  it("plans and applies definitions with a registry:write token", async () => {
    await page.goto(`${worker.url}/console/apply`);
    const definitions = {
      entities: [{ name: "store", join_keys: ["store_id"] }],
      feature_views: [
        {
          name: "store_stats",
          entities: ["store"],
          schema: [{ name: "visits", dtype: "int64" }],
          source: { type: "batch", path: "r2://larder-offline/store_source/" },
        },
      ],
    };
    await page.getByRole("textbox", { name: /POST \/apply/ }).fill(JSON.stringify(definitions));
    await page.getByRole("button", { name: "Plan" }).click();
    await page.getByRole("heading", { name: "Plan (nothing was changed)" }).waitFor();
    expect(await text(page, 'tr[data-change="create"]')).toContain("store_stats");
    expect((await larder.listFeatureViews()).feature_views.map((v) => v.name)).not.toContain("store_stats");
    await page.getByRole("button", { name: "Apply" }).click();
    await page.getByRole("heading", { name: /Applied: registry version/ }).waitFor();
    expect((await larder.listFeatureViews()).feature_views.map((v) => v.name)).toContain("store_stats");
    await page.getByRole("textbox", { name: /POST \/apply/ }).fill("{ not json");
    await page.getByRole("button", { name: "Plan" }).click();
    expect(await page.getByRole("alert").textContent()).toContain("MALFORMED_JSON");
  });
  it("follows a training-set job to its end and shows what it read", async () => {
    const accepted = await larder.getHistoricalFeatures({
      features: ["customer:age", "customer:segment"],
      entity_df: { customer_id: CUSTOMERS, event_timestamp: CUSTOMERS.map(() => iso(NOW)) },
      async: true,
    });
    if (!("job_id" in accepted)) throw new Error("expected an accepted job");
    await page.goto(`${worker.url}/console/jobs/historical/${encodeURIComponent(accepted.job_id)}`);
    await page.locator('[data-job-status="completed"]').waitFor({ timeout: 90_000 });
    const status = await larder.getHistoricalJob(accepted.job_id);
    expect(status.rows_scanned).toBeGreaterThan(0);
    expect(await text(page, '[data-field="rows_scanned"]')).toContain(status.rows_scanned.toLocaleString("en-US"));
    expect(await text(page, '[data-field="rows_scanned"]')).toContain(`from ${status.files_read} files`);
    expect(await page.getByRole("link", { name: "Download Parquet" }).count()).toBe(1);
  });
});
