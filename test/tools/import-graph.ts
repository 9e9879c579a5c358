/**
 * The folder-level import graph of a source tree, and its cycles. Pure apart
 * from `readSourceTree`, which reads the files.
 *
 * Every relative `import … from "…"`, `export … from "…"` and `import("…")`
 * (type-only imports included: a type dependency is a dependency) is an edge
 * from the importing file's folder to the imported file's folder. A cycle is
 * a strongly connected set of two or more folders; for each, the files whose
 * imports form it are named, so the fix is obvious.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

/** File path (relative to the tree's root, `/`-separated) → its source text. */
export type SourceTree = Record<string, string>;

export interface FolderEdge {
  from: string;
  to: string;
  /** `importer -> imported` file pairs behind the edge. */
  files: string[];
}

export interface FolderCycle {
  folders: string[];
  edges: FolderEdge[];
}

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^"'`;]*?from\s*["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)/g;

/** Relative specifiers of a file, resolved against its own folder (extension-less, `/`-separated). */
export function importsOf(file: string, text: string): string[] {
  const out: string[] = [];
  for (const match of text.matchAll(IMPORT)) {
    const spec = match[1] ?? match[2];
    if (!spec?.startsWith(".")) continue;
    out.push(path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)).replace(/\.(ts|js|mjs)$/, ""));
  }
  return out;
}

const folderOf = (file: string) => path.posix.dirname(file);

/** Folder → folder edges (self-edges dropped), with the files behind each. */
export function folderEdges(tree: SourceTree): FolderEdge[] {
  const edges = new Map<string, FolderEdge>();
  for (const [file, text] of Object.entries(tree)) {
    for (const target of importsOf(file, text)) {
      const from = folderOf(file);
      const to = folderOf(target);
      if (from === to) continue;
      const id = `${from}\u0000${to}`;
      let edge = edges.get(id);
      if (!edge) {
        edge = { from, to, files: [] };
        edges.set(id, edge);
      }
      edge.files.push(`${file} -> ${target}`);
    }
  }
  return [...edges.values()];
}

/** Strongly connected components of two or more folders (Tarjan's algorithm). */
export function folderCycles(tree: SourceTree): FolderCycle[] {
  const edges = folderEdges(tree);
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.from, [...(next.get(e.from) ?? []), e.to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let counter = 0;
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) components.push(component.sort());
    }
  };
  const folders = new Set(edges.flatMap((e) => [e.from, e.to]));
  for (const f of [...folders].sort()) if (!index.has(f)) visit(f);
  return components.map((folders) => ({
    folders,
    edges: edges.filter((e) => folders.includes(e.from) && folders.includes(e.to)),
  }));
}

/** A readable account of the cycles: each folder set, then every file import that closes it. */
export function describeCycles(cycles: readonly FolderCycle[]): string {
  return cycles
    .map((c) =>
      [`cycle between ${c.folders.join(", ")}:`, ...c.edges.flatMap((e) => e.files.map((f) => `  ${f}`))].join("\n"),
    )
    .join("\n");
}

/** The `.ts` files under `root` (relative paths prefixed with `prefix`), read from disk. */
export function readSourceTree(root: string, prefix = path.basename(root)): SourceTree {
  const tree: SourceTree = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (/\.tsx?$/.test(name))
        tree[`${prefix}/${path.relative(root, full).split(path.sep).join("/")}`] = readFileSync(full, "utf8");
    }
  };
  walk(root);
  return tree;
}
