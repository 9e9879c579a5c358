/**
 * Two projects with data in every store, for the tenancy suite: the demo
 * registry plus objects only that project has (names carrying the project),
 * offline history, online values, a completed materialization with its
 * statistics, an export, and a queued historical job. Every value the
 * project holds carries its marker, so any answer that shows a marker to
 * another project's token is a leak.
 */
import { env } from "cloudflare:workers";
import { applyDemo } from "./fixtures";
import { call, expectStatus, token } from "./helpers";
import { appendHistory } from "./offline-fixtures";
import { drainTasks } from "./task-queue";

export interface TenantFixture {
  project: string;
  /** A token limited to this project, with every scope. */
  token: string;
  /** Text and number only this project's data holds. */
  marker: { text: string; number: number };
  /** Names and ids of this project's own objects (none exists in the other project). */
  names: { entity: string; source: string; push: string; view: string; service: string };
  ids: { materialization: string; historicalJob: string; export: string };
  exportUrl: string;
}

const DAY = 86_400_000;

function secretObjects(p: string) {
  const names = {
    entity: `${p}_secret_entity`,
    source: `${p}_secret_source`,
    push: `${p}_secret_push`,
    view: `${p}_secret_view`,
    service: `${p}_secret_service`,
  };
  const body = {
    entities: [{ name: names.entity, join_keys: ["secret_id"], value_type: "STRING" }],
    data_sources: [{ name: names.source, type: "batch", path: `r2://larder-offline/${names.source}/` }],
    push_sources: [{ name: names.push, batch_source: names.source }],
    feature_views: [
      {
        name: names.view,
        entities: [names.entity],
        schema: [
          { name: "secret_note", dtype: "string" },
          { name: "secret_amount", dtype: "float64" },
        ],
        source: names.push,
        ttl_seconds: 0,
        online: true,
      },
    ],
    feature_services: [{ name: names.service, features: [names.view] }],
  };
  return { names, body };
}

/** Builds one project's fixture; call inside a test (storage is reset before each). */
export async function tenant(project: string, marker: TenantFixture["marker"]): Promise<TenantFixture> {
  const q = `?project=${project}`;
  await applyDemo(project);
  const { names, body } = secretObjects(project);
  await expectStatus(call("POST", `/apply${q}`, { body }), 200);
  const now = Date.now();
  const row = (id: string, ts: number) => ({
    secret_id: id,
    event_timestamp: ts,
    secret_note: marker.text,
    secret_amount: marker.number,
  });
  await appendHistory(names.source, [row("s1", now - 3 * DAY), row("s2", now - 2 * DAY)], project);
  await appendHistory(
    "customer_profile_source",
    [{ customer_id: "cust_001", event_timestamp: now - DAY, age: Math.round(marker.number), segment: marker.text }],
    project,
  );
  const pushed = {
    push_source_name: names.push,
    to: "online",
    features: [
      { secret_id: "s3", event_timestamp: new Date(now - DAY).toISOString(), features: { secret_note: marker.text } },
    ],
  };
  await expectStatus(call("POST", `/push-features${q}`, { body: pushed }), 200);
  const window = { start_date: new Date(now - 10 * DAY).toISOString(), end_date: new Date(now).toISOString() };
  const mat = await expectStatus(
    call("POST", `/materialize${q}`, { body: { feature_views: [names.view, "customer"], ...window } }),
    202,
  );
  await drainTasks();
  const entity_df = {
    secret_id: ["s1", "s2"],
    event_timestamp: [new Date(now).toISOString(), new Date(now).toISOString()],
  };
  const hist = await expectStatus(
    call("POST", `/historical-features${q}`, { body: { features: [`${names.view}:secret_note`], entity_df } }),
    200,
  );
  const job = await expectStatus(
    call("POST", `/historical-features${q}`, {
      body: { features: [`${names.view}:secret_note`], entity_df, async: true },
    }),
    202,
  );
  return {
    project,
    token: await token({ scopes: ["admin"], projects: [project] }),
    marker,
    names,
    ids: { materialization: mat.materialization_id, historicalJob: job.job_id, export: hist.export_id },
    exportUrl: hist.download_url,
  };
}

/** Everything a project holds, as comparable text: registry, online keys and values, offline and export objects, jobs, manifest, stats. */
export async function projectState(project: string): Promise<string> {
  const d1 = env.DB;
  const rows = async (sql: string) => (await d1.prepare(sql).bind(project).all()).results;
  const kvKeys = (await env.ONLINE_STORE.list({ prefix: `v1/${project}/` })).keys.map((k) => k.name);
  const kvValues = await Promise.all(kvKeys.map((k) => env.ONLINE_STORE.get(k)));
  const r2 = async (prefix: string) =>
    (await env.OFFLINE_STORE.list({ prefix })).objects.map((o) => `${o.key}:${o.etag}`);
  return JSON.stringify({
    registry: await rows("SELECT name, version FROM projects WHERE name = ?1"),
    views: await rows("SELECT name, updated_at, materialized_end FROM feature_views WHERE project = ?1 ORDER BY name"),
    sources: await rows("SELECT name, updated_at FROM data_sources WHERE project = ?1 ORDER BY name"),
    jobs: await rows("SELECT id, status, tasks_done, tasks_total FROM jobs WHERE project = ?1 ORDER BY id"),
    files: await rows("SELECT path FROM offline_files WHERE project = ?1 ORDER BY path"),
    exports: await rows("SELECT id FROM exports WHERE project = ?1 ORDER BY id"),
    stats: await rows("SELECT view, job_id FROM feature_stats WHERE project = ?1 ORDER BY view"),
    kv: kvKeys.map((k, i) => [k, kvValues[i]]),
    offline: await r2(`offline/${project}/`),
    exportObjects: await r2(`exports/${project}/`),
    jobFiles: await r2(`jobs/${project}/`),
  });
}
