import { env } from "cloudflare:workers";
import { describe, expect, it, vi } from "vitest";
import { emptyContents, type RegistryContents } from "../../src/domain/registry-model";
import { database as registryDb } from "../../src/db/database";
import { loadRegistry, saveRegistry } from "../../src/db/registry-store";
import {
  clearSnapshotCache,
  currentRegistry,
  publishSnapshot,
  type SnapshotDocument,
} from "../../src/registry/snapshot";
import { call, expectStatus } from "./helpers";
import { applyDemo, SPEC_APPLY_BODY } from "./fixtures";

const viewNames = async (query = "") =>
  ((await expectStatus(call("GET", `/feature-views${query}`), 200)).feature_views as { name: string }[])
    .map((v) => v.name)
    .sort();

function contentsWithEntities(...names: string[]): RegistryContents {
  return {
    ...emptyContents(),
    entities: names.map((name) => ({
      name,
      join_keys: [`${name}_id`],
      value_types: { [`${name}_id`]: "STRING" as const },
      description: "",
      tags: {},
    })),
  };
}

function doc(project: string, version: number, contents: RegistryContents): SnapshotDocument {
  return { project, version, built_at: new Date(Date.UTC(2024, 0, version)).toISOString(), contents };
}

describe("a registry change is visible to the very next request", () => {
  it("an apply, on a warm cache", async () => {
    await applyDemo();
    expect(await viewNames()).not.toContain("product_features"); // warms this isolate's cache
    await expectStatus(call("POST", "/apply", { body: SPEC_APPLY_BODY }), 200);
    expect(await viewNames()).toContain("product_features");
    await expectStatus(call("GET", "/feature-views/product_features"), 200);
  });

  it("a delete, on a warm cache", async () => {
    await applyDemo();
    await expectStatus(call("GET", "/feature-views/connector"), 200);
    await expectStatus(call("DELETE", "/feature-views/connector"), 200);
    const body = await expectStatus(call("GET", "/feature-views/connector"), 404);
    expect(body.error.details.available_views).not.toContain("connector");
  });

  it("an apply, to an isolate that has cached nothing (read from KV)", async () => {
    await applyDemo();
    clearSnapshotCache();
    expect(await viewNames()).toHaveLength(7);
    await expectStatus(call("POST", "/apply", { body: SPEC_APPLY_BODY }), 200);
    clearSnapshotCache();
    expect(await viewNames()).toContain("product_features");
  });

  it("apply publishes the snapshot and its version to KV", async () => {
    const applied = await applyDemo();
    const stored = await env.REGISTRY_CACHE.get<SnapshotDocument>("snapshot:ai_etl", "json");
    expect(stored?.version).toBe(applied.registry_version);
    expect(stored?.project).toBe("ai_etl");
    expect(stored?.contents.feature_views).toHaveLength(7);
    expect(await env.REGISTRY_CACHE.get("version:ai_etl")).toBe(String(applied.registry_version));
  });
});

