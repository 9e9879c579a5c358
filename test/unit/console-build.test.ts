/**
 * The console's shape and weight: console/ imports nothing of the project
 * but larder/client (src/client) and its types; its bundle, built as
 * `npm ci` builds it, stays under 150 KB gzipped in all, holds no zod, and
 * its first page loads only a small part of it (Plot and the CSV parser are
 * chunks of their own, loaded by the pages that need them).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConsoleBuild } from "../../scripts/build.mjs";
import { buildConsole } from "../../scripts/build-console.mjs";
import { importsOf, readSourceTree } from "../tools/import-graph";

const ROOT = path.join(import.meta.dirname, "../..");
const KB = 1024;

describe("console/ imports", () => {
  it("reach outside console/ only into src/client", () => {
    const tree = readSourceTree(path.join(ROOT, "console"), "console");
    expect(Object.keys(tree).length).toBeGreaterThan(10);
    const outside = Object.entries(tree).flatMap(([file, text]) =>
      importsOf(file, text)
        .filter((t) => !t.startsWith("console/") && t !== "src/client" && !t.startsWith("src/client/"))
        .map((target) => `${file} -> ${target}`),
    );
    expect(outside).toEqual([]);
  });
});

describe("the console bundle", () => {
  let out: string;
  let built: ConsoleBuild;

  beforeAll(async () => {
    out = mkdtempSync(path.join(tmpdir(), "larder-console-build-"));
    built = await buildConsole({ root: ROOT, outdir: out });
  }, 60_000);

  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("is under 150 KB gzipped in all, and the first page loads under 40 KB of it", () => {
    expect(built.gzipTotal).toBeLessThan(150 * KB);
    expect(built.gzipInitial).toBeLessThan(40 * KB);
    expect(built.files.some((f) => f.file.startsWith("plots-"))).toBe(true);
    expect(built.files.some((f) => f.file.startsWith("entity-table-"))).toBe(true);
  });

  it("writes a page naming its hashed files under /console/, and the assets' headers", () => {
    const page = readFileSync(path.join(out, "console/index.html"), "utf8");
    const assets = readdirSync(path.join(out, "console/assets"));
    const named = [...page.matchAll(/\/console\/assets\/([^"]+)/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(1);
    for (const file of named) expect(assets).toContain(file);
    expect(page).toMatch(/<script type="module" src="\/console\/assets\/main-[A-Z0-9]+\.js">/);
    const headers = readFileSync(path.join(out, "_headers"), "utf8");
    expect(headers).toContain("/console/assets/*\n  Cache-Control: public, max-age=31536000, immutable");
    expect(headers).toContain("Content-Security-Policy: default-src 'self'; script-src 'self'");
  });

  it("holds no zod and no server code, only the client's", () => {
    const code = readdirSync(path.join(out, "console/assets"))
      .filter((f) => f.endsWith(".js"))
      .map((f) => readFileSync(path.join(out, "console/assets", f), "utf8"))
      .join("\n");
    expect(code).not.toMatch(/ZodError|\$ZodType|\.openapi\(/);
    expect(code).not.toContain("drizzle");
    expect(code).toContain("x-request-id");
  });
});
