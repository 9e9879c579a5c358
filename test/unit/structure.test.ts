/**
 * The shape of src/: no folder-level import cycle, layers that import
 * downward only (the table below is the rule; README "Layout" explains it),
 * and small files. Plus tests of the checker itself, so a cycle is known to
 * make it fail.
 */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { describeCycles, folderCycles, folderEdges, readSourceTree, type SourceTree } from "../tools/import-graph";

/** What each folder of src/ may import (besides itself). `src` is the entry layer: index, app, queue. */
const MAY_IMPORT: Record<string, string[]> = {
  "src/domain": [],
  "src/platform": ["src/domain"],
  "src/schemas": ["src/domain"],
  "src/auth": ["src/domain"],
  "src/db": ["src/domain"],
  "src/online": ["src/domain"],
  "src/queues": ["src/domain"],
  "src/offline": ["src/domain", "src/db"],
  "src/registry": ["src/domain", "src/schemas", "src/db"],
  "src/services": [
    "src/domain",
    "src/schemas",
    "src/auth",
    "src/platform",
    "src/db",
    "src/online",
    "src/offline",
    "src/queues",
    "src/registry",
  ],
  "src/http": ["src/domain", "src/auth", "src/platform", "src/services"],
  "src/api": ["src/domain", "src/schemas", "src/auth", "src/http", "src/offline", "src/registry", "src/services"],
  "src/client": ["src/domain", "src/schemas"],
  "src/rpc": ["src/domain", "src/schemas", "src/auth", "src/platform", "src/services", "src/client"],
  src: ["*"],
};

const MAX_LINES = 250;
const tree = readSourceTree(path.join(import.meta.dirname, "../../src"), "src");

describe("src/ structure", () => {
  it("has no folder-level import cycle", () => {
    const cycles = folderCycles(tree);
    expect(cycles, describeCycles(cycles)).toEqual([]);
  });

  it("imports downward only, as the layer table says", () => {
    const upward = folderEdges(tree)
      .filter((e) => {
        const allowed = MAY_IMPORT[e.from];
        return !allowed || !(allowed.includes("*") || allowed.includes(e.to));
      })
      .flatMap((e) => e.files);
    expect(upward).toEqual([]);
  });

  it("names every folder in the layer table", () => {
    const folders = new Set(Object.keys(tree).map((f) => path.posix.dirname(f)));
    expect([...folders].filter((f) => !(f in MAY_IMPORT))).toEqual([]);
  });

  it(`keeps every file within ${MAX_LINES} lines`, () => {
    const long = Object.entries(tree)
      .map(([file, text]) => ({ file, lines: text.split("\n").length - (text.endsWith("\n") ? 1 : 0) }))
      .filter((f) => f.lines > MAX_LINES);
    expect(long).toEqual([]);
  });
});

describe("the import-graph checker", () => {
  const acyclic: SourceTree = {
    "src/a/one.ts": 'import { x } from "../b/two";\nexport const one = x;',
    "src/b/two.ts": 'import type { T } from "../c/three";\nexport const x = 1;',
    "src/c/three.ts": "export type T = number;",
  };

  it("finds no cycle where imports only go one way", () => {
    expect(folderCycles(acyclic)).toEqual([]);
  });

  it("finds a cycle introduced by one import, and names the files that form it", () => {
    const withCycle = { ...acyclic, "src/c/three.ts": 'import { one } from "../a/one";\nexport type T = typeof one;' };
    const cycles = folderCycles(withCycle);
    expect(cycles.map((c) => c.folders)).toEqual([["src/a", "src/b", "src/c"]]);
    const text = describeCycles(cycles);
    expect(text).toContain("src/a/one.ts -> src/b/two");
    expect(text).toContain("src/b/two.ts -> src/c/three");
    expect(text).toContain("src/c/three.ts -> src/a/one");
  });

  it("counts type-only imports, re-exports and dynamic imports as edges", () => {
    const tree: SourceTree = {
      "src/a/x.ts": 'export { y } from "../b/y";',
      "src/b/y.ts": 'export const y = async () => (await import("../a/x")).y;',
    };
    expect(folderCycles(tree).map((c) => c.folders)).toEqual([["src/a", "src/b"]]);
  });

  it("ignores package imports and imports within one folder", () => {
    const tree: SourceTree = {
      "src/a/x.ts": 'import { z } from "zod";\nimport { y } from "./y";',
      "src/a/y.ts": 'import { x } from "./x";',
    };
    expect(folderEdges(tree)).toEqual([]);
  });
});