describe("a stale isolate picks up a newer snapshot (currentRegistry)", () => {
  const project = "stale_project";
  const TTL = 5000;
  const T0 = 1_700_000_000_000;

  /** Writes a snapshot to KV as another isolate's publishSnapshot would, without touching this isolate's cache. */
  async function publishElsewhere(d: SnapshotDocument) {
    await env.REGISTRY_CACHE.put(`snapshot:${d.project}`, JSON.stringify(d));
    await env.REGISTRY_CACHE.put(`version:${d.project}`, String(d.version));
  }

  it("serves the cached version within the TTL and the new one after it", async () => {
    await publishElsewhere(doc(project, 1, contentsWithEntities("alpha")));
    clearSnapshotCache();
    const first = await currentRegistry(env.REGISTRY_CACHE, project, TTL, T0);
    expect(first.version).toBe(1);
    expect([...first.entities.keys()]).toEqual(["alpha"]);

    await publishElsewhere(doc(project, 2, contentsWithEntities("alpha", "beta")));

    const withinTtl = await currentRegistry(env.REGISTRY_CACHE, project, TTL, T0 + TTL - 1);
    expect(withinTtl.version).toBe(1);
    expect(withinTtl).toBe(first);
    expect([...withinTtl.entities.keys()]).toEqual(["alpha"]);

    const afterTtl = await currentRegistry(env.REGISTRY_CACHE, project, TTL, T0 + TTL);
    expect(afterTtl.version).toBe(2);
    expect([...afterTtl.entities.keys()].sort()).toEqual(["alpha", "beta"]);
    expect(afterTtl.builtAt).toBe(doc(project, 2, emptyContents()).built_at);

    // The new version is now the cached one.
    expect(await currentRegistry(env.REGISTRY_CACHE, project, TTL, T0 + TTL + 1)).toBe(afterTtl);
  });

  it("after a publish in this isolate, serves it at once without reading KV", async () => {
    await publishSnapshot(env.REGISTRY_CACHE, doc(project, 1, contentsWithEntities("alpha")), T0);
    // Someone wipes KV: this isolate still has its fresh copy within the TTL.
    await env.REGISTRY_CACHE.delete(`snapshot:${project}`);
    await env.REGISTRY_CACHE.delete(`version:${project}`);
    const cached = await currentRegistry(env.REGISTRY_CACHE, project, TTL, T0 + 1);
    expect(cached.version).toBe(1);
    expect([...cached.entities.keys()]).toEqual(["alpha"]);
  });

  it("past the TTL, checks only the version and keeps its copy while the version has not moved", async () => {
    await publishElsewhere(doc(project, 3, contentsWithEntities("alpha")));
    clearSnapshotCache();
    const first = await currentRegistry(env.REGISTRY_CACHE, project, TTL, T0);
    // A different snapshot body under the same version: the version key decides, so the copy is kept.
    await env.REGISTRY_CACHE.put(`snapshot:${project}`, JSON.stringify(doc(project, 3, contentsWithEntities("other"))));
    const later = await currentRegistry(env.REGISTRY_CACHE, project, TTL, T0 + 10 * TTL);
    expect(later).toBe(first);
    expect([...later.entities.keys()]).toEqual(["alpha"]);
  });

  it("re-arms the TTL after a version check", async () => {
    await publishElsewhere(doc(project, 1, contentsWithEntities("alpha")));
    clearSnapshotCache();
    await currentRegistry(env.REGISTRY_CACHE, project, TTL, T0);
    // Checked (unchanged) at T0 + TTL; a change right after is not seen until T0 + 2*TTL.
    expect((await currentRegistry(env.REGISTRY_CACHE, project, TTL, T0 + TTL)).version).toBe(1);
    await publishElsewhere(doc(project, 2, contentsWithEntities("alpha", "beta")));
    expect((await currentRegistry(env.REGISTRY_CACHE, project, TTL, T0 + 2 * TTL - 1)).version).toBe(1);
    expect((await currentRegistry(env.REGISTRY_CACHE, project, TTL, T0 + 2 * TTL)).version).toBe(2);
  });

  it("keeps projects apart", async () => {
    await publishElsewhere(doc(project, 1, contentsWithEntities("alpha")));
    await publishElsewhere(doc("second_project", 5, contentsWithEntities("gamma")));
    clearSnapshotCache();
    expect([...(await currentRegistry(env.REGISTRY_CACHE, project, TTL, T0)).entities.keys()]).toEqual(["alpha"]);
    const second = await currentRegistry(env.REGISTRY_CACHE, "second_project", TTL, T0);
    expect(second.version).toBe(5);
    expect([...second.entities.keys()]).toEqual(["gamma"]);
  });

  it("a project with no snapshot is empty at version 0", async () => {
    clearSnapshotCache();
    const registry = await currentRegistry(env.REGISTRY_CACHE, "never_applied", TTL, T0);
    expect(registry.version).toBe(0);
    expect(registry.views.size + registry.entities.size + registry.services.size + registry.sources.size).toBe(0);
  });
});

describe("POST /refresh-registry", () => {
  it("bumps registry_version and returns the counts", async () => {
    const applied = await applyDemo();
    const res = await expectStatus(call("POST", "/refresh-registry"), 200);
    expect(res).toMatchObject({
      status: "success",
      feature_views_count: 7,
      entities_count: 5,
      feature_services_count: 2,
    });
    expect(res.registry_version).toBe(applied.registry_version + 1);
    expect(Number.isNaN(Date.parse(res.refreshed_at))).toBe(false);
    const again = await expectStatus(call("POST", "/refresh-registry"), 200);
    expect(again.registry_version).toBe(res.registry_version + 1);
    expect((await env.REGISTRY_CACHE.get<SnapshotDocument>("snapshot:ai_etl", "json"))?.version).toBe(
      again.registry_version,
    );
  });

  it("rebuilds a snapshot deleted from KV", async () => {
    await applyDemo();
    await env.REGISTRY_CACHE.delete("snapshot:ai_etl");
    await env.REGISTRY_CACHE.delete("version:ai_etl");
    clearSnapshotCache(); // a fresh isolate, which can only read KV
    expect(await viewNames()).toEqual([]); // the snapshot is really gone
    const res = await expectStatus(call("POST", "/refresh-registry"), 200);
    expect(res).toMatchObject({
      status: "success",
      feature_views_count: 7,
      entities_count: 5,
      feature_services_count: 2,
      registry_version: 2,
    });
    const stored = await env.REGISTRY_CACHE.get<SnapshotDocument>("snapshot:ai_etl", "json");
    expect(stored?.version).toBe(2);
    expect(stored?.contents.feature_views).toHaveLength(7);
    expect(await env.REGISTRY_CACHE.get("version:ai_etl")).toBe("2");
    clearSnapshotCache();
    expect(await viewNames()).toHaveLength(7);
  });

  it("publishes a change written to D1 that never reached the snapshot", async () => {
    await applyDemo();
    const db = registryDb(env.DB);
    const stored = await loadRegistry(db, "ai_etl");
    const next = {
      ...stored.contents,
      entities: [...stored.contents.entities, contentsWithEntities("late").entities[0]],
    };
    await saveRegistry(db, "ai_etl", stored.version, stored.contents, next, new Date().toISOString());
    clearSnapshotCache();
    const before = (await expectStatus(call("GET", "/entities"), 200)).entities.map((e: { name: string }) => e.name);
    expect(before).not.toContain("late");
    const res = await expectStatus(call("POST", "/refresh-registry"), 200);
    expect(res.entities_count).toBe(6);
    expect(res.registry_version).toBe(3);
    const after = (await expectStatus(call("GET", "/entities"), 200)).entities.map((e: { name: string }) => e.name);
    expect(after).toContain("late");
  });

  it("on a project never applied, refuses rather than creating it", async () => {
    const res = await expectStatus(call("POST", "/refresh-registry?project=blank"), 404);
    expect(res.error).toMatchObject({ code: "PROJECT_NOT_FOUND", details: { project: "blank" } });
    expect(
      await env.DB.prepare("SELECT COUNT(*) AS n FROM projects WHERE name = 'blank'").first<{ n: number }>(),
    ).toEqual({ n: 0 });
  });
});

describe("registry reads never touch D1", () => {
  it("lists from the snapshot after the D1 rows are gone", async () => {
    await applyDemo();
    await env.DB.batch(
      ["projects", "entities", "data_sources", "feature_views", "feature_services"].map((t) =>
        env.DB.prepare(`DELETE FROM ${t}`),
      ),
    );
    expect((await env.DB.prepare("SELECT COUNT(*) AS n FROM feature_views").first<{ n: number }>())?.n).toBe(0);
    clearSnapshotCache(); // not even this isolate's memory: only KV remains

    expect(await viewNames()).toHaveLength(7);
    await expectStatus(call("GET", "/feature-views/customer"), 200);
    expect((await expectStatus(call("GET", "/entities"), 200)).entities).toHaveLength(5);
    expect((await expectStatus(call("GET", "/feature-services"), 200)).feature_services).toHaveLength(2);
    expect((await expectStatus(call("GET", "/push-sources"), 200)).push_sources).toHaveLength(2);
    expect((await expectStatus(call("GET", "/data-sources"), 200)).data_sources).toHaveLength(9);
    expect(await expectStatus(call("GET", "/config"), 200)).toMatchObject({
      feature_views_count: 7,
      entities_count: 5,
    });
  });

  it("still answers with the registry tables dropped (any D1 read would fail)", async () => {
    await applyDemo();
    await env.DB.batch(
      ["entities", "data_sources", "feature_views", "feature_services", "projects"].map((t) =>
        env.DB.prepare(`DROP TABLE ${t}`),
      ),
    );
    clearSnapshotCache();
    expect(await viewNames()).toHaveLength(7);
    await expectStatus(call("GET", "/feature-views/transactions"), 200);
    expect((await expectStatus(call("GET", "/feature-views/nope"), 404)).error.code).toBe("FEATURE_VIEW_NOT_FOUND");
    // A route that does read D1 fails, which shows the drop took effect.
    const quiet = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      expect((await call("POST", "/refresh-registry")).status).not.toBe(200);
    } finally {
      quiet.mockRestore();
    }
  });
});
